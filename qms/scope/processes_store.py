"""Process versions (saved one at a time or imported from a file) and legal changes.

Every write is one transaction that reads the history the rule needs, asks
:func:`qms.scope.rules.check_process_version` / :func:`qms.scope.rules.check_legal_change`, writes and logs.
A process is never edited: an issue, a revision, a withdrawal or a draft is a new version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pyarrow as pa

from qms.accounts.principals_store import authorize, authorize_each
from qms.accounts.rules import Operation, Principal
from qms.changelog import store as changelog
from qms.kernel.clock import province_today
from qms.kernel.errors import ImportRowError, NotFound, Reason, ValidationError
from qms.scope import rules
from qms.scope.model import (
    CatalogueEntry,
    ChangeEffect,
    LegalChangeInput,
    ProcessImport,
    ProcessStatus,
    ProcessVersion,
    ProcessVersionInput,
)
from qms.scope.store import insert_catalogue_in, insert_tthc_in, resolve_units

_VERSION_COLUMNS = "id, unit_code, code, version_no, title, status, issue_no, issued_on, status_on, legal_basis, recorded_by, recorded_at"


def _histories(cur, units: list[str]) -> dict[tuple[str, str], list[ProcessVersion]]:
    """Recorded versions of the units' processes, in recording order, with their TTHC."""
    rows = cur.execute(
        f"""SELECT {", ".join("v." + c for c in _VERSION_COLUMNS.split(", "))},
                   (SELECT list(tthc_code ORDER BY tthc_code) FROM process_tthc l WHERE l.version_id = v.id)
            FROM process_versions v WHERE list_contains(?, v.unit_code) ORDER BY v.id""", [units]
    ).fetchall()
    out: dict[tuple[str, str], list[ProcessVersion]] = {}
    for r in rows:
        out.setdefault((r[1], r[2]), []).append(ProcessVersion(
            id=r[0], unit_code=r[1], code=r[2], version_no=r[3], title=r[4], status=r[5], issue_no=r[6], issued_on=r[7],
            status_on=r[8], legal_basis=r[9], recorded_by=r[10], recorded_at=r[11], tthc_codes=tuple(r[12] or ()),
        ))
    return out


def _catalogue_pairs(cur, units: list[str]) -> set[tuple[str, str]]:
    """(unit, TTHC) pairs ever in the units' catalogues (a process may predate or outlive an entry)."""
    return {(u, c) for u, c in cur.execute(
        "SELECT DISTINCT unit_code, tthc_code FROM unit_tthc WHERE list_contains(?, unit_code)", [units]).fetchall()}


def insert_versions_in(cur, versions: Sequence[tuple[ProcessVersionInput, int]], *, actor: Principal, source: str) -> list[int]:
    """Insert ``(version, version_no)`` pairs and their TTHC links inside the caller's transaction
    (checked by the caller); returns the new ids in order."""
    if not versions:
        return []
    ids = [r[0] for r in cur.execute("SELECT nextval('process_version_id') FROM range(?)", [len(versions)]).fetchall()]
    rows = [
        {"id": i, "unit_code": v.unit_code, "code": v.code, "version_no": n, "title": v.title, "status": v.status.value,
         "issue_no": v.issue_no, "issued_on": v.issued_on, "status_on": v.status_on, "legal_basis": v.legal_basis}
        for i, (v, n) in zip(ids, versions)
    ]
    schema = pa.schema([("id", pa.int64()), ("unit_code", pa.string()), ("code", pa.string()), ("version_no", pa.int32()),
                        ("title", pa.string()), ("status", pa.string()), ("issue_no", pa.string()), ("issued_on", pa.date32()),
                        ("status_on", pa.date32()), ("legal_basis", pa.string())])
    links = pa.Table.from_pylist(
        [{"version_id": i, "unit_code": v.unit_code, "process_code": v.code, "tthc_code": c}
         for i, (v, _) in zip(ids, versions) for c in v.tthc_codes],
        schema=pa.schema([("version_id", pa.int64()), ("unit_code", pa.string()), ("process_code", pa.string()), ("tthc_code", pa.string())]),
    )
    cur.register("scope_new_versions", pa.Table.from_pylist(rows, schema=schema))
    cur.register("scope_new_links", links)
    try:
        cur.execute(
            "INSERT INTO process_versions (id, unit_code, code, version_no, title, status, issue_no, issued_on, status_on, legal_basis, source, recorded_by)"
            " SELECT id, unit_code, code, version_no, title, status, issue_no, issued_on, status_on, legal_basis, ?, ? FROM scope_new_versions",
            [source, actor],
        )
        cur.execute("INSERT INTO process_tthc SELECT version_id, unit_code, process_code, tthc_code FROM scope_new_links")
    finally:
        cur.unregister("scope_new_versions")
        cur.unregister("scope_new_links")
    return ids


