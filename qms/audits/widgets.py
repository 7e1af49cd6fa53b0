"""Widgets of the audits feature: the fill form's state, one item, tables, the findings heatmap.

The fill form keeps three things in ``st.session_state`` for the open audit:

- ``aud_base``: the answers as saved, at ``aud_version`` (the audit's row version);
- ``aud_input``: what the auditor sees, a plain dict that survives section changes (widget
  state of items not on screen is dropped by Streamlit, this dict is not);
- ``aud_conflict``: the items of a refused save, shown with both versions.

Every change of an item (a click on a result, a note typed) saves the draft at once, as does
changing section or filter and the explicit button; saves run in widget callbacks, before the
script, so widgets can be refreshed with answers others saved meanwhile.  A refused save keeps
``aud_input`` untouched: the auditor's answers stay on screen to reapply.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from qms.accounts.rules import PermissionDenied, Principal
from qms.audits.checklists import ChecklistItem, LoadedTemplates, TemplateEntry, load_templates
from qms.audits.findings_store import DEPARTMENTS_ROW, AuditSummary, Finding, HeatCell
from qms.audits.iso_clauses import clause_title
from qms.audits.rules import AnswerConflict, AnswerInput, Result, score
from qms.audits.store import AuditView, get_audit, save_answers
from qms.kernel import formatting
from qms.kernel.clock import local_time, utc_now
from qms.kernel.dates import fmt
from qms.kernel.errors import QmsError
from qms.ui import context
from qms.ui.context import db, lang, plain, settings, t
from qms.ui.tables import TEXT_WIDTH, show_table
from qms.units.model import checked

EMPTY: tuple = (None, None, None)
ss = st.session_state


def text(localized) -> str:
    """A template text in the user's language (Vietnamese when no English was written)."""
    if localized is None:
        return ""
    return localized.en if lang() == "en" and localized.en else localized.vi


def result_label(result: Result | None) -> str:
    return t("audit.unanswered") if result is None else t(f"audit.result.{result.value}")


def score_text(pct: float | None) -> str:
    return formatting.percent(pct, lang())


# -- state of the open audit -----------------------------------------------------------------

def _key(audit_id: int, part: str, ref: str) -> str:
    return f"aud_{audit_id}_{part}_{ref}"


def _seed(audit_id: int, ref: str, value: tuple) -> None:
    result, note, evidence = value
    ss[_key(audit_id, "r", ref)] = result
    ss[_key(audit_id, "n", ref)] = note or ""
    ss[_key(audit_id, "e", ref)] = evidence or ""


def sync(view: AuditView, *, force: bool = False) -> None:
    """Take the audit's saved answers as the page state when it is opened (or ``force``, or
    after a submit/reopen marked the state stale); otherwise keep the auditor's input."""
    if force or ss.get("aud_id") != view.id or ss.get("aud_stale"):
        opening = ss.get("aud_id") != view.id
        base = {ref: a.value for ref, a in view.answers.items()}
        ss.aud_id, ss.aud_version, ss.aud_base, ss.aud_input = view.id, view.row_version, base, dict(base)
        ss.aud_conflict, ss.aud_stale, ss.aud_done_before = None, False, None
        for spec in view.specs:
            _seed(view.id, spec.ref, base.get(spec.ref, EMPTY))
        if opening:
            ss.pop("aud_section", None)
    if ss.get("aud_section") not in [s.ref for s in view.template.sections] + ["*"]:
        # open where the auditor left off: the first section with an unanswered item
        open_sections = [sec.ref for sec in view.template.sections
                         if any(ss.aud_input.get(i.ref, EMPTY)[0] is None for i in sec.items)]
        ss.aud_section = (open_sections or [view.template.sections[0].ref])[0]


def answers_on_screen() -> dict[str, AnswerInput]:
    return {ref: AnswerInput.model_construct(item_ref=ref, result=v[0], note=v[1], evidence=v[2])
            for ref, v in ss.get("aud_input", {}).items()}


def pending() -> list[str]:
    base = ss.get("aud_base", {})
    return [ref for ref, v in ss.get("aud_input", {}).items() if v != base.get(ref, EMPTY)]


