"""Thay đổi địa giới: import an administrative change by its legal act (preview, then confirm)."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from qms.accounts.rules import Operation, allowed
from qms.admin_changes.plan import parse_change_csv
from qms.admin_changes.store import apply_change, carry_over_enabled, list_changes, preview_change, set_carry_over
from qms.kernel.dates import fmt
from qms.kernel.errors import ImportRowError, QmsError, reason_text
from qms.ui.context import DATE_FORMAT, actor, db, lang, link_safe, show_error, t
from qms.ui.uploads import file_input
from qms.units.importer import decode

st.title(t("chg.page"))
flash = st.session_state.pop("chg_flash", None)
if flash:
    st.success(flash)
may_import = allowed(actor(), Operation.IMPORT_UNITS)

done = list_changes(db())
st.subheader(t("chg.history"))
if done:
    st.dataframe([{t("chg.col_act"): r[1], t("chg.col_effective"): fmt(r[2]), t("chg.col_ended"): r[3],
                   t("chg.col_started"): r[4]} for r in done], hide_index=True, key="chg_history")
else:
    st.info(t("chg.none"))

if not may_import:
    st.caption(t("chg.only_admin"))
    st.stop()

carry = st.toggle(t("chg.carry"), value=carry_over_enabled(db()), help=t("chg.carry_help"), key="chg_carry")
if carry != carry_over_enabled(db()):
    try:
        set_carry_over(db(), carry, actor=actor())
    except QmsError as e:
        show_error(e)
    else:
        st.rerun()

st.subheader(t("chg.preview"))
st.caption(t("chg.help"))
uploaded = file_input(t("chg.file"), ["csv"], key="chg_file")
c1, c2 = st.columns(2)
act = c1.text_input(t("chg.act"), key="chg_act")
effective = c2.date_input(t("chg.effective"), value=None, format=DATE_FORMAT, min_value=dt.date(2000, 1, 1), key="chg_effective")
take_over = st.checkbox(t("chg.take_over"), key="chg_take_over", help=t("chg.take_over_help"))
if uploaded is None:
    st.stop()

try:
    rows = parse_change_csv(decode(uploaded.getvalue(), uploaded.name), uploaded.name, act=act or None, effective=effective)
    preview = preview_change(db(), rows, uploaded.name, actor=actor(),
                             successor_of=st.session_state.get("chg_successors", {}), take_over_scope=take_over)
except ImportRowError as e:
    st.error(link_safe(e.text(lang()).split(". ")[0] + "."))
    st.dataframe([{"": where, t("common.error"): reason_text(why, lang())} for where, why in e.problems], hide_index=True, key="chg_errors")
    st.stop()
except QmsError as e:
    show_error(e)
    st.stop()

plan = preview.plan
if preview.already_imported:
    st.info(t("chg.already", act=plan.act, day=fmt(plan.effective)))
    st.stop()
st.markdown(link_safe(t("chg.summary", act=plan.act, day=fmt(plan.effective), ended=len(plan.ended), new=len(plan.new_units),
                        cont=len(plan.continuing), gone=len(plan.ended_without_successor), reused=len(plan.reused_codes))))
names = preview.names

with st.expander(t("chg.coverage"), expanded=True):
    after = {c.level: c for c in preview.coverage_after}
    st.dataframe([{t("col.level"): t(f"level.{c.level.value}"), t("chg.col_before"): f"{c.announced}/{c.in_plan}",
                   t("chg.col_after"): (f"{after[c.level].announced}/{after[c.level].in_plan}" if c.level in after else "")}
                  for c in preview.coverage_before], hide_index=True, key="chg_coverage")
with st.expander(f"{t('chg.new_units')} ({len(plan.new_units)})"):
    st.dataframe([{t("chg.col_code"): u.gso_code, t("chg.col_name"): u.name, t("chg.col_key"): u.key,
                   t("chg.col_from"): ", ".join(f"{k} {names.get(k, '')}" for k in u.predecessors)} for u in plan.new_units],
                 hide_index=True, key="chg_new")
with st.expander(f"{t('chg.ending')} ({len(plan.ended)})"):
    st.dataframe([{t("chg.col_code"): k, t("chg.col_name"): names.get(k, ""),
                   t("chg.col_to"): ", ".join(link.new_key for link in plan.successors(k)),
                   t("chg.col_share"): ", ".join(f"{link.share} {link.weight:.0%}" for link in plan.successors(k))}
                  for k in plan.ended], hide_index=True, key="chg_ending")
if plan.ended_without_successor:
    with st.expander(f"{t('chg.no_successor')} ({len(plan.ended_without_successor)})"):
        st.dataframe([{t("chg.col_code"): k, t("chg.col_name"): names.get(k, "")} for k in plan.ended_without_successor],
                     hide_index=True, key="chg_gone")
if plan.reused_codes:
    with st.expander(f"{t('chg.reused')} ({len(plan.reused_codes)})"):
        st.dataframe([{t("chg.col_code"): u.gso_code, t("chg.col_was"): names.get(u.code_reused_from or "", ""),
                       t("chg.col_now"): u.name} for u in plan.reused_codes], hide_index=True, key="chg_reused")
if plan.name_variants:
    with st.expander(f"{t('chg.variants')} ({len(plan.name_variants)})"):
        st.dataframe([{t("chg.col_line"): line, t("chg.col_code"): key, t("chg.col_in_file"): written,
                       t("chg.col_on_record"): recorded} for line, key, written, recorded in plan.name_variants],
                     hide_index=True, key="chg_variants")
if preview.open_work:
    with st.expander(f"{t('chg.open_work')} ({len(preview.open_work)})"):
        st.dataframe([{t("chg.col_code"): w.key, t("chg.col_name"): w.name, t("chg.col_actions"): w.open_actions,
                       t("chg.col_drafts"): w.draft_audits, t("chg.col_processes"): w.processes, t("chg.col_tthc"): w.tthc}
                      for w in preview.open_work], hide_index=True, key="chg_work")
if preview.moves:
    with st.expander(f"{t('chg.moves')} ({len(preview.moves)})", expanded=True):
        chosen = dict(st.session_state.get("chg_successors", {}))
        for m in preview.moves:
            if len(m.choices) > 1:  # a split unit: the administrator chooses where its actions go
                pick = st.selectbox(f"#{m.action_id} ({m.old_key})", m.choices, index=m.choices.index(m.new_key),
                                    key=f"chg_move_{m.action_id}")
                if pick != m.new_key:
                    chosen[m.old_key] = pick
        if chosen != st.session_state.get("chg_successors", {}):
            st.session_state["chg_successors"] = chosen
            st.rerun()
        st.dataframe([{t("chg.col_action"): f"#{m.action_id}", t("chg.col_code"): m.old_key, t("chg.col_to"): m.new_key}
                      for m in preview.moves], hide_index=True, key="chg_moves")
if preview.cancels:
    with st.expander(f"{t('chg.cancels')} ({len(preview.cancels)})"):
        st.dataframe([{t("chg.col_action"): f"#{a}", t("chg.col_code"): u} for a, u in preview.cancels], hide_index=True,
                     key="chg_cancels")
if preview.accounts_to_reassign:
    with st.expander(f"{t('chg.accounts')} ({len(preview.accounts_to_reassign)})", expanded=True):
        st.dataframe([{t("chg.col_user"): u, t("chg.col_role"): r, t("chg.col_code"): c} for u, r, _, c in preview.accounts_to_reassign],
                     hide_index=True, key="chg_accounts")
if take_over:
    st.caption(t("chg.taken_over", tthc=preview.taken_over[0], processes=preview.taken_over[1]))
if preview.problems:
    st.error(t("chg.problems", detail="; ".join(preview.problems)))
    st.stop()

if st.button(t("chg.confirm"), type="primary", key="chg_confirm"):
    try:
        result = apply_change(db(), rows, uploaded.name, actor=actor(), successor_of=st.session_state.get("chg_successors", {}),
                              take_over_scope=take_over)
    except QmsError as e:
        show_error(e)
    else:
        st.session_state["chg_flash"] = t("chg.done", act=result.plan.act, new=len(result.plan.new_units),
                                          ended=len(result.plan.ended) + len(result.plan.ended_without_successor))
        st.session_state.pop("chg_successors", None)
        st.rerun()