def _plan_processes(cur, records: Sequence[tuple[str, ProcessVersionInput]], source: str, today: dt.date,
                    prior: Sequence[tuple[str, str]] = (), order: Callable | None = None):
    problems: list[tuple[str, str]] = list(prior)
    resolved, reasons = resolve_units(cur, {v.unit_code for _, v in records})
    units = sorted(set(resolved.values()))
    histories = _histories(cur, units)
    catalogue = _catalogue_pairs(cur, units)
    new: list[tuple[ProcessVersionInput, int]] = []
    unchanged = 0
    touched: set[tuple[str, str]] = set()
    for where, v in records:
        if v.unit_code not in resolved:
            problems.append((where, reasons[v.unit_code]))
            continue
        v = v.model_copy(update={"unit_code": resolved[v.unit_code]})
        unknown = [c for c in v.tthc_codes if (v.unit_code, c) not in catalogue]
        if unknown:
            problems.append((where, Reason(
                f"TTHC {', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not in the catalogue of "
                f"unit {v.unit_code} (import the unit's TTHC list first)",
                f"TTHC {', '.join(unknown)} không có trong danh mục của đơn vị {v.unit_code} (hãy nhập danh mục TTHC của đơn vị trước)")))
            continue
        history = histories.setdefault((v.unit_code, v.code), [])
        touched.add((v.unit_code, v.code))
        if any(h.same_content(v) for h in history):
            unchanged += 1
            continue
        twin = next((h for h in history if (h.status, h.status_on, h.issue_no) == (v.status, v.status_on, v.issue_no)), None)
        if twin is not None:
            problems.append((where, Reason(
                f"process {v.code} of unit {v.unit_code}: this {v.status.value} version of {v.status_on:%d/%m/%Y} is already "
                "recorded with other content (title or TTHC); record a new issue instead of changing it",
                f"quy trình {v.code} của đơn vị {v.unit_code}: phiên bản ngày {v.status_on:%d/%m/%Y} đã được ghi với nội dung "
                "khác (tên hoặc TTHC); hãy ghi một lần ban hành mới thay vì sửa")))
            continue
        try:
            rules.check_process_version(history, v, today=today)
        except ValidationError as e:
            problems.append((where, Reason(str(e).removesuffix(" Nothing was saved.").strip(),
                                           (e.vi or str(e)).removesuffix(" Chưa lưu gì.").removesuffix("; chưa lưu gì.").strip())))
            continue
        number = max((h.version_no for h in history if isinstance(h, ProcessVersion)), default=0) + 1
        number += sum(1 for h in history if not isinstance(h, ProcessVersion))
        history.append(v)
        new.append((v, number))
    if problems:
        raise ImportRowError(source, order(problems) if order else problems)
    summary = ProcessImport(rows=len(records), units=len({u for u, _ in touched}), processes=len(touched),
                            new_versions=len(new), unchanged=unchanged)
    return summary, new


def preview_processes(db, records: Sequence[tuple[str, ProcessVersionInput]], *, source: str, today: dt.date,
                      problems: Sequence[tuple[str, str]] = (), order: Callable | None = None) -> ProcessImport:
    """What :func:`import_processes` would do, or the same :class:`ImportRowError`; writes nothing."""
    cur = db.cursor()
    try:
        return _plan_processes(cur, records, source, today, problems, order)[0]
    finally:
        cur.close()


def import_processes(db, records: Sequence[tuple[str, ProcessVersionInput]], *, actor: Principal, source: str,
                     today: dt.date | None = None, problems: Sequence[tuple[str, str]] = (),
                     order: Callable | None = None) -> ProcessImport:
    """Import process versions (``(location, version)`` from :mod:`qms.scope.importer`), all or nothing.

    A version already recorded (same content) is left; a new issue, withdrawal or draft is added
    as a new version after the rules accept it against the process's history (file rows included).
    Refused, with every row named: an unknown unit, a TTHC not in the unit's catalogue, a
    recorded version contradicted, a withdrawal of a process not in force, a date in the future.
    ``problems`` found while reading the file join these (in the file's ``order``).
    """
    today = today or province_today()
    author = actor

    def run(cur) -> ProcessImport:
        summary, new = _plan_processes(cur, records, source, today, problems, order)
        actor = authorize_each(cur, author, Operation.SCOPE_WRITE, {v.unit_code for v, _ in new}).username
        ids = insert_versions_in(cur, new, actor=actor, source="import")
        if new:
            changelog.append_many(cur, [
                dict(actor=actor, action="insert", entity="process_versions", key=f"{v.unit_code}/{v.code}#{n}", after=v)
                for (v, n), _ in zip(new, ids)
            ])
        return summary

    return db.write(run)


