"""The scope part of the Lai Châu demo: catalogues, processes and legal changes, generated.

Pure: the template catalogue (``data/demo/lai_chau_tthc.csv``), the settings
(``data/demo/scope.yaml``), the units and their lifecycle dates in; catalogue entries, process
versions and legal changes out.  Seeded, so the same every run.  Every process version is checked
by :func:`qms.scope.rules.check_process_version` as it is added, so the demo never holds a history the
app would refuse.  What it shows: processes issued while a unit builds its QMS, re-issued when it
moves to TCVN ISO 9001:2015, a few withdrawn (most replaced), units that left some TTHC without a
process, and legal changes most units take in on time, some late and a few never.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from qms.scope import rules
from qms.scope.model import CatalogueEntry, ChangeEffect, LegalChangeInput, LegalChangeItem, ProcessStatus, ProcessVersionInput


@dataclass(frozen=True)
class TemplateRow:
    holder: str          # a unit code, or "district" / "commune" for every unit of that level
    code: str
    name: str
    field: str
    level: str
    group: str           # processes cover a group together; "" for one process per TTHC
    share: float


@dataclass(frozen=True)
class ChangeSpec:
    change: LegalChangeInput
    comply: float
    late: float


@dataclass(frozen=True)
class ScopeDemoSettings:
    seed: int
    catalogue_from: dt.date
    gap_share: float
    withdrawn_share: float
    replaced_share: float
    legal_basis: dict[str, str]
    changes: tuple[dict, ...]

    @classmethod
    def from_mapping(cls, raw: dict) -> ScopeDemoSettings:
        return cls(seed=int(raw["seed"]), catalogue_from=_date(raw["catalogue_from"]), gap_share=float(raw["gap_share"]),
                   withdrawn_share=float(raw["withdrawn_share"]), replaced_share=float(raw["replaced_share"]),
                   legal_basis={str(k): str(v) for k, v in raw["legal_basis"].items()},
                   changes=tuple(raw.get("legal_changes") or ()))


@dataclass(frozen=True)
class DemoUnit:
    code: str
    level: str
    valid_to: dt.date | None
    build_started: dt.date | None
    applied: dt.date | None
    announced: bool
    standard_changed: dt.date | None

    def exists_on(self, day: dt.date) -> bool:
        return self.valid_to is None or day < self.valid_to


@dataclass
class DemoScope:
    tthc: list[CatalogueEntry] = field(default_factory=list)
    entries: list[CatalogueEntry] = field(default_factory=list)
    changes: list[LegalChangeInput] = field(default_factory=list)
    versions: list[tuple[ProcessVersionInput, int]] = field(default_factory=list)


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def read_template(text: str) -> list[TemplateRow]:
    return [TemplateRow(r["holder"], r["code"], r["name"], r["field"], r["level"], r["group"], float(r["share"] or 1))
            for r in csv.DictReader(io.StringIO(text))]


class _Processes:
    """Every process version of the demo, each checked against its process's history."""

    def __init__(self, today: dt.date):
        self.today = today
        self.by_key: dict[tuple[str, str], list[ProcessVersionInput]] = {}
        self.count: dict[str, int] = {}

    def new_code(self, unit: str) -> str:
        self.count[unit] = self.count.get(unit, 0) + 1
        return f"QT-{self.count[unit]:02d}"

    def add(self, v: ProcessVersionInput) -> None:
        history = self.by_key.setdefault((v.unit_code, v.code), [])
        rules.check_process_version(history, v, today=self.today)
        history.append(v)

    def issue(self, unit: str, code: str, title: str, codes, day: dt.date, basis: str | None) -> None:
        n = sum(1 for v in self.by_key.get((unit, code), []) if v.status is ProcessStatus.ISSUED) + 1
        self.add(ProcessVersionInput(unit_code=unit, code=code, title=title, tthc_codes=tuple(codes), status=ProcessStatus.ISSUED,
                                     issue_no=f"{n:02d}", issued_on=day, legal_basis=basis))

    def withdraw(self, unit: str, code: str, day: dt.date) -> None:
        last = self.last_issue(unit, code, day)
        self.add(last.model_copy(update={"status": ProcessStatus.WITHDRAWN, "status_on": day}))

    def last_issue(self, unit: str, code: str, day: dt.date) -> ProcessVersionInput:
        issued = [v for v in self.by_key[(unit, code)] if v.status is ProcessStatus.ISSUED and v.status_on <= day]
        return max(issued, key=lambda v: v.status_on)

    def in_force_covering(self, unit: str, codes: set[str], day: dt.date) -> list[ProcessVersionInput]:
        """The unit's processes whose version in force on ``day`` is issued and covers one of ``codes``."""
        out = []
        for (u, _), history in self.by_key.items():
            if u != unit or rules.in_force(history, day) is not ProcessStatus.ISSUED:
                continue
            current = max((v for v in history if v.status is not ProcessStatus.DRAFT and v.status_on <= day), key=lambda v: v.status_on)
            if codes & set(current.tthc_codes):
                out.append(current)
        return out

    def issued_since(self, unit: str, code: str, day: dt.date) -> bool:
        return any(v.status is ProcessStatus.ISSUED and v.status_on >= day for v in self.by_key[(unit, code)])

    def numbered(self) -> list[tuple[ProcessVersionInput, int]]:
        out = []
        for history in self.by_key.values():
            out += [(v, i) for i, v in enumerate(sorted(history, key=lambda v: v.status_on), start=1)]
        return out


