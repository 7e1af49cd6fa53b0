"""The minutes of a planned inspection and the unit's corrective reports.

:func:`write_minutes` signs the minutes of a submitted inspection: its results per checklist
section (counted from the answers), its findings (the audit's), and its requests, each due two
months after signing (Circular 26 Art. 37); by default one request per major or minor finding.
:func:`record_corrective_report` records the unit's report against one request, once.
:func:`minutes_facts` reads the signed facts back for the .docx.
"""

from __future__ import annotations

import datetime as dt
import json

from qms.accounts.principals_store import authorize_on_unit, current
from qms.accounts.rules import Operation, Principal
from qms.audits.checklists import ChecklistTemplate
from qms.changelog import store as changelog
from qms.inspections import rules
from qms.inspections.minutes import MinutesFacts, MinutesFinding, MinutesRequest, SectionResult
from qms.inspections.rules import MinutesInput, RequestInput
from qms.inspections.store import team_in
from qms.kernel.clock import province_today
from qms.kernel.errors import NotFound, ValidationError
from qms.kernel.text_rules import checked_text
from qms.units.store import NAME_ON_SQL


def write_minutes(db, item_id: int, minutes: MinutesInput, *, actor: Principal, today: dt.date | None = None) -> int:
    """Sign the minutes of a planned inspection whose checklist is submitted; returns their id.
    Refused: no checklist yet or still a draft, minutes already signed, a signing date before the
    inspection or in the future, an actor outside the team (administrators excepted)."""
    today = today or province_today()

    def run(cur) -> int:
        who = current(cur, actor)
        rows = cur.execute("SELECT i.unit_code, i.audit_id, a.status, a.audit_date, a.template_hash FROM inspection_plan_items i"
                           " LEFT JOIN audits a ON a.id = i.audit_id WHERE i.id = ?", [item_id]).fetchall()
        if not rows:
            raise NotFound(f"There is no planned inspection #{item_id}.", vi=f"Không có cuộc kiểm tra #{item_id} trong kế hoạch.")
        unit, audit_id, status, audit_date, template_hash = rows[0]
        authorize_on_unit(cur, actor, Operation.AUDIT_WRITE, unit)
        team_in(cur, actor, item_id)
        if status not in ("submitted", "closed"):
            raise ValidationError(f"The inspection of {unit} has no submitted checklist yet; submit it before the minutes.",
                                  vi=f"Cuộc kiểm tra {unit} chưa nộp phiếu kiểm tra; hãy nộp trước khi lập biên bản.")
        if cur.execute("SELECT 1 FROM inspection_minutes WHERE item_id = ?", [item_id]).fetchall():
            raise ValidationError(f"The minutes of the inspection of {unit} are already signed.",
                                  vi=f"Biên bản kiểm tra {unit} đã được ký.")
        signed = minutes.signed_on
        if signed < audit_date or signed > today:
            raise ValidationError(f"The minutes' date {signed:%d/%m/%Y} must lie between the inspection ({audit_date:%d/%m/%Y})"
                                  f" and today; nothing was saved.",
                                  vi=f"Ngày biên bản {signed:%d/%m/%Y} phải từ ngày kiểm tra ({audit_date:%d/%m/%Y}) đến hôm nay;"
                                     " chưa lưu gì.")
        names = [n for (n,) in cur.execute("SELECT coalesce(u.display_name, m.username) FROM inspection_team_members m"
                                           " LEFT JOIN users u USING (username) WHERE m.item_id = ? ORDER BY m.position",
                                           [item_id]).fetchall()]
        (mid,) = cur.execute("INSERT INTO inspection_minutes (item_id, audit_id, unit_code, signed_on, scope, conclusion, team,"
                             " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                             [item_id, audit_id, unit, signed, minutes.scope, minutes.conclusion, json.dumps(names, ensure_ascii=False),
                              who.username]).fetchall()[0]
        content = cur.execute("SELECT content FROM checklist_snapshots WHERE hash = ?", [template_hash]).fetchall()[0][0]
        titles = {s.ref: s.title.vi for s in ChecklistTemplate.model_validate_json(content).sections}
        for ref, assessed, conform, nonconform in cur.execute(
                "SELECT section_ref, count(*) FILTER (WHERE result <> 'not_applicable'),"
                " count(*) FILTER (WHERE result IN ('conform', 'observation')), count(*) FILTER (WHERE result IN ('minor', 'major'))"
                " FROM audit_answers WHERE audit_id = ? GROUP BY section_ref ORDER BY section_ref", [audit_id]).fetchall():
            cur.execute("INSERT INTO inspection_minutes_sections VALUES (?, ?, ?, ?, ?, ?)",
                        [mid, ref, titles.get(ref, ref), assessed, conform, nonconform])
        requests = list(minutes.requests) or [
            RequestInput(text=note, finding_id=fid) for fid, note in cur.execute(
                "SELECT id, note FROM findings WHERE audit_id = ? AND retracted_at IS NULL AND grade IN ('major', 'minor')"
                " ORDER BY item_ref", [audit_id]).fetchall()]
        due = rules.report_due(signed)
        for n, r in enumerate(requests, start=1):
            cur.execute("INSERT INTO inspection_requests (minutes_id, number, unit_code, finding_id, text, due_on)"
                        " VALUES (?, ?, ?, ?, ?, ?)", [mid, n, unit, r.finding_id, r.text, due])
        changelog.append(cur, actor=who.username, action="sign", entity="inspection_minutes", key=str(mid),
                         after={"item_id": item_id, "audit_id": audit_id, "signed_on": signed, "requests": len(requests),
                                "due_on": due})
        return mid

    return db.write(run)


