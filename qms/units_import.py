"""Reading a unit list (CSV in the shape of the GSO list) into checked records.

Pure: bytes in, ``(line, UnitRecord)`` pairs out, or one :class:`ImportRowError` naming every
bad line with its reason.  Whether the codes clash with the database is the store's question
(:func:`qms.store.units.import_units`), asked in the same transaction that writes.
"""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError as PydanticError

from qms.dates import parse_any
from qms.errors import ImportRowError, QmsError
from qms.models import Level, UnitRecord, nfc

#: Accepted header names (lower-case) for each field; the first is the documented one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("gso_code", "code", "ma", "mã", "mã đơn vị"),
    "name": ("name", "ten", "tên", "tên đơn vị"),
    "level": ("level", "cap", "cấp"),
    "kind": ("kind", "loai", "loại"),
    "parent_code": ("parent_gso_code", "parent_code", "parent", "trực thuộc"),
    "valid_from": ("valid_from", "hiệu lực từ"),
    "valid_to": ("valid_to", "hết hiệu lực từ"),
    "in_plan": ("in_plan",),
}
REQUIRED = ("code", "name", "level", "kind")
#: Digits of a GSO code per level (a department has a code of the project's own, not numeric).
GSO_DIGITS = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}
_TRUE = {"1", "true", "yes", "có", "x"}
_FALSE = {"0", "false", "no", "không", ""}


def decode(data: bytes, source: str) -> str:
    """UTF-8 text (a byte-order mark from Excel is dropped); any other encoding is refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise QmsError(
            f"{source} is not UTF-8 text (byte {e.start}); save it from the spreadsheet as 'CSV UTF-8'.",
            vi=f"{source} không phải văn bản UTF-8 (byte {e.start}); hãy lưu lại từ bảng tính dạng 'CSV UTF-8'.",
        ) from e


def _header_map(header: list[str], source: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = nfc(raw).lower()
        for field, names in COLUMNS.items():
            if name in names and field not in found:
                found[field] = i
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in found]
    if missing:
        raise QmsError(
            f"{source}: the header has no column {', '.join(missing)} (found: {', '.join(header) or 'nothing'}).",
            vi=f"{source}: dòng tiêu đề thiếu cột {', '.join(missing)} (có: {', '.join(header) or 'không có gì'}).",
        )
    return found


def _first_error(e: PydanticError) -> str:
    err = e.errors()[0]
    where = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    return f"{where}: {msg}" if where else msg


def parse_units_csv(text: str, source: str = "units.csv") -> list[tuple[int, UnitRecord]]:
    """Every data line as a checked record; all bad lines are reported together, and then none
    is returned (the import is all-or-nothing).  Line numbers count the header as line 1."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise QmsError(f"{source} is empty.", vi=f"{source} trống.") from None
    cols = _header_map(header, source)
    records: list[tuple[int, UnitRecord]] = []
    problems: list[tuple[str, str]] = []
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"line {line_no}"

        def cell(field: str) -> str:
            i = cols.get(field)
            return row[i].strip() if i is not None and i < len(row) else ""

        try:
            values: dict = {f: cell(f) for f in ("code", "name", "kind")}
            level_text = cell("level").lower()
            try:
                level = Level(level_text)
            except ValueError:
                raise ValueError(f"level '{level_text}' is not one of {', '.join(lv.value for lv in Level)}") from None
            values["level"] = level
            values["parent_code"] = cell("parent_code") or None
            for f in ("valid_from", "valid_to"):
                values[f] = parse_any(cell(f), field=f) if cell(f) else None
            plan = cell("in_plan").lower()
            if plan not in _TRUE | _FALSE:
                raise ValueError(f"in_plan '{plan}' is not yes or no")
            values["in_plan"] = plan in _TRUE or plan == ""
            digits = GSO_DIGITS.get(level)
            code = values["code"]
            if digits and code.isdigit() and len(code) != digits:
                hint = f" (if a spreadsheet dropped a leading zero, it is {code.zfill(digits)})" if len(code) < digits else ""
                raise ValueError(f"a {level.value} GSO code has {digits} digits, not '{code}'{hint}")
            records.append((line_no, UnitRecord(**values)))
        except PydanticError as e:
            problems.append((where, _first_error(e)))
        except (ValueError, QmsError) as e:
            problems.append((where, str(e)))
    if problems:
        raise ImportRowError(source, problems)
    if not records:
        raise QmsError(f"{source} has a header but no unit.", vi=f"{source} chỉ có dòng tiêu đề, không có đơn vị nào.")
    return records