def _title(group: str, rows: Sequence[TemplateRow]) -> str:
    text = group or rows[0].name
    return f"Quy trình {text[:1].lower()}{text[1:]}" if not text[:2].isupper() else f"Quy trình {text}"


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start if end <= start else start + dt.timedelta(days=rng.randint(0, (end - start).days))


def generate(settings: ScopeDemoSettings, template: Sequence[TemplateRow], units: Sequence[DemoUnit], *,
             until: dt.date, today: dt.date) -> DemoScope:
    """The demo's catalogues, process versions and legal changes (see the module docstring)."""
    rng = random.Random(settings.seed)
    out = DemoScope()
    seen: set[str] = set()
    procs = _Processes(today)
    held: dict[str, list[TemplateRow]] = {}
    for unit in units:
        rows = [r for r in template if r.holder in (unit.code, unit.level) and (r.share >= 1 or rng.random() < r.share)]
        held[unit.code] = rows
        for r in rows:
            if r.code not in seen:
                seen.add(r.code)
                out.tthc.append(CatalogueEntry(unit_code=unit.code, code=r.code, name=r.name, field=r.field, level=r.level))
            out.entries.append(CatalogueEntry(unit_code=unit.code, code=r.code, name=r.name, field=r.field, level=r.level,
                                              valid_from=settings.catalogue_from, valid_to=unit.valid_to))
        _unit_processes(settings, rng, procs, unit, rows, until)
    by_code = {u.code: u for u in units}
    for raw in sorted(settings.changes, key=lambda c: _date(c["effective_on"])):
        spec = _change(raw, units, held)
        out.changes.append(spec.change)
        _apply_change(settings, rng, procs, spec, by_code, held, until)
    out.versions = procs.numbered()
    return out


def _basis(settings: ScopeDemoSettings, rows: Sequence[TemplateRow]) -> str:
    return settings.legal_basis.get(rows[0].field, settings.legal_basis.get("default"))


def _unit_processes(settings, rng, procs: _Processes, unit: DemoUnit, rows: list[TemplateRow], until: dt.date) -> None:
    if unit.build_started is None or not rows:
        return
    groups: dict[str, list[TemplateRow]] = {}
    for r in rows:
        groups.setdefault(r.group or r.code, []).append(r)
    keys = list(groups)
    if unit.announced and len(keys) > 3 and rng.random() < settings.gap_share:
        for k in rng.sample(keys, rng.randint(1, 2)):
            keys.remove(k)
    end = min(until, (unit.valid_to - dt.timedelta(days=1)) if unit.valid_to else until)
    if unit.applied is None:
        for k in keys:
            if rng.random() < 0.5:
                procs.add(ProcessVersionInput(unit_code=unit.code, code=procs.new_code(unit.code), title=_title(k if groups[k][0].group else "", groups[k]),
                                              tthc_codes=[r.code for r in groups[k]], status=ProcessStatus.DRAFT,
                                              status_on=_day(rng, unit.build_started + dt.timedelta(days=30), end)))
        return
    codes = []
    for k in keys:
        code = procs.new_code(unit.code)
        codes.append((code, k))
        first = _day(rng, unit.build_started + dt.timedelta(days=20), unit.applied - dt.timedelta(days=1))
        procs.issue(unit.code, code, _title(k if groups[k][0].group else "", groups[k]), [r.code for r in groups[k]], first, _basis(settings, groups[k]))
        if unit.standard_changed and unit.standard_changed > first + dt.timedelta(days=30):
            procs.issue(unit.code, code, _title(k if groups[k][0].group else "", groups[k]), [r.code for r in groups[k]],
                        unit.standard_changed - dt.timedelta(days=rng.randint(0, 25)), _basis(settings, groups[k]))
    for code, k in codes:
        if rng.random() >= settings.withdrawn_share:
            continue
        last = max(v.status_on for v in procs.by_key[(unit.code, code)])
        day = _day(rng, last + dt.timedelta(days=60), end - dt.timedelta(days=30))
        if day <= last or day > end:
            continue
        procs.withdraw(unit.code, code, day)
        if rng.random() < settings.replaced_share:
            title = "Quy trình hợp nhất " + _title(k if groups[k][0].group else "", groups[k]).removeprefix("Quy trình ")
            procs.issue(unit.code, procs.new_code(unit.code), title, [r.code for r in groups[k]], day, _basis(settings, groups[k]))
    if unit.valid_to:
        for (u, code), history in list(procs.by_key.items()):
            if u == unit.code and rules.in_force(history, unit.valid_to) is ProcessStatus.ISSUED:
                procs.withdraw(unit.code, code, unit.valid_to)


