"""Demo audits of the Lai Châu province, 2015-2021: seeded, linked to the lifecycle, fast to load.

- Internal audits: for a sample of the demo's recorded 'internal audit held' events (most
  departments and districts, a third of the communes), an audit dated that day and linked to
  that event (``event_id``): the lifecycle is never written twice.  Template by the unit's
  standard on the day (ISO 9001:2008 checklist, or 2015 after the unit moved).
- Inspections by the Chi cục TĐC under Circular 26, 2016-2021: every year some announced units
  on their records and about a third as many on site.
- Self-assessments by a few districts (2020-2021).
- Drafts: the communes that were applying their QMS in 2015 without an internal audit that year
  each have a 2015 internal audit in progress (the walk-through in the README), plus a few 2021
  drafts of units whose 2021 audit is not recorded yet.
- Answers are mostly conforming, with observations, minor and a few major nonconformities;
  quality differs by unit and improves over the years.  Audits up to 2019 are closed, later
  ones submitted.  Scores and findings come from the same rules as a real submit.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

import pyarrow as pa
import yaml
from pydantic import ValidationError as PydanticValidationError

from qms.accounts.rules import Principal
from qms.audits.checklists import ChecklistTemplate, TemplateEntry, content_hash
from qms.audits.findings_store import registered
from qms.audits.rules import AnswerInput, AuditKind, ItemSpec, Result, audit_standard, findings_from, item_specs, score, standard_on
from qms.audits.store import pin_template_in
from qms.changelog import store as changelog
from qms.kernel.clock import utc_from_local
from qms.kernel.errors import QmsError
from qms.kernel.settings import PROJECT_ROOT
from qms.units.model import EventType, NewEvent
from qms.units.rules import STAGE_ORDER, stage_on

ORDER = 10
TABLES = ("findings", "audit_answers", "audits", "checklist_snapshots")

_FAMILY = ["Nguyễn", "Trần", "Lò", "Lường", "Tòng", "Vàng", "Lê", "Phạm", "Hoàng", "Đỗ", "Giàng", "Tao", "Lù", "Vũ"]
_MIDDLE = ["Văn", "Thị", "Đức", "Thanh", "Minh", "Hồng", "Quang", "Thu"]
_GIVEN = ["Hùng", "Lan", "Dũng", "Hương", "Thắng", "Mai", "Sơn", "Hà", "Tuấn", "Ngọc", "Bình", "Phương", "Chiến", "Hoa"]
_NOTES = {
    Result.MAJOR: ["Không có bằng chứng thực hiện yêu cầu này trong năm đánh giá.",
                   "Quy trình đã ban hành nhưng không được áp dụng tại bộ phận một cửa.",
                   "Nhiều hồ sơ giải quyết quá hạn, không có văn bản xin lỗi hay xử lý."],
    Result.MINOR: ["Một số hồ sơ kiểm tra ngẫu nhiên thiếu phiếu kiểm soát quá trình.",
                   "Tài liệu đang dùng chưa phải phiên bản mới nhất.",
                   "Hồ sơ có nhưng chưa được lưu trữ theo danh mục quy định.",
                   "Mục tiêu chất lượng chưa được theo dõi định kỳ theo kế hoạch."],
    Result.OBSERVATION: ["Nên cập nhật lại danh mục hồ sơ theo TTHC mới công bố.",
                         "Nên tổ chức đào tạo lại cho cán bộ mới tiếp nhận nhiệm vụ.",
                         "Nên phân tích số liệu hài lòng của người dân theo quý."],
}
_NOT_APPLICABLE = {"2008": ("7.3", "7.6"), "2015": ("8.3", "7.1.5")}
_INSPECTOR_TEAM = "Đoàn kiểm tra Chi cục TĐC"


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"


def _answer(rng: random.Random, spec: ItemSpec, quality: float) -> AnswerInput:
    """A plausible answer (built without re-validation: every value here is already valid)."""
    make = AnswerInput.model_construct
    if spec.clause and spec.clause.startswith(_NOT_APPLICABLE.get(spec.standard or "", ())) and rng.random() < 0.8:
        return make(item_ref=spec.ref, result=Result.NOT_APPLICABLE, note=None, evidence=None)
    if rng.random() < quality:
        return make(item_ref=spec.ref, result=Result.CONFORM, note=None, evidence=None)
    roll = rng.random()
    result = Result.OBSERVATION if roll < 0.45 else Result.MINOR if roll < 0.9 else Result.MAJOR
    return make(item_ref=spec.ref, result=result, note=rng.choice(_NOTES[result]),
                evidence="Kiểm tra ngẫu nhiên hồ sơ tại bộ phận một cửa" if rng.random() < 0.5 else None)


def _shipped_templates() -> dict[str, TemplateEntry]:
    """The shipped checklists, latest version of each id.

    Parsed with libyaml when present (ten times faster than the pure-Python loader that
    :func:`qms.audits.checklists.load_template` uses) and validated by the same model, so the entries
    are those the app pins; a broken file stops the demo with its name.
    """
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    found: dict[str, TemplateEntry] = {}
    for path in sorted((PROJECT_ROOT / "checklists").glob("*.yaml")):
        data = path.read_bytes()
        try:
            template = ChecklistTemplate.model_validate(yaml.load(data.decode("utf-8-sig"), Loader=loader))
        except (yaml.YAMLError, PydanticValidationError) as e:
            raise QmsError(f"The demo needs the shipped checklists, but {path.name} is broken (qms checklists validate): {e}") from e
        if template.id not in found or found[template.id].template.version < template.version:
            found[template.id] = TemplateEntry(template, content_hash(data), path)
    return found


class _Plan:
    """Audits to write, with their answers, built in memory then inserted in a few statements."""

    def __init__(self, rng: random.Random, templates: dict[str, TemplateEntry]):
        self.rng, self.templates = rng, templates
        self.audits: list[dict] = []

    def add(self, *, unit: str, kind: AuditKind, template: str, day: dt.date, auditor: str, history: list[NewEvent],
            quality: float, answered: float = 1.0, event_id: int | None = None, status: str | None = None) -> None:
        entry = self.templates[template]
        standard = audit_standard(entry.template, standard_on(history, day), day)
        specs = item_specs(entry.template, standard)
        count = round(len(specs) * answered)
        answers = {s.ref: _answer(self.rng, s, quality) for s in specs[:count]}
        complete = count == len(specs)
        if status is None:
            status = "closed" if day.year <= 2019 else "submitted"
        self.audits.append(dict(unit=unit, kind=kind, entry=entry, standard=standard, day=day, auditor=auditor,
                                specs=specs, answers=answers, event_id=event_id if complete else None,
                                status=status if complete else "draft"))


def _template_for(history: list[NewEvent], day: dt.date) -> str:
    return "internal-audit-iso9001-2015" if standard_on(history, day) == "2015" else "internal-audit-iso9001-2008"


def _plan(cur, rng: random.Random, templates: dict[str, TemplateEntry]) -> _Plan:
    units = {r[0]: (r[1], r[2], r[3]) for r in cur.execute(
        "SELECT code, level, valid_from, valid_to FROM units WHERE level IN ('department', 'district', 'commune')").fetchall()}
    history: dict[str, list[NewEvent]] = defaultdict(list)
    audit_events: list[tuple[int, str, dt.date]] = []
    for eid, code, kind, day, std in cur.execute(
            "SELECT id, unit_code, event_type, event_date, standard FROM qms_events ORDER BY event_date, id").fetchall():
        history[code].append(NewEvent(unit_code=code, event_type=kind, event_date=day, standard=std))
        if kind == EventType.INTERNAL_AUDIT.value and 2015 <= day.year <= 2021 and code in units:
            audit_events.append((eid, code, day))
    quality = {code: rng.uniform(0.72, 0.93) for code in sorted(units)}

    def q(code: str, day: dt.date) -> float:
        return min(0.98, quality[code] + 0.012 * (day.year - 2015))

    plan = _Plan(rng, templates)
    share = {"department": 0.6, "district": 0.6, "commune": 0.3}
    for eid, code, day in audit_events:
        if rng.random() < share[units[code][0]]:
            plan.add(unit=code, kind=AuditKind.INTERNAL_AUDIT, template=_template_for(history[code], day), day=day,
                     auditor=_name(rng), history=history[code], quality=q(code, day), event_id=eid)

    def applying(code: str, day: dt.date) -> bool:
        vf, vt = units[code][1], units[code][2]
        exists = (vf is None or vf <= day) and (vt is None or day < vt)
        return exists and STAGE_ORDER[stage_on(history[code], day)[0]] >= 2

    def audited(code: str, year: int) -> bool:
        return any(e.event_type is EventType.INTERNAL_AUDIT and e.event_date.year == year for e in history[code])

    # 2015: communes applying without an internal audit that year get one in progress.
    for code in sorted(c for c, u in units.items() if u[0] == "commune"):
        applied = next((e.event_date for e in history[code] if e.event_type is EventType.APPLIED), None)
        if applied and applied.year == 2015 and applied <= dt.date(2015, 12, 1) and not audited(code, 2015):
            day = min(dt.date(2015, 12, 28), applied + dt.timedelta(days=rng.randint(10, 25)))
            plan.add(unit=code, kind=AuditKind.INTERNAL_AUDIT, template="internal-audit-iso9001-2008", day=day,
                     auditor=_name(rng), history=history[code], quality=q(code, day), answered=rng.choice([0.0, 0.3, 0.5]))
    # 2021 drafts: units applying their QMS whose 2021 internal audit is not recorded yet.
    late = [c for c in sorted(units) if applying(c, dt.date(2021, 11, 15)) and not audited(c, 2021)]
    for code in rng.sample(late, min(4, len(late))):
        day = dt.date(2021, 11, rng.randint(15, 30))
        plan.add(unit=code, kind=AuditKind.INTERNAL_AUDIT, template=_template_for(history[code], day), day=day,
                 auditor=_name(rng), history=history[code], quality=q(code, day), answered=rng.choice([0.2, 0.6, 0.9]))
    # Circular 26 inspections by the Chi cục TĐC, on records and on site.
    for year in range(2016, 2022):
        day0 = dt.date(year, 9, 1)
        candidates = [c for c in sorted(units) if units[c][0] != "commune" and applying(c, day0)]
        communes = [c for c in sorted(units) if units[c][0] == "commune" and applying(c, day0)]
        candidates += rng.sample(communes, min(4, len(communes)))
        chosen = rng.sample(candidates, min(9, len(candidates)))
        for i, code in enumerate(chosen):
            day = dt.date(year, rng.randint(8, 11), rng.randint(1, 28))
            kind = AuditKind.INSPECTION_SITE if i % 3 == 0 else AuditKind.INSPECTION_RECORDS
            plan.add(unit=code, kind=kind, template="inspection-circular26", day=day,
                     auditor=f"{_INSPECTOR_TEAM} (trưởng đoàn: {_name(rng)})", history=history[code], quality=q(code, day))
    # Self-assessments of a few district committees.
    districts = [c for c in sorted(units) if units[c][0] == "district"]
    for code in rng.sample(districts, min(3, len(districts))):
        day = dt.date(rng.choice([2020, 2021]), rng.randint(2, 5), rng.randint(1, 28))
        plan.add(unit=code, kind=AuditKind.SELF_ASSESSMENT, template=_template_for(history[code], day), day=day,
                 auditor=f"Tổ ISO {_name(rng)}", history=history[code], quality=q(code, day))
    return plan


_AUDIT_SCHEMA = pa.schema([
    ("id", pa.int64()), ("unit_code", pa.string()), ("template_id", pa.string()), ("template_version", pa.int32()),
    ("template_hash", pa.string()), ("standard", pa.string()), ("item_count", pa.int32()), ("answered", pa.int32()),
    ("kind", pa.string()), ("auditor", pa.string()), ("audit_date", pa.date32()), ("status", pa.string()),
    ("row_version", pa.int32()), ("score_pct", pa.float64()), ("event_id", pa.int64()), ("submitted_at", pa.timestamp("us")),
    ("closed_at", pa.timestamp("us")),
])


_ANSWER_SCHEMA = pa.schema([
    ("audit_id", pa.int64()), ("item_ref", pa.string()), ("unit_code", pa.string()), ("section_ref", pa.string()),
    ("standard", pa.string()), ("clause", pa.string()), ("weight", pa.float64()), ("result", pa.string()),
    ("note", pa.string()), ("evidence", pa.string()), ("answered_at", pa.timestamp("us")), ("answered_by", pa.string()),
])
_FINDING_SCHEMA = pa.schema([
    ("audit_id", pa.int64()), ("audit_kind", pa.string()), ("unit_code", pa.string()), ("item_ref", pa.string()),
    ("section_ref", pa.string()), ("standard", pa.string()), ("clause", pa.string()), ("grade", pa.string()),
    ("note", pa.string()), ("evidence", pa.string()), ("found_on", pa.date32()),
])


def load(cur, *, demo_dir, settings, actor: Principal) -> dict[str, int]:
    templates = _shipped_templates()
    rng = random.Random(settings.seed + 9001)
    plan = _plan(cur, rng, templates)
    for entry in templates.values():
        pin_template_in(cur, entry)
    n = len(plan.audits)
    ids = [r[0] for r in cur.execute("SELECT nextval('audit_id') FROM range(?)", [n]).fetchall()]
    audit_rows, finding_rows = [], []
    answers: dict[str, list] = {k: [] for k in _ANSWER_SCHEMA.names}
    for audit_id, a in zip(ids, plan.audits):
        result = score(a["specs"], a["answers"])
        done = a["status"] != "draft"
        at = utc_from_local(a["day"], dt.time(16, 30))
        audit_rows.append(dict(
            id=audit_id, unit_code=a["unit"], template_id=a["entry"].template.id, template_version=a["entry"].template.version,
            template_hash=a["entry"].hash, standard=a["standard"], item_count=len(a["specs"]), answered=result.answered,
            kind=a["kind"].value, auditor=a["auditor"], audit_date=a["day"], status=a["status"],
            row_version=3 if done else 2 if a["answers"] else 1, score_pct=result.pct if done else None,
            event_id=a["event_id"], submitted_at=at if done else None,
            closed_at=at + dt.timedelta(days=75) if a["status"] == "closed" else None))
        answered_at = utc_from_local(a["day"], dt.time(9))
        for spec in a["specs"]:
            answer = a["answers"].get(spec.ref)
            if answer is None:
                continue
            for key, value in (("audit_id", audit_id), ("item_ref", spec.ref), ("unit_code", a["unit"]),
                               ("section_ref", spec.section_ref), ("standard", spec.standard), ("clause", spec.clause),
                               ("weight", spec.weight), ("result", answer.result.value), ("note", answer.note),
                               ("evidence", answer.evidence), ("answered_at", answered_at), ("answered_by", a["auditor"])):
                answers[key].append(value)
        if done:
            for f in findings_from(a["specs"], a["answers"]):
                finding_rows.append(dict(audit_id=audit_id, audit_kind=a["kind"].value, unit_code=a["unit"], item_ref=f.item_ref,
                                         section_ref=f.section_ref, standard=f.standard, clause=f.clause, grade=f.grade.value,
                                         note=f.note, evidence=f.evidence, found_on=a["day"]))
    with registered(cur, "demo_audits", pa.Table.from_pylist(audit_rows, schema=_AUDIT_SCHEMA)):
        cur.execute(f"INSERT INTO audits ({', '.join(_AUDIT_SCHEMA.names)}, created_by)"
                    f" SELECT {', '.join(_AUDIT_SCHEMA.names)}, ? FROM demo_audits", [actor.username])
    with registered(cur, "demo_answers", pa.table(answers, schema=_ANSWER_SCHEMA)):
        cur.execute(f"INSERT INTO audit_answers ({', '.join(_ANSWER_SCHEMA.names)}, saved_version)"
                    f" SELECT {', '.join(_ANSWER_SCHEMA.names)}, 2 FROM demo_answers")
    with registered(cur, "demo_findings", pa.Table.from_pylist(finding_rows, schema=_FINDING_SCHEMA)):
        cur.execute(f"INSERT INTO findings ({', '.join(_FINDING_SCHEMA.names)})"
                    f" SELECT {', '.join(_FINDING_SCHEMA.names)} FROM demo_findings ORDER BY audit_id, item_ref")
    counts = {"audits": n, "audit_drafts": sum(1 for a in audit_rows if a["status"] == "draft"),
              "answers": len(answers["audit_id"]), "findings": len(finding_rows)}
    changelog.append(cur, actor=actor, action="import", entity="audits", key="demo", after=counts)
    return counts
