"""Administrative changes of units by legal act: merges, splits, renames, the end of districts.

Pure: a change file (the shape of the Lai Châu 2025 crosswalk, ``new_code, new_name, kind,
formed_from_old_codes, formed_from_old_names[, source]``) and the units that exist the day before
the act takes effect in, a :class:`ChangePlan` out, or one :class:`ImportRowError` naming every
bad line.  The store (:mod:`qms.admin_changes.store`) asks for the plan and writes it in one
transaction.

How a change is modelled (README, "Administrative changes"):

- **Codes are not identities.** A unit is its key (``units.code``); its official code is
  ``gso_code``.  A new unit whose official code already names another unit (every Lai Châu
  commune of 2025 reused a predecessor's code) gets the key ``<code>@<effective date>``.  Old
  units are matched by code *and* date (the unit bearing that code the day before the act); the
  name in the file is checked against the name then, and a different spelling is reported, never
  used to match.
- **New or continuing.** A row formed from several units, or from part of one, makes a new unit
  (a new People's Committee, a new scope: it starts with no QMS stage of its own).  A row whose
  only predecessor is, wholly, the unit bearing the same code continues that unit: same key, same
  history; its name and parent change on the effective date (Mù Cả and Tà Tổng in 2025).
- **Shares.** An old code listed under one new unit goes wholly into it (``full``); listed under
  several, it was split (``partial``), each link weighing 1/n unless the file gives shares.
- **Districts.** A district-level unit that has no commune left on the effective date ends that
  day, with no successor: the normal case of 2025.  Communes formed then sit directly under the
  province (the parent of their predecessors' districts).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from functools import cached_property

from qms.kernel.dates import parse_any
from qms.kernel.errors import ImportRowError, QmsError, Reason, ValueReason
from qms.units.model import Level, nfc, search_key

#: Accepted header names (lower-case, NFC) for each field; the first is the documented one.
COLUMNS: dict[str, tuple[str, ...]] = {
    "new_code": ("new_code", "mã mới", "ma moi"),
    "new_name": ("new_name", "tên mới", "ten moi"),
    "kind": ("kind", "loại", "loai"),
    "old_codes": ("formed_from_old_codes", "old_codes", "mã cũ", "ma cu"),
    "old_names": ("formed_from_old_names", "old_names", "tên cũ", "ten cu"),
    "shares": ("formed_from_shares", "shares", "tỷ lệ", "ty le"),
    "level": ("level", "cấp", "cap"),
    "parent_code": ("parent_code", "trực thuộc", "truc thuoc"),
    "act": ("act", "văn bản", "van ban"),
    "effective_date": ("effective_date", "hiệu lực từ", "hieu luc tu"),
    "source": ("source", "nguồn", "nguon"),
    "identity": ("identity", "định danh", "dinh danh"),
}
REQUIRED = ("new_code", "new_name", "kind", "old_codes")
#: Kinds a unit formed by a change may have (thị trấn no longer exists after 2025, but an act of
#: an earlier period may form one); a province merger names tỉnh, a department merger văn phòng
#: and thanh tra units too.
KINDS = frozenset({"xa", "phuong", "thi_tran", "dac_khu", "huyen", "quan", "thi_xa", "thanh_pho", "tinh", "so", "ban", "chi_cuc",
                   "nganh", "van_phong", "thanh_tra"})
_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
_SHARE = re.compile(r"^(full|partial(?::(0(?:\.\d+)?|1(?:\.0+)?))?)$")
#: Digits of an official code per level (departments have codes of the project's own).
GSO_DIGITS = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}


def unit_key(gso_code: str, effective: dt.date, taken: bool) -> str:
    """The key of a unit formed on ``effective``: its official code, or, when that code already
    names another unit (``taken``), the code with the day it started (``03388@2025-07-01``)."""
    return f"{gso_code}@{effective.isoformat()}" if taken else gso_code


def official_code(key: str) -> str:
    """The official code a unit key carries (``03388@2025-07-01`` -> ``03388``)."""
    return key.partition("@")[0]


@dataclass(frozen=True)
class ChangeRow:
    """One line of a change file: a new (or continuing) unit and what it was formed from."""

    line: int
    new_code: str
    new_name: str
    kind: str
    level: Level
    old_codes: tuple[str, ...]
    old_names: tuple[str, ...] | None
    shares: tuple[str, ...] | None
    parent_code: str | None
    act: str
    effective: dt.date
    source: str | None
    identity: str | None = None  # 'new', 'continues' or None (the default rule)


@dataclass(frozen=True)
class ExistingUnit:
    """A unit as the planner sees it on the day before the change."""

    key: str
    gso_code: str
    name: str
    level: Level
    kind: str
    parent_key: str | None


@dataclass(frozen=True)
class Link:
    old_key: str
    new_key: str
    share: str  # full | partial
    weight: float


@dataclass(frozen=True)
class NewUnit:
    line: int
    key: str
    gso_code: str
    name: str
    kind: str
    level: Level
    parent_key: str | None
    predecessors: tuple[str, ...]
    code_reused_from: str | None  # key of the differently named unit that bore the code


@dataclass(frozen=True)
class ContinuingUnit:
    line: int
    key: str
    old_name: str
    new_name: str
    old_parent: str | None
    new_parent: str | None


@dataclass(frozen=True)
class ChangePlan:
    """What a change file does, before anything is written."""

    act: str
    effective: dt.date
    source: str
    new_units: tuple[NewUnit, ...]
    continuing: tuple[ContinuingUnit, ...]
    links: tuple[Link, ...]
    ended: tuple[str, ...]                 # keys of units ending the day before ``effective`` (with successors)
    ended_without_successor: tuple[str, ...]  # districts with no commune left
    name_variants: tuple[tuple[int, str, str, str], ...]  # (line, old key, name in file, name on record)
    digest: str
    notes: tuple[str, ...] = field(default=())

    @property
    def reused_codes(self) -> list[NewUnit]:
        """New units whose official code bore a differently named unit before."""
        return [u for u in self.new_units if u.code_reused_from is not None]

    def successors(self, old_key: str) -> list[Link]:
        return list(self._successors.get(old_key, ()))

    @cached_property
    def _successors(self) -> dict[str, list[Link]]:
        """Links by old unit, built once: the import asks for each of tens of thousands of actions."""
        out: dict[str, list[Link]] = {}
        for link in self.links:
            out.setdefault(link.old_key, []).append(link)
        return out


def _header_map(header: list[str], source: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = nfc(raw).lower()
        for fld, names in COLUMNS.items():
            if name in names:
                if fld in found:
                    raise QmsError(f"{source}: the header names column {COLUMNS[fld][0]} twice.",
                                   vi=f"{source}: dòng tiêu đề có cột {COLUMNS[fld][0]} hai lần.")
                found[fld] = i
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in found]
    if missing:
        raise QmsError(
            f"{source}: the header has no column {', '.join(missing)} (found: {', '.join(header) or 'nothing'}).",
            vi=f"{source}: dòng tiêu đề thiếu cột {', '.join(missing)} (có: {', '.join(header) or 'không có gì'}).",
        )
    return found


def _split(text: str) -> list[str]:
    return [nfc(p) for p in text.split(";") if p.strip()]


_KIND_PREFIX = re.compile(r"^(xã|phường|thị trấn|thị xã|đặc khu|huyện|quận|thành phố)\s+", re.IGNORECASE)


def same_name(a: str, b: str) -> bool:
    """Whether two unit names are the same place's name: without accents and without the kind
    (``Thị trấn Than Uyên`` and ``Xã Than Uyên`` are one name: the four thị trấn of 2025 became xã)."""
    return search_key(_KIND_PREFIX.sub("", nfc(a))) == search_key(_KIND_PREFIX.sub("", nfc(b)))


def _strip_district(name: str) -> str:
    """``Xã Pha Mu [H. Than Uyên]`` -> ``Xã Pha Mu`` (the crosswalk names the old district)."""
    return re.sub(r"\s*\[[^\]]*\]\s*$", "", name).strip()


def parse_change_csv(text: str, source: str, *, act: str | None = None, effective: dt.date | None = None) -> list[ChangeRow]:
    """Every data line as a :class:`ChangeRow`; all bad lines are reported together and then
    none is returned.  ``act`` and ``effective`` come from the file's columns or, when it has
    none, from these arguments (the CLI's ``--act`` and ``--effective``); one file is one act."""
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as e:
        raise QmsError(f"{source} is not a readable CSV file ({e}).", vi=f"{source} không phải tệp CSV đọc được ({e}).") from e
    if not rows:
        raise QmsError(f"{source} is empty.", vi=f"{source} trống.")
    cols = _header_map(rows[0], source)
    out: list[ChangeRow] = []
    problems: list[tuple[str, str]] = []
    for line_no, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        where = f"line {line_no}"

        def cell(fld: str, row=row) -> str:
            i = cols.get(fld)
            return nfc(row[i]) if i is not None and i < len(row) else ""

        try:
            out.append(_row(line_no, cell, act, effective))
        except (ValueError, QmsError) as e:
            problems.append((where, Reason.of(e)))
    if problems:
        raise ImportRowError(source, problems)
    if not out:
        raise QmsError(f"{source} has a header but no unit.", vi=f"{source} chỉ có dòng tiêu đề, không có đơn vị nào.")
    acts = {(r.act, r.effective) for r in out}
    if len(acts) > 1:
        raise QmsError(
            f"{source} mixes {len(acts)} acts or effective dates; import one act at a time.",
            vi=f"{source} gộp {len(acts)} văn bản hoặc ngày hiệu lực khác nhau; hãy nhập từng văn bản một.",
        )
    return out


def _row(line_no: int, cell, act: str | None, effective: dt.date | None) -> ChangeRow:
    code, name, kind = cell("new_code"), cell("new_name"), cell("kind").lower()
    if not code or not _CODE.match(code):
        raise ValueReason(f"new_code '{code}' is not a unit code", vi=f"new_code '{code}' không phải mã đơn vị")
    if not name:
        raise ValueReason("new_name is empty", vi="new_name (tên mới) để trống")
    if len(name) > 200:
        raise ValueReason("new_name is longer than 200 characters", vi="new_name (tên mới) dài hơn 200 ký tự")
    if kind not in KINDS:
        raise ValueReason(f"kind '{kind}' is not one of {', '.join(sorted(KINDS))}",
                          vi=f"loại '{kind}' không phải một trong {', '.join(sorted(KINDS))}")
    level_text = cell("level").lower() or "commune"
    try:
        level = Level(level_text)
    except ValueError:
        raise ValueReason(f"level '{level_text}' is not one of {', '.join(lv.value for lv in Level)}",
                          vi=f"cấp '{level_text}' không phải một trong {', '.join(lv.value for lv in Level)}") from None
    digits = GSO_DIGITS.get(level)
    if digits and code.isdigit() and len(code) != digits:
        hint = f" (if a spreadsheet dropped a leading zero, it is {code.zfill(digits)})" if len(code) < digits else ""
        vi_hint = f" (nếu bảng tính đã bỏ số 0 ở đầu thì mã là {code.zfill(digits)})" if len(code) < digits else ""
        raise ValueReason(f"a {level.value} code has {digits} digits, not '{code}'{hint}",
                          vi=f"mã cấp {level.value} có {digits} chữ số, không phải '{code}'{vi_hint}")
    old_codes = _split(cell("old_codes"))
    if not old_codes:
        raise ValueReason("formed_from_old_codes is empty", vi="formed_from_old_codes (mã các đơn vị cũ) để trống")
    for c in old_codes:
        if not _CODE.match(c):
            raise ValueReason(f"old code '{c}' is not a unit code", vi=f"mã cũ '{c}' không phải mã đơn vị")
        if digits and c.isdigit() and len(c) != digits:
            raise ValueReason(f"old code '{c}' does not have {digits} digits", vi=f"mã cũ '{c}' không có {digits} chữ số")
    if len(set(old_codes)) != len(old_codes):
        raise ValueReason("an old code is listed twice", vi="một mã cũ được liệt kê hai lần")
    old_names = _split(cell("old_names")) if cell("old_names") else None
    if old_names is not None and len(old_names) != len(old_codes):
        raise ValueReason(f"{len(old_codes)} old codes but {len(old_names)} old names",
                          vi=f"{len(old_codes)} mã cũ nhưng {len(old_names)} tên cũ")
    shares = tuple(s.lower() for s in _split(cell("shares"))) if cell("shares") else None
    if shares is not None:
        if len(shares) != len(old_codes):
            raise ValueReason(f"{len(old_codes)} old codes but {len(shares)} shares",
                              vi=f"{len(old_codes)} mã cũ nhưng {len(shares)} phần chia")
        for s in shares:
            if not _SHARE.match(s):
                raise ValueReason(f"share '{s}' is not full, partial or partial:<fraction>",
                                  vi=f"phần chia '{s}' không phải full, partial hoặc partial:<tỷ lệ>")
    row_act = cell("act") or (nfc(act) if act else "")
    if not row_act:
        raise ValueReason("no act: give an act column or --act", vi="thiếu văn bản: thêm cột act hoặc --act")
    if len(row_act) > 300:
        raise ValueReason("act is longer than 300 characters", vi="act (văn bản) dài hơn 300 ký tự")
    if cell("effective_date"):
        row_effective = parse_any(cell("effective_date"), field="effective_date")
    elif effective:
        row_effective = effective
    else:
        raise ValueReason("no effective date: give an effective_date column or --effective",
                          vi="thiếu ngày hiệu lực: thêm cột effective_date hoặc --effective")
    identity = cell("identity").lower() or None
    if identity not in (None, "new", "continues"):
        raise ValueReason(f"identity '{identity}' is not new or continues", vi=f"identity '{identity}' không phải new hoặc continues")
    if identity == "continues" and code not in old_codes:
        raise ValueReason(f"identity 'continues' needs {code} among the old codes (the unit that continues)",
                          vi=f"identity 'continues' cần {code} nằm trong các mã cũ (đơn vị tiếp tục)")
    return ChangeRow(
        identity=identity, line=line_no, new_code=code, new_name=name, kind=kind, level=level, old_codes=tuple(old_codes),
        old_names=tuple(old_names) if old_names else None, shares=shares, parent_code=cell("parent_code") or None,
        act=row_act, effective=row_effective, source=cell("source") or None,
    )


def digest(rows: list[ChangeRow]) -> str:
    """SHA-256 of what the change says (not of the file's bytes): the same act imported again,
    from a re-saved or re-ordered file, is recognised and changes nothing."""
    canonical = sorted(
        [r.new_code, r.new_name, r.kind, r.level.value, list(r.old_codes), list(r.shares or ()), r.parent_code or "",
         r.act, r.effective.isoformat(), r.identity or ""]
        for r in rows
    )
    return hashlib.sha256(json.dumps(canonical, ensure_ascii=False).encode()).hexdigest()


def plan_change(rows: list[ChangeRow], *, source: str, existing: dict[str, ExistingUnit], all_keys: set[str],
                communes_by_parent: dict[str, set[str]], districts: set[str]) -> ChangePlan:
    """The plan of a parsed change file against the units of the day before it takes effect.

    ``existing`` maps official codes to the unit bearing each on that day; ``all_keys`` is every
    unit key ever used; ``communes_by_parent`` the communes of each district then; ``districts``
    the district-level units then.  Every line that cannot apply is named, and then nothing is
    planned.
    """
    act, effective = rows[0].act, rows[0].effective
    problems: list[tuple[str, str]] = []
    uses: dict[str, list[ChangeRow]] = {}
    for r in rows:
        for c in r.old_codes:
            uses.setdefault(c, []).append(r)
    seen_new: dict[str, int] = {}
    for r in rows:
        if r.new_code in seen_new:
            problems.append((f"line {r.line}", Reason(f"new_code {r.new_code} already appears on line {seen_new[r.new_code]}",
                                                          f"new_code {r.new_code} đã có ở dòng {seen_new[r.new_code]}")))
        seen_new.setdefault(r.new_code, r.line)
        for c in r.old_codes:
            if c not in existing:
                eve = (effective - dt.timedelta(days=1)).strftime("%d/%m/%Y")
                problems.append((f"line {r.line}", Reason(f"no unit bears code {c} on {eve}, the day before the act takes effect",
                                                          f"không có đơn vị nào mang mã {c} ngày {eve}, ngày trước khi văn bản có hiệu lực")))
    if problems:
        raise ImportRowError(source, problems)

    new_units: list[NewUnit] = []
    continuing: list[ContinuingUnit] = []
    links: list[Link] = []
    variants: list[tuple[int, str, str, str]] = []
    ended: set[str] = set()
    new_keys: dict[str, str] = {}
    taken_now = set(all_keys)
    for r in rows:
        olds = [existing[c] for c in r.old_codes]
        for i, old in enumerate(olds):
            if r.old_names:
                written = _strip_district(r.old_names[i])
                if written != old.name:  # matched by code and date; the spelling is reported, never used
                    variants.append((r.line, old.key, written, old.name))
        split_here = [c for c in r.old_codes if len(uses[c]) > 1 or (r.shares and r.shares[r.old_codes.index(c)] != "full")]
        by_default = len(olds) == 1 and olds[0].gso_code == r.new_code and not split_here and r.identity != "new"
        if by_default or r.identity == "continues":
            old = existing[r.new_code]
            if old.level is not r.level or r.new_code in split_here:
                problems.append((f"line {r.line}", Reason(f"{r.new_code} cannot continue: it changes level or is split",
                                                          f"{r.new_code} không thể tiếp tục: đổi cấp hoặc bị chia tách")))
                continue
            parent = r.parent_code or _parent_after(old.parent_key, existing, districts, communes_by_parent, uses)
            continuing.append(ContinuingUnit(r.line, old.key, old.name, r.new_name, old.parent_key, parent))
            new_keys[r.new_code] = old.key
            for i, other in enumerate(olds):
                if other.key == old.key:
                    continue
                links.append(_link(other, old.key, r.shares[i] if r.shares else None, len(uses[other.gso_code])))
                ended.add(other.key)
            continue
        key = unit_key(r.new_code, effective, r.new_code in taken_now)
        if key in taken_now:
            problems.append((f"line {r.line}", Reason(f"unit {key} already exists (was this act imported under another name?)",
                                                        f"đơn vị {key} đã có (văn bản này đã được nhập dưới tên khác?)")))
            continue
        taken_now.add(key)
        new_keys[r.new_code] = key
        reused = existing.get(r.new_code)
        listed = r.old_names[r.old_codes.index(r.new_code)] if r.old_names and r.new_code in r.old_codes else None
        renamed = reused is not None and not same_name(reused.name, r.new_name) and not (
            listed is not None and same_name(_strip_district(listed), r.new_name))
        parents = {o.parent_key for o in olds}
        if r.parent_code:
            parent = r.parent_code
        elif len(parents) == 1:
            parent = _parent_after(next(iter(parents)), existing, districts, communes_by_parent, uses)
        else:
            grand = {_grandparent(p, existing) for p in parents}
            parent = next(iter(grand)) if len(grand) == 1 else None
            if parent is None:
                problems.append((f"line {r.line}", Reason("its predecessors belong to different provinces; give a parent_code column",
                                                          "các đơn vị trước thuộc các tỉnh khác nhau; hãy thêm cột parent_code")))
                continue
            # predecessors from several districts: the districts end, the unit sits under the province
        new_units.append(NewUnit(
            line=r.line, key=key, gso_code=r.new_code, name=r.new_name, kind=r.kind, level=r.level, parent_key=parent,
            predecessors=tuple(o.key for o in olds),
            code_reused_from=reused.key if renamed else None,
        ))
        for i, old in enumerate(olds):
            link = _link(old, key, r.shares[i] if r.shares else None, len(uses[old.gso_code]))
            if link.weight <= 0:
                problems.append((f"line {r.line}", Reason(f"the share of {old.gso_code} must be above 0",
                                                          f"phần chia của {old.gso_code} phải lớn hơn 0")))
            links.append(link)
            ended.add(old.key)
    if problems:
        raise ImportRowError(source, problems)
    # an old unit continued by one row cannot also go into another
    continued = {c.key for c in continuing}
    for r in rows:
        for c in r.old_codes:
            if existing[c].key in continued and len(uses[c]) > 1 and existing[c].key != new_keys.get(r.new_code):
                problems.append((f"line {r.line}", Reason(
                    f"{c} continues as itself on another line and cannot also go into {r.new_code}",
                    f"{c} tiếp tục là chính nó ở dòng khác, không thể cũng nhập vào {r.new_code}")))
    if problems:
        raise ImportRowError(source, problems)
    # districts left with no commune end the day the act takes effect, with no successor
    gone_communes = ended
    stays = {c.key for c in continuing}
    moved_parent = {c.key for c in continuing if c.new_parent != c.old_parent}
    ended_districts = []
    for d in sorted(districts):
        left = {k for k in communes_by_parent.get(d, set()) if k not in gone_communes and k not in moved_parent}
        gets_new = any(u.parent_key == d for u in new_units) or any(c.new_parent == d for c in continuing if c.key in stays)
        had = communes_by_parent.get(d, set())
        if had and not left and not gets_new:
            ended_districts.append(d)
    return ChangePlan(
        act=act, effective=effective, source=source, new_units=tuple(new_units), continuing=tuple(continuing),
        links=tuple(links), ended=tuple(sorted(ended)), ended_without_successor=tuple(ended_districts),
        name_variants=tuple(variants), digest=digest(rows),
    )


def _link(old: ExistingUnit, new_key: str, given: str | None, n_users: int) -> Link:
    """The link of ``old`` into ``new_key``: wholly, unless the old code is listed under several
    new units (then 1/n each) or the file gives a share (``partial`` or ``partial:0.3``)."""
    if given and given.startswith("partial:"):
        return Link(old.key, new_key, "partial", float(given.split(":", 1)[1]))
    if given == "partial" or (given is None and n_users > 1):
        return Link(old.key, new_key, "partial", 1.0 / n_users)
    return Link(old.key, new_key, "full", 1.0)


def _grandparent(parent_key: str | None, existing: dict[str, ExistingUnit]) -> str | None:
    by_key = {u.key: u for u in existing.values()}
    unit = by_key.get(parent_key or "")
    return unit.parent_key if unit is not None else parent_key


def _parent_after(parent_key: str | None, existing: dict[str, ExistingUnit], districts: set[str],
                  communes_by_parent: dict[str, set[str]], uses: dict[str, list[ChangeRow]]) -> str | None:
    """The parent a unit formed under ``parent_key``'s children has after the change: the same
    district while it keeps other communes, else the district's own parent (the province)."""
    if parent_key not in districts:
        return parent_key
    by_key = {u.key: u for u in existing.values()}
    children = communes_by_parent.get(parent_key, set())
    untouched = [k for k in children if by_key.get(k) is None or by_key[k].gso_code not in uses]
    if untouched:
        return parent_key
    return _grandparent(parent_key, existing)