def _flash(kind: str, message: str) -> None:
    ss.aud_flash = (kind, message)


def actor() -> Principal:
    """Who the change log and the answers name: the signed-in user."""
    return context.actor()


def save_pending() -> bool:
    """Save what differs from the last saved state; True when nothing is left unsaved (also when
    the user may not save at all: their input is then dropped, it could never be kept)."""
    audit_id, refs = ss.get("aud_id"), pending()
    if audit_id is None or not refs:
        return True
    sent = [AnswerInput(item_ref=r, result=ss.aud_input[r][0], note=ss.aud_input[r][1], evidence=ss.aud_input[r][2])
            for r in refs]
    try:
        saved = save_answers(db(), audit_id, sent, expected_version=ss.aud_version, actor=actor())
    except AnswerConflict as e:
        ss.aud_conflict = e.items
        _flash("error", e.text(lang()))
        return False
    except PermissionDenied as e:  # never saved, never will be: the answers leave the screen (and the count)
        ss.aud_input = dict(ss.aud_base)
        for ref in refs:
            _seed(audit_id, ref, ss.aud_base.get(ref, EMPTY))
        _flash("error", e.text(lang()))
        return True
    except QmsError as e:
        _flash("error", e.text(lang()))
        return False
    for answer in sent:
        ss.aud_base[answer.item_ref] = answer.value
    for ref, answer in saved.newer.items():  # saved by someone else meanwhile, untouched here
        if ss.aud_input.get(ref, EMPTY) == ss.aud_base.get(ref, EMPTY):
            ss.aud_input[ref] = answer.value
            _seed(audit_id, ref, answer.value)
        ss.aud_base[ref] = answer.value
    ss.aud_version, ss.aud_conflict = saved.version, None
    ss.aud_saved_at = local_time(utc_now()).strftime("%H:%M:%S")
    return True


def on_item_change(audit_id: int, ref: str) -> None:
    """A result clicked or a note typed: take it into the input, then save the draft."""
    try:
        answer = checked(AnswerInput, item_ref=ref, result=ss.get(_key(audit_id, "r", ref)),
                         note=ss.get(_key(audit_id, "n", ref)) or None, evidence=ss.get(_key(audit_id, "e", ref)) or None)
    except QmsError as e:
        _flash("error", e.text(lang()))
        return
    ss.aud_input[ref] = answer.value
    save_pending()


def on_move(section: str | None = None) -> None:
    """Moving on (section, filter, next/previous): save, then go where asked."""
    save_pending()
    if section is not None:
        ss.aud_section = section
    ss.aud_done_before = answered_now() if ss.get("aud_only_open") else None


def answered_now() -> set[str]:
    """Items answered at this moment: the 'only unanswered' filter hides these until the
    auditor moves on, so an item does not vanish under the mouse the moment it is answered."""
    return {ref for ref, v in ss.get("aud_input", {}).items() if v[0] is not None}


def reapply_mine() -> None:
    """After a conflict: take the latest saved answers as the base, keep the auditor's input on
    top, and save it (now knowingly overwriting)."""
    view = get_audit(db(), ss.aud_id)
    ss.aud_base = {ref: a.value for ref, a in view.answers.items()}
    ss.aud_version = view.row_version
    mine = set(pending())
    for spec in view.specs:
        if spec.ref not in mine and spec.ref in ss.aud_base:
            ss.aud_input[spec.ref] = ss.aud_base[spec.ref]
            _seed(view.id, spec.ref, ss.aud_base[spec.ref])
    save_pending()


def reload_latest() -> None:
    """Save what is pending, then show the answers as saved now (others' included)."""
    if save_pending():
        ss.aud_stale = True


def drop_mine() -> None:
    """After a conflict: forget the auditor's unsaved answers and show the saved ones."""
    ss.aud_stale = True


# -- one item ---------------------------------------------------------------------------------

