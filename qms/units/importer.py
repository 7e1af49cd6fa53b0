"""Reading a unit list (CSV in the shape of the GSO list, or .xlsx) into checked records.

Pure: bytes in, ``(line, UnitRecord)`` pairs out, or one :class:`ImportRowError` naming every
bad line with its reason.  The file is read by :func:`qms.kernel.spreadsheets.read_table` (so the
limits, the refusals and the header rules of every importer apply: a column named twice, a
control character, a malformed CSV line); dates follow :func:`qms.kernel.spreadsheets.import_date`.
Whether the codes clash with the database is the store's question
(:func:`qms.units.store.import_units`), asked in the same transaction that writes.
"""

from __future__ import annotations

import datetime as dt

from pydantic import ValidationError as PydanticError

from qms.kernel.clock import province_today
from qms.kernel.errors import ImportRowError, QmsError, Reason
from qms.kernel.spreadsheets import Column, cell_text, import_date, read_table
from qms.kernel.workbook_reader import decode  # noqa: F401  (the doors' and tests' name for the UTF-8 rule)
from qms.units.model import Level, UnitRecord

#: The columns of a unit list; the header is the documented name, the aliases other accepted ones.
COLUMNS: tuple[Column, ...] = (
    Column("code", "gso_code", ("code", "ma", "mã", "mã đơn vị"), required=True),
    Column("name", "name", ("ten", "tên", "tên đơn vị"), required=True),
    Column("level", "level", ("cap", "cấp"), required=True),
    Column("kind", "kind", ("loai", "loại"), required=True),
    Column("parent_code", "parent_gso_code", ("parent_code", "parent", "trực thuộc")),
    Column("valid_from", "valid_from", ("hiệu lực từ",)),
    Column("valid_to", "valid_to", ("hết hiệu lực từ",)),
    Column("in_plan", "in_plan"),
)
#: Digits of a GSO code per level (a department has a code of the project's own, not numeric).
GSO_DIGITS = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}
_TRUE = {"1", "true", "yes", "có", "x"}
_FALSE = {"0", "false", "no", "không", ""}


def _first_error(e: PydanticError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def parse_units_csv(text: str, source: str = "units.csv", *, today: dt.date | None = None) -> list[tuple[int, UnitRecord]]:
    """:func:`parse_units_file` for text already decoded (tests, the demo's own list)."""
    return parse_units_file(text.encode("utf-8"), source, today=today)


def parse_units_file(data: bytes, source: str = "units.csv", *, today: dt.date | None = None) -> list[tuple[int, UnitRecord]]:
    """Every data line as a checked record; all bad lines are reported together, and then none
    is returned (the import is all-or-nothing).  Line numbers count the header as line 1."""
    today = today or province_today()
    table = read_table(data, source, COLUMNS)
    records: list[tuple[int, UnitRecord]] = []
    problems: list[tuple[str, str]] = []
    for row in table.rows:

        def cell(field: str) -> str:
            return cell_text(row.values.get(field)) or ""

        try:
            values: dict = {f: cell(f) for f in ("code", "name", "kind")}
            level_text = cell("level").lower()
            try:
                level = Level(level_text)
            except ValueError:
                raise QmsError(f"level '{level_text}' is not one of {', '.join(lv.value for lv in Level)}",
                               vi=f"cấp '{level_text}' không phải một trong {', '.join(lv.value for lv in Level)}") from None
            values["level"] = level
            values["parent_code"] = cell("parent_code") or None
            for f in ("valid_from", "valid_to"):
                try:
                    values[f] = import_date(row.values.get(f), today=today)
                except ValueError as e:
                    raise QmsError(f"{f}: {e}", vi=f"{f}: {getattr(e, 'vi', None) or e}") from None
            plan = cell("in_plan").lower()
            if plan not in _TRUE | _FALSE:
                raise QmsError(f"in_plan '{plan}' is not yes or no", vi=f"in_plan '{plan}' không phải có (yes) hoặc không (no)")
            values["in_plan"] = plan in _TRUE or plan == ""
            digits = GSO_DIGITS.get(level)
            code = values["code"]
            if digits and code.isdigit() and len(code) != digits:
                hint = f" (if a spreadsheet dropped a leading zero, it is {code.zfill(digits)})" if len(code) < digits else ""
                vi_hint = f" (nếu bảng tính đã bỏ số 0 ở đầu thì mã là {code.zfill(digits)})" if len(code) < digits else ""
                raise QmsError(f"a {level.value} GSO code has {digits} digits, not '{code}'{hint}",
                               vi=f"mã thống kê cấp {level.value} có {digits} chữ số, không phải '{code}'{vi_hint}")
            records.append((row.line, UnitRecord(**values)))
        except PydanticError as e:
            problems.append((row.where, _first_error(e)))
        except (ValueError, QmsError) as e:
            problems.append((row.where, Reason.of(e)))
    if problems:
        raise ImportRowError(source, problems)
    if not records:
        raise QmsError(f"{source} has a header but no unit.", vi=f"{source} chỉ có dòng tiêu đề, không có đơn vị nào.")
    return records
