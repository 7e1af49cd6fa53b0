"""TTHC catalogues and process lists as files: preview, import, export (.xlsx or .csv).

The doors (the Quy trình page, ``qms import-tthc``, ``qms import-processes``) call these with the
file's bytes: reading and checking rows is pure (:mod:`qms.scope.importer`), the database checks and
the write are :mod:`qms.scope.store` / :mod:`qms.scope.processes_store`.  An import is all or
nothing; a preview runs the same checks and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from qms.accounts.rules import Principal
from qms.kernel.clock import province_today
from qms.kernel.spreadsheet_writing import write_csv, write_xlsx
from qms.kernel.spreadsheets import Table
from qms.scope import importer as files
from qms.scope.model import CatalogueImport, ProcessImport
from qms.scope.processes_store import import_processes, preview_processes
from qms.scope.store import import_catalogue, preview_catalogue
from qms.units.store import NAME_ON_SQL


class FileKind(StrEnum):
    CATALOGUE = "tthc"
    PROCESSES = "processes"


@dataclass(frozen=True)
class FilePreview:
    """A file read and checked against the database: its table, its records, what importing would do."""

    table: Table
    records: list[tuple[str, Any]]
    summary: CatalogueImport | ProcessImport


def _read(kind: FileKind, data: bytes, source: str, *, sheet: str | None, default_unit: str | None, today: dt.date):
    if kind is FileKind.CATALOGUE:
        return files.read_catalogue(data, source, today=today, sheet=sheet, default_unit=default_unit)
    return files.read_processes(data, source, today=today, sheet=sheet, default_unit=default_unit)


def preview_file(db, kind: FileKind, data: bytes, source: str, *, sheet: str | None = None,
                 default_unit: str | None = None, today: dt.date | None = None) -> FilePreview:
    """Read ``data`` and check it row by row and against the database; write nothing.

    Raises :class:`qms.kernel.errors.ImportRowError` (every bad row with its sheet, line and reason, those
    the file alone shows and those the database shows, in the file's order) or a
    :class:`qms.kernel.errors.QmsError` (the file cannot be read, no header found)."""
    today = today or province_today()
    parsed = _read(kind, data, source, sheet=sheet, default_unit=default_unit, today=today)
    if kind is FileKind.CATALOGUE:
        summary = preview_catalogue(db, parsed.records, source=source, problems=parsed.problems, order=parsed.ordered)
    else:
        summary = preview_processes(db, parsed.records, source=source, today=today, problems=parsed.problems, order=parsed.ordered)
    return FilePreview(parsed.table, parsed.records, summary)


def import_file(db, kind: FileKind, data: bytes, source: str, *, actor: Principal, sheet: str | None = None,
                default_unit: str | None = None, today: dt.date | None = None) -> CatalogueImport | ProcessImport:
    """Read and import ``data`` all or nothing (the same checks as :func:`preview_file`)."""
    today = today or province_today()
    parsed = _read(kind, data, source, sheet=sheet, default_unit=default_unit, today=today)
    if kind is FileKind.CATALOGUE:
        return import_catalogue(db, parsed.records, actor=actor, source=source, problems=parsed.problems, order=parsed.ordered)
    return import_processes(db, parsed.records, actor=actor, source=source, today=today, problems=parsed.problems,
                            order=parsed.ordered)


def catalogue_records(db, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Every catalogue entry (ended ones included), by unit and code, for an export."""
    sql = f"""
        SELECT c.unit_code, n.name AS unit_name, c.tthc_code AS code, t.name, t.field, t.level, c.valid_from, c.valid_to
        FROM unit_tthc c JOIN tthc t ON t.code = c.tthc_code
        LEFT JOIN ({NAME_ON_SQL}) n ON n.code = c.unit_code
        {"WHERE c.unit_code = $code" if unit_code else ""}
        ORDER BY c.unit_code, c.tthc_code, c.valid_from NULLS FIRST
    """
    params: dict = {"as_of": province_today()}
    if unit_code:
        params["code"] = unit_code
    return db.dicts(sql, params)


def process_records(db, unit_code: str | None = None) -> list[dict[str, Any]]:
    """Every process version (its whole history), by unit, code and date, for an export that
    re-imports unchanged."""
    sql = f"""
        SELECT v.unit_code, n.name AS unit_name, v.code, v.title,
               (SELECT list(tthc_code ORDER BY tthc_code) FROM process_tthc l WHERE l.version_id = v.id) AS tthc_codes,
               v.issue_no, v.issued_on, v.status,
               CASE WHEN v.status = 'withdrawn' THEN v.status_on END AS withdrawn_on,
               CASE WHEN v.status = 'draft' THEN v.status_on END AS drafted_on,
               v.legal_basis, v.version_no
        FROM process_versions v LEFT JOIN ({NAME_ON_SQL}) n ON n.code = v.unit_code
        {"WHERE v.unit_code = $code" if unit_code else ""}
        ORDER BY v.unit_code, v.code, v.status_on, v.id
    """
    params: dict = {"as_of": province_today()}
    if unit_code:
        params["code"] = unit_code
    return db.dicts(sql, params)


#: Sheet names of exported workbooks.
SHEET_NAMES = {FileKind.CATALOGUE: "Danh mục TTHC", FileKind.PROCESSES: "Quy trình ISO"}


def export_file(db, kind: FileKind, fmt: str, unit_code: str | None = None) -> bytes:
    """The catalogue or the processes (one unit, or all) as ``xlsx`` or ``csv`` bytes, in the
    columns the importers read back."""
    if kind is FileKind.CATALOGUE:
        headers, rows = files.sheet_rows(files.CATALOGUE_EXPORT, catalogue_records(db, unit_code))
    else:
        headers, rows = files.sheet_rows(files.PROCESS_EXPORT, process_records(db, unit_code))
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx([(SHEET_NAMES[kind], headers, rows)])