def record_corrective_report(db, request_id: int, reported_on: dt.date, note: str, *, actor: Principal,
                             today: dt.date | None = None) -> None:
    """Record the unit's corrective report against one request (its ISO officer or an
    administrator), once: a report is a dated fact, never overwritten."""
    today = today or province_today()
    note = checked_text(note or "", field="note")

    def run(cur) -> None:
        rows = cur.execute("SELECT r.unit_code, r.reported_on, m.signed_on FROM inspection_requests r"
                           " JOIN inspection_minutes m ON m.id = r.minutes_id WHERE r.id = ?", [request_id]).fetchall()
        if not rows:
            raise NotFound(f"There is no request #{request_id}.", vi=f"Không có yêu cầu #{request_id}.")
        unit, reported, signed = rows[0]
        who = authorize_on_unit(cur, actor, Operation.ACTION_WRITE, unit)
        if reported is not None:
            raise ValidationError(f"Request #{request_id} already has its report ({reported:%d/%m/%Y}).",
                                  vi=f"Yêu cầu #{request_id} đã có báo cáo khắc phục ({reported:%d/%m/%Y}).")
        if reported_on < signed or reported_on > today:
            raise ValidationError(f"The report's date {reported_on:%d/%m/%Y} must lie between the minutes ({signed:%d/%m/%Y})"
                                  " and today; nothing was saved.",
                                  vi=f"Ngày báo cáo {reported_on:%d/%m/%Y} phải từ ngày biên bản ({signed:%d/%m/%Y}) đến hôm nay;"
                                     " chưa lưu gì.")
        cur.execute("UPDATE inspection_requests SET reported_on = ?, report_note = ?, reported_by = ? WHERE id = ?",
                    [reported_on, note, who.username, request_id])
        changelog.append(cur, actor=who.username, action="report", entity="inspection_requests", key=str(request_id),
                         before={"reported_on": None}, after={"reported_on": reported_on, "note": note})

    db.write(run)


def minutes_facts(db, minutes_id: int) -> MinutesFacts:
    """The signed minutes as their document shows them."""
    rows = db.rows(f"""
        WITH n AS ({NAME_ON_SQL})
        SELECT p.year, m.unit_code, coalesce(n.name, m.unit_code), m.signed_on, a.audit_date, i.mode, m.team, m.scope,
               p.decision_no, m.conclusion, m.audit_id
        FROM inspection_minutes m JOIN inspection_plan_items i ON i.id = m.item_id JOIN inspection_plans p ON p.id = i.plan_id
        JOIN audits a ON a.id = m.audit_id LEFT JOIN n ON n.code = m.unit_code WHERE m.id = $id""",
                   {"id": minutes_id, "as_of": dt.date(2100, 1, 1)})
    if not rows:
        raise NotFound(f"There are no minutes #{minutes_id}.", vi=f"Không có biên bản #{minutes_id}.")
    year, unit, name, signed, inspected, mode, team, scope, decision, conclusion, audit_id = rows[0]
    sections = tuple(SectionResult(*r) for r in db.rows(
        "SELECT section_ref, title, assessed, conform, nonconform FROM inspection_minutes_sections WHERE minutes_id = ?"
        " ORDER BY section_ref", [minutes_id]))
    findings = tuple(MinutesFinding(*r) for r in db.rows(
        "SELECT item_ref, clause, grade, note FROM findings WHERE audit_id = ? AND retracted_at IS NULL ORDER BY item_ref",
        [audit_id]))
    requests = tuple(MinutesRequest(*r) for r in db.rows(
        "SELECT number, text, due_on, reported_on FROM inspection_requests WHERE minutes_id = ? ORDER BY number", [minutes_id]))
    return MinutesFacts(year=year, unit_code=unit, unit_name=name, signed_on=signed, inspected_on=inspected, mode=mode,
                        team=tuple(json.loads(team)), scope=scope, sections=sections, findings=findings, requests=requests,
                        plan_decision=decision, conclusion=conclusion)


def requests_of(db, minutes_id: int) -> list[dict]:
    """The minutes' requests with their due date and report, by number."""
    return db.dicts("SELECT id, number, text, due_on, reported_on, report_note FROM inspection_requests WHERE minutes_id = ?"
                    " ORDER BY number", [minutes_id])