def item_block(view: AuditView, item: ChecklistItem, *, read_only: bool = False) -> None:
    """Question, clause, guidance; the five results in one click; note and evidence (all
    disabled when the audit is locked or its reader may not change it)."""
    spec = next(s for s in view.specs if s.ref == item.ref)
    locked = view.locked or read_only
    if _key(view.id, "r", item.ref) not in ss:  # dropped by Streamlit while the item was off screen
        _seed(view.id, item.ref, ss.aud_input.get(item.ref, EMPTY))
    with st.container(border=True):
        where = ""
        if spec.clause:
            title = clause_title(spec.standard, spec.clause, lang())
            where = f" · {t('audit.clause', clause=spec.clause)} {title}"
        st.markdown(f"**{item.ref}**{where}  \n{text(item.question)}")
        notes = [text(item.guidance)] if item.guidance else []
        if item.legal_basis:
            notes.append(t("audit.legal", basis=item.legal_basis))
        if notes:
            st.caption(" · ".join(notes))
        st.segmented_control(t("audit.result"), list(Result), format_func=result_label, key=_key(view.id, "r", item.ref),
                             on_change=on_item_change, args=(view.id, item.ref), disabled=locked,
                             label_visibility="collapsed")
        value = ss.aud_input.get(item.ref, EMPTY)
        marker = " ✎" if value[1] or value[2] else ""
        with st.expander(t("audit.note_evidence") + marker, expanded=bool(value[0] in (Result.MINOR, Result.MAJOR,
                                                                                          Result.OBSERVATION) and not value[1])):
            st.text_area(t("audit.note"), key=_key(view.id, "n", item.ref), on_change=on_item_change,
                         args=(view.id, item.ref), disabled=locked, height=68)
            st.text_input(t("audit.evidence"), key=_key(view.id, "e", item.ref), on_change=on_item_change,
                          args=(view.id, item.ref), disabled=locked, placeholder=text(item.evidence))


def conflict_panel(view: AuditView) -> None:
    """The refused items with both versions, and the two ways out."""
    items = ss.get("aud_conflict")
    if not items:
        return
    with st.container(border=True):
        st.markdown(f"**{t('audit.conflict_title')}**")
        for c in items:
            at = formatting.moment(c.theirs.answered_at)
            st.markdown("- " + t("audit.conflict_row", ref=c.item_ref, mine=result_label(c.mine.result),
                                 by=plain(c.theirs.answered_by), at=at, theirs=result_label(c.theirs.result)))
        left, right = st.columns(2)
        left.button(t("audit.apply_mine"), key="aud_apply_mine", on_click=reapply_mine, type="primary")
        right.button(t("audit.take_theirs"), key="aud_take_theirs", on_click=drop_mine)


# -- tables and charts ------------------------------------------------------------------------

def audit_rows(rows: Sequence[AuditSummary], *, with_unit: bool = True) -> list[dict]:
    out = []
    for a in rows:
        row = {t("audit.col_id"): a.id}
        if with_unit:
            row[t("audit.col_unit")] = a.unit_name
        row.update({
            t("audit.col_date"): fmt(a.audit_date), t("audit.col_kind"): t(f"audit.kind.{a.kind.value}"),
            t("audit.col_status"): t(f"audit.status.{a.status.value}"),
            t("audit.col_progress"): f"{a.answered}/{a.item_count}", t("audit.col_score"): a.score_pct,
            t("audit.col_major"): a.major, t("audit.col_minor"): a.minor, t("audit.col_observation"): a.observation,
            t("audit.col_auditor"): a.auditor, t("audit.col_template"): f"{a.template_id} v{a.template_version}",
        })
        out.append(row)
    return out


def finding_rows(rows: Sequence[Finding], *, with_unit: bool = True) -> list[dict]:
    out = []
    for f in rows:
        row = {t("audit.col_finding"): f.id, t("audit.col_id"): f.audit_id, t("audit.col_date"): fmt(f.found_on)}
        if with_unit:
            row[t("audit.col_unit")] = f.unit_name
        row.update({
            t("audit.col_item"): f.item_ref,
            t("audit.col_clause"): f"{f.clause} ({f.standard})" if f.clause else "",
            t("audit.col_grade"): t(f"audit.grade.{f.grade.value}"), t("audit.col_note"): f.note,
        })
        out.append(row)
    return out