def save_process_version(db, version: ProcessVersionInput, *, actor: Principal, today: dt.date | None = None) -> ProcessVersion:
    """Record one new version of a process (a first issue, a new issue, a draft or a withdrawal)."""
    today = today or province_today()
    author = actor

    def run(cur) -> ProcessVersion:
        actor = authorize(cur, author, Operation.SCOPE_WRITE, unit_code=version.unit_code).username
        if not cur.execute("SELECT 1 FROM units WHERE code = ?", [version.unit_code]).fetchall():
            raise NotFound(f"There is no unit with code {version.unit_code}; nothing was saved.",
                           vi=f"Không có đơn vị mã {version.unit_code}; chưa lưu gì.")
        catalogue = _catalogue_pairs(cur, [version.unit_code])
        unknown = [c for c in version.tthc_codes if (version.unit_code, c) not in catalogue]
        if unknown:
            codes = ", ".join(unknown)
            raise ValidationError(f"TTHC {codes} not in the catalogue of unit {version.unit_code}; nothing was saved.",
                                  vi=f"TTHC {codes} không có trong danh mục của đơn vị {version.unit_code}; chưa lưu gì.")
        history = _histories(cur, [version.unit_code]).get((version.unit_code, version.code), [])
        rules.check_process_version(history, version, today=today)
        number = max((h.version_no for h in history), default=0) + 1
        (new_id,) = insert_versions_in(cur, [(version, number)], actor=actor, source="manual")
        changelog.append(cur, actor=actor, action="insert", entity="process_versions",
                         key=f"{version.unit_code}/{version.code}#{number}", after=version)
        return _histories(cur, [version.unit_code])[(version.unit_code, version.code)][-1]

    return db.write(run)


def withdraw_process(db, unit_code: str, code: str, *, on: dt.date, actor: Principal, today: dt.date | None = None) -> ProcessVersion:
    """Withdraw a process from ``on``: a new version carrying the last issue's content (its history stays)."""
    cur = db.cursor()
    try:
        authorize(cur, actor, Operation.SCOPE_WRITE, unit_code=unit_code)  # before saying what the unit holds
        history = _histories(cur, [unit_code]).get((unit_code, code), [])
    finally:
        cur.close()
    issued = [h for h in history if h.status is ProcessStatus.ISSUED]
    if not issued:
        raise NotFound(f"Unit {unit_code} has no issued process {code} to withdraw; nothing was saved.",
                       vi=f"Đơn vị {unit_code} không có quy trình {code} đã ban hành để thu hồi; chưa lưu gì.")
    last = max(issued, key=lambda h: (h.status_on, h.id))
    version = ProcessVersionInput(unit_code=unit_code, code=code, title=last.title, tthc_codes=last.tthc_codes,
                                  status=ProcessStatus.WITHDRAWN, issue_no=last.issue_no, issued_on=last.issued_on,
                                  status_on=on, legal_basis=last.legal_basis)
    return save_process_version(db, version, actor=actor, today=today)


# -- legal changes ----------------------------------------------------------------------------------

def _refuse(en: str, vi: str) -> ValidationError:
    return ValidationError(f"{en} Nothing was saved.", vi=f"{vi} Chưa lưu gì.")