def _change(raw: dict, units: Sequence[DemoUnit], held: dict[str, list[TemplateRow]]) -> ChangeSpec:
    eff = _date(raw["effective_on"])
    items = []
    for it in raw["items"]:
        wanted = it.get("units")
        if isinstance(wanted, str):
            codes = [u.code for u in units if u.level == wanted and u.exists_on(eff)]
        else:
            codes = list(wanted or ())
        items.append(LegalChangeItem(tthc_code=it["tthc"], effect=it["effect"], unit_codes=tuple(codes),
                                     tthc_name=it.get("name"), field=it.get("field"), level=it.get("level")))
    change = LegalChangeInput(document_no=raw["document_no"], title=raw.get("title"), signed_on=_date(raw["signed_on"]),
                              effective_on=eff, items=tuple(items))
    return ChangeSpec(change, float(raw["comply"]), float(raw["late"]))


def _when(rng: random.Random, spec: ChangeSpec, until: dt.date) -> dt.date | None:
    eff = spec.change.effective_on
    due = rules.update_due(eff)
    roll = rng.random()
    if roll < spec.comply:
        day = eff + dt.timedelta(days=rng.randint(10, (due - eff).days))
    elif roll < spec.comply + spec.late:
        day = due + dt.timedelta(days=rng.randint(5, 120))
    else:
        return None
    return day if day <= until else None


def _apply_change(settings, rng, procs: _Processes, spec: ChangeSpec, units: dict[str, DemoUnit],
                  held: dict[str, list[TemplateRow]], until: dt.date) -> None:
    eff = spec.change.effective_on
    for item in spec.change.items:
        if item.effect is ChangeEffect.ADDED:
            for code in item.unit_codes:
                unit = units[code]
                if unit.applied is None or not unit.exists_on(eff):
                    continue
                day = _when(rng, spec, min(until, unit.valid_to - dt.timedelta(days=1)) if unit.valid_to else until)
                if day is not None:
                    procs.issue(code, procs.new_code(code), f"Quy trình {item.tthc_name[:1].lower()}{item.tthc_name[1:]}", [item.tthc_code],
                                day, settings.legal_basis.get(item.field or "", settings.legal_basis.get("default")))
    affected: dict[str, set[str]] = {}
    for item in spec.change.items:
        if item.effect is ChangeEffect.ADDED:
            continue
        targets = item.unit_codes or [u for u, rows in held.items() if any(r.code == item.tthc_code for r in rows)]
        for u in targets:
            affected.setdefault(u, set()).add(item.tthc_code)
    removed = {i.tthc_code for i in spec.change.items if i.effect is ChangeEffect.REMOVED}
    for unit_code, codes in sorted(affected.items()):
        unit = units[unit_code]
        obliged = [v for v in procs.in_force_covering(unit_code, codes, eff) if not procs.issued_since(unit_code, v.code, eff)]
        if not obliged or not unit.exists_on(eff):
            continue
        day = _when(rng, spec, min(until, unit.valid_to - dt.timedelta(days=1)) if unit.valid_to else until)
        if day is None:
            continue
        for v in obliged:
            if rules.in_force(procs.by_key[(unit_code, v.code)], day) is not ProcessStatus.ISSUED:
                continue
            left = [c for c in v.tthc_codes if c not in removed]
            if left:
                procs.issue(unit_code, v.code, v.title, left, day, v.legal_basis)
            else:
                procs.withdraw(unit_code, v.code, day)