def audit_table(rows: Sequence[AuditSummary], *, key: str, with_unit: bool = True) -> None:
    show_table(audit_rows(rows, with_unit=with_unit), key=key, plain=[t("audit.col_id")],
               widths={t("audit.col_unit"): 130, t("audit.col_kind"): 110, t("audit.col_auditor"): 110,
                       t("audit.col_template"): 110})


def finding_table(rows: Sequence[Finding], *, key: str, with_unit: bool = True) -> None:
    show_table(finding_rows(rows, with_unit=with_unit), key=key, plain=[t("audit.col_finding"), t("audit.col_id")],
               widths={t("audit.col_unit"): 150, t("audit.col_note"): TEXT_WIDTH})


def unit_audit_history(audits: Sequence[AuditSummary], findings: Sequence[Finding]) -> None:
    """For the unit page: the unit's audits with their scores, then its findings."""
    st.subheader(t("audit.unit_history"))
    if not audits:
        st.info(t("audit.unit_none"))
        return
    audit_table(audits, key="unit_audits_table", with_unit=False)
    if findings:
        st.markdown(f"**{t('audit.unit_findings')}**")
        finding_table(findings, key="unit_findings_table", with_unit=False)


def heatmap_chart(cells: Sequence[HeatCell]) -> alt.Chart:
    """Clause (columns, grouped by standard) by area (rows), coloured by the number of findings."""
    area, clause, count = t("audit.col_area"), t("audit.col_clause"), t("audit.col_count")
    major, minor, obs = t("audit.col_major"), t("audit.col_minor"), t("audit.col_observation")

    def clause_label(c: HeatCell) -> str:
        return f"{c.clause} ({c.standard})" if c.clause else t("audit.other_clause")

    def order(c: HeatCell) -> tuple:
        return (c.clause is None, c.standard or "", [int(p) for p in (c.clause or "0").split(".")])

    columns = [clause_label(c) for c in sorted(cells, key=order)]
    data = pd.DataFrame([{
        area: t("audit.departments_row") if c.row_code == DEPARTMENTS_ROW else (c.row_name or c.row_code),
        clause: clause_label(c), count: c.findings, major: c.major, minor: c.minor, obs: c.observation,
    } for c in cells], columns=[area, clause, count, major, minor, obs])
    return alt.Chart(data).mark_rect().encode(
        x=alt.X(f"{clause}:N", sort=list(dict.fromkeys(columns)), title=clause,
                axis=alt.Axis(labelAngle=-40, labelOverlap=False)),
        y=alt.Y(f"{area}:N", title=None, sort=list(dict.fromkeys(data[area])),  # the store's order: departments last
                axis=alt.Axis(labelLimit=220, labelOverlap=False)),
        color=alt.Color(f"{count}:Q", scale=alt.Scale(scheme="orangered"), title=count),
        tooltip=[area, clause, count, major, minor, obs],
    ).properties(height=max(160, 34 * data[area].nunique())).configure(locale=formatting.vega_locale(lang()))


def findings_heatmap(cells: Sequence[HeatCell]) -> None:
    """For the overview page: the heatmap under its heading, or one line when there is nothing."""
    st.subheader(t("audit.heatmap"))
    if not cells:
        st.info(t("audit.heatmap_none"))
        return
    st.altair_chart(heatmap_chart(cells), key="findings_heatmap_chart")


@st.cache_resource(show_spinner=False, max_entries=4)
def _templates(directory: str, stamp: tuple) -> LoadedTemplates:
    return load_templates(Path(directory))


def templates() -> LoadedTemplates:
    """The checklist folder, parsed once per change of its files (names, sizes, times)."""
    folder = settings().checklists_dir
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir())) if folder.is_dir() else ()
    return _templates(str(folder), stamp)


def template_label(entry: TemplateEntry) -> str:
    return f"{text(entry.template.title)} (v{entry.template.version})"


def draft_score(view: AuditView):
    """The score of what is on screen (saved or not): the page shows it live."""
    return score(view.specs, answers_on_screen())