def record_legal_change_in(cur, change: LegalChangeInput, *, actor: Principal, today: dt.date) -> int:
    """Check and record a legal change inside the caller's transaction; return its id.

    Added TTHC enter the named units' catalogues from the effective date (a TTHC not yet known
    needs its name); removed ones leave them on that date (the entry ends; it is not deleted).
    Amended TTHC change no catalogue: the processes covering them get the 3-month obligation,
    computed on read.  The update's due date is stored as :func:`qms.scope.rules.update_due` gives it.
    """
    rules.check_legal_change(change, today=today)
    doc = change.document_no
    if cur.execute("SELECT 1 FROM legal_changes WHERE lower(document_no) = lower(?)", [doc]).fetchall():
        raise _refuse(f"The legal change {doc} is already recorded.", f"Văn bản {doc} đã được ghi nhận.")
    eff = change.effective_on
    units = sorted({u for i in change.items for u in i.unit_codes})
    known_units = {r[0] for r in cur.execute("SELECT code FROM units WHERE list_contains(?, code)", [units]).fetchall()}
    missing = [u for u in units if u not in known_units]
    if missing:
        raise NotFound(f"{doc}: there is no unit with code {', '.join(missing)}; nothing was saved.",
                       vi=f"{doc}: không có đơn vị mã {', '.join(missing)}; chưa lưu gì.")
    codes = sorted({i.tthc_code for i in change.items})
    known = {r[0] for r in cur.execute("SELECT code FROM tthc WHERE list_contains(?, code)", [codes]).fetchall()}
    later = {(u, c) for u, c in cur.execute(
        "SELECT unit_code, tthc_code FROM unit_tthc WHERE list_contains(?, tthc_code) AND (valid_to IS NULL OR valid_to > ?)",
        [codes, eff]).fetchall()}
    active = {}
    for eid, unit, code, vf, vt in cur.execute(
        "SELECT id, unit_code, tthc_code, valid_from, valid_to FROM unit_tthc WHERE list_contains(?, tthc_code)"
        " AND (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to > ?)", [codes, eff, eff]
    ).fetchall():
        active[(unit, code)] = (eid, vf, vt)
    new_tthc, new_entries, ended, rows = [], [], [], []
    for item in change.items:
        code = item.tthc_code
        if code not in known:
            if item.effect is not ChangeEffect.ADDED or not item.tthc_name:
                raise _refuse(f"{doc}: TTHC {code} is not in the TTHC list; import it, or give its name when the change adds it.",
                              f"{doc}: TTHC {code} chưa có trong danh mục; hãy nhập danh mục, hoặc ghi tên TTHC khi văn bản bổ sung nó.")
            new_tthc.append(CatalogueEntry(unit_code=item.unit_codes[0], code=code, name=item.tthc_name, field=item.field, level=item.level))
        for unit in item.unit_codes or (None,):
            rows.append({"tthc_code": code, "effect": item.effect.value, "unit_code": unit})
            if item.effect is ChangeEffect.ADDED:
                if (unit, code) in later:  # handled that day or from a later day: periods must not overlap
                    raise _refuse(f"{doc}: unit {unit} already handles TTHC {code} on or after {eff:%d/%m/%Y}.",
                                  f"{doc}: từ ngày {eff:%d/%m/%Y} đơn vị {unit} đã thực hiện TTHC {code}.")
                new_entries.append(CatalogueEntry(unit_code=unit, code=code, name=item.tthc_name or code, valid_from=eff))
            elif item.effect is ChangeEffect.REMOVED:
                entry = active.get((unit, code))
                if entry is None or entry[1] == eff or (entry[2] is not None):
                    raise _refuse(f"{doc}: unit {unit} does not handle TTHC {code} on {eff:%d/%m/%Y} with an open entry, so it cannot be removed.",
                                  f"{doc}: ngày {eff:%d/%m/%Y} đơn vị {unit} không thực hiện TTHC {code} nên không thể bãi bỏ.")
                ended.append((entry[0], unit, code, entry[1]))
    due = rules.update_due(eff)
    (change_id,) = cur.execute(
        "INSERT INTO legal_changes (document_no, title, signed_on, effective_on, update_due_on, recorded_by)"
        " VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [doc, change.title, change.signed_on, eff, due, actor]
    ).fetchall()[0]
    items = pa.Table.from_pylist(rows, schema=pa.schema([("tthc_code", pa.string()), ("effect", pa.string()), ("unit_code", pa.string())]))
    cur.register("scope_new_items", items)
    try:
        cur.execute("INSERT INTO legal_change_items SELECT ?, tthc_code, effect, unit_code FROM scope_new_items", [change_id])
    finally:
        cur.unregister("scope_new_items")
    insert_tthc_in(cur, new_tthc, actor=actor, key=doc)
    insert_catalogue_in(cur, new_entries, actor=actor, source="legal_change")
    for eid, unit, code, vf in ended:
        cur.execute("UPDATE unit_tthc SET valid_to = ? WHERE id = ?", [eff, eid])
        changelog.append(cur, actor=actor, action="update", entity="unit_tthc", key=f"{unit}/{code}",
                         before={"valid_from": vf, "valid_to": None}, after={"valid_from": vf, "valid_to": eff, "by": doc})
    changelog.append(cur, actor=actor, action="insert", entity="legal_changes", key=doc, after=change)
    return change_id


def record_legal_change(db, change: LegalChangeInput, *, actor: Principal, today: dt.date | None = None) -> int:
    """Record a legal change (one transaction); see :func:`record_legal_change_in`."""
    today = today or province_today()

    def run(cur) -> int:
        return record_legal_change_in(cur, change, actor=authorize(cur, actor, Operation.LEGAL_CHANGE).username, today=today)

    return db.write(run)
