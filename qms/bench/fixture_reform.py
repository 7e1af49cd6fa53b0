"""The 2025 reform on top of the synthetic country: its crosswalks, their import, the history after.

The benchmark's country of today is built the way a province would build it: from crosswalk
files in the columns of the official one (``data/demo/lai_chau_2025_communes.csv``), imported
through :func:`qms.admin_changes.plan.parse_change_csv` and :func:`qms.admin_changes.store.apply_change`
(the path of ``qms import-changes``), which is what the benchmark times.  Two acts, both taking
effect on :data:`~qms.bench.scales.REFORM_DATE`:

1. **Provinces** (NQ 202/2025/QH15's shape; the grouping is synthetic, the counts real): 63 -> 34,
   11 unchanged, 6 groups of three and 17 pairs.  In each group the first province (seeded order)
   continues (its key, code and name) and the others end, linked to it; each of their departments
   and sub-departments ends into the same-numbered one of the continuing province.
2. **Communes** (the 34 resolutions 1654-1687/NQ-UBTVQH15 as one file): every commune existing
   on the eve goes into one of :attr:`~qms.bench.scales.Scale.communes_after` new commune-level
   units of its new province (3,321 nationally: 2,621 xã, 687 phường, 13 đặc khu), by whole-unit
   merges of 2 to ~8 neighbouring communes (often across district lines); about 3% of the new
   units are an old commune alone, which continues (same key, history kept) unless it was a thị
   trấn (that kind no longer exists: a new unit of kind xã); about 1.5% of the merges also take
   part of a neighbouring group's commune, which is thus **split** (``partial:0.6`` / ``partial:0.4``;
   at least one split in any crosswalk).
   Each new unit takes one predecessor's code (codes reused as in reality: the new unit gets the
   key ``<code>@2025-07-01``), keeps that predecessor's name in 60% of cases and gets a new name
   otherwise (a code reused by a differently named unit); 1% of old names are written without
   diacritics (name variants the preview reports).  Every commune sits directly under its new
   province (``parent_code``), so every district ends with no successor.

After the import, :func:`generate_after_reform` gives the new communes a rollout (SQL, seeded):
building from August-November 2025, some applying, about a fifth announced by 30/06/2026.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import random
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from qms.accounts.rules import system_principal
from qms.bench.names import SYLLABLES
from qms.bench.random_sql import below, uniform
from qms.bench.scales import AFTER_UNTIL, REFORM_DATE, Scale
from qms.units.store import NAME_ON_SQL

#: Commune-level units after the reform, by kind (national figures of 16/06/2025).
REAL_KINDS_AFTER = {"xa": 2_621, "phuong": 687, "dac_khu": 13}
#: Provinces 63 -> 34: of the 29 that disappear, 6 groups of three take 12 and 17 pairs take 17.
REAL_TRIPLES_PER_DISAPPEARING = 6 / 29
SINGLE_SHARE = 0.03
SPLIT_SHARE = 0.015
KEEP_NAME_SHARE = 0.6
VARIANT_SHARE = 0.01
PROVINCE_ACT = "NQ 202/2025/QH15 (12/06/2025), benchmark: synthetic grouping"
COMMUNE_ACT = "NQ 1654-1687/NQ-UBTVQH15 (16/06/2025), benchmark: synthetic crosswalk"
PROVINCE_FILE = "reform-2025-provinces.csv"
COMMUNE_FILE = "reform-2025-communes.csv"
COLUMNS = ["new_code", "new_name", "kind", "level", "formed_from_old_codes", "formed_from_old_names", "formed_from_shares",
           "identity", "parent_code", "act", "effective_date", "source"]
_PREFIX = {"xa": "Xã ", "phuong": "Phường ", "dac_khu": "Đặc khu ", "thi_tran": "Thị trấn "}


def _h(key: str, salt: str, seed: int) -> int:
    """A stable hash of (key, salt, seed): the same seed gives the same crosswalk anywhere."""
    return int.from_bytes(hashlib.sha256(f"{key}|{salt}|{seed}".encode()).digest()[:8], "big")


@dataclass
class _Commune:
    key: str
    code: str
    name: str
    kind: str
    district_name: str
    province: str


@dataclass
class _Group:
    province: str
    members: list[_Commune]
    split_in: _Commune | None = None  # part of the previous group's last commune
    split_out: bool = False           # its last member is split with the next group
    kind: str = "xa"
    continues: bool = False
    seat: _Commune | None = None
    name: str = ""
    extra: dict = field(default_factory=dict)


def province_groups(codes: list[str], after: int, seed: int) -> list[list[str]]:
    """``codes`` grouped into ``after`` provinces: groups of three and pairs in the real
    proportion, the rest alone; the first of each group continues."""
    gone = len(codes) - after
    if gone < 0:
        raise ValueError(f"{after} provinces after the reform, more than the {len(codes)} before")
    triples = round(gone * REAL_TRIPLES_PER_DISAPPEARING)
    pairs = gone - 2 * triples
    if 3 * triples + 2 * pairs > len(codes):
        raise ValueError(f"{len(codes)} provinces cannot merge into {after}")
    order = sorted(codes, key=lambda c: (_h(c, "province", seed), c))
    groups, i = [], 0
    for size in [3] * triples + [2] * pairs:
        groups.append(order[i:i + size])
        i += size
    return groups + [[c] for c in order[i:]]


def _quotas(sizes: dict[str, int], total_after: int) -> dict[str, int]:
    """New units per new province, proportional to its communes, summing to ``total_after``."""
    total = sum(sizes.values())
    out, before = {}, 0
    for p in sorted(sizes):
        upto = before + sizes[p]
        out[p] = upto * total_after // total - before * total_after // total
        before = upto
    for p, n in out.items():
        if n < 1 or n > sizes[p]:
            raise ValueError(f"province {p}: {sizes[p]} communes cannot form {n} new ones")
    return out


def _sizes(m: int, n: int, rng: random.Random) -> list[int]:
    """``m`` communes in ``n`` groups: about 3% alone, the others 2 or more (stars and bars)."""
    singles = min(n, max(round(n * SINGLE_SHARE), 2 * n - m))
    merged = n - singles
    extra = m - singles - 2 * merged
    if merged == 0:
        parts = []
    else:
        cuts = sorted(rng.sample(range(extra + merged - 1), merged - 1))
        bounds = [-1, *cuts, extra + merged - 1]
        parts = [2 + (b - a - 1) for a, b in zip(bounds, bounds[1:])]
    sizes = [1] * singles + parts
    rng.shuffle(sizes)
    return sizes


def _strip_accents(text: str) -> str:
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                                if unicodedata.category(c) != "Mn").replace("đ", "d").replace("Đ", "D"))


def _base_name(name: str) -> str:
    for prefix in ("Thị trấn ", "Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _units_on(cur, day: dt.date, level: str) -> list[tuple]:
    return cur.execute(
        f"""SELECT u.code, u.gso_code, n.name, u.kind, u.parent_code FROM units u JOIN ({NAME_ON_SQL}) n ON n.code = u.code
            WHERE u.level = $level AND (u.valid_from IS NULL OR u.valid_from <= $as_of)
              AND (u.valid_to IS NULL OR u.valid_to > $as_of) ORDER BY u.code""",
        {"as_of": day, "level": level}).fetchall()


def crosswalks(cur, scale: Scale, seed: int) -> dict:
    """The two change files (CSV text) of the reform against the units of its eve, and what
    they should do (the counts the import must reproduce)."""
    eve = REFORM_DATE - dt.timedelta(days=1)
    provinces = {r[0]: r for r in _units_on(cur, eve, "province")}
    groups = province_groups(sorted(provinces), scale.provinces_after, seed)
    into = {old: g[0] for g in groups for old in g}
    common = {"act": "", "effective_date": REFORM_DATE.isoformat()}
    rows: list[dict] = []
    departments = {r[0]: r for r in _units_on(cur, eve, "department")}
    for g in groups:
        if len(g) == 1:
            continue
        keep = provinces[g[0]]
        rows.append(common | {"new_code": keep[1], "new_name": keep[2], "kind": keep[3], "level": "province",
                              "formed_from_old_codes": ";".join(provinces[c][1] for c in g),
                              "formed_from_old_names": ";".join(provinces[c][2] for c in g), "identity": "continues",
                              "act": PROVINCE_ACT, "source": "benchmark: synthetic province grouping"})
        for code, (_, gso, name, kind, parent) in departments.items():
            if not code.startswith(f"S{g[0]}-"):
                continue
            suffix = code[len(f"S{g[0]}-"):]
            olds = [f"S{p}-{suffix}" for p in g if f"S{p}-{suffix}" in departments]
            rows.append(common | {"new_code": gso, "new_name": name, "kind": kind, "level": "department",
                                  "formed_from_old_codes": ";".join(olds),
                                  "formed_from_old_names": ";".join(departments[o][2] for o in olds),
                                  "identity": "continues", "parent_code": parent, "act": PROVINCE_ACT,
                                  "source": "benchmark: departments of the merged provinces"})
    province_csv = _csv(rows) if rows else None
    department_rows = [r for r in rows if r["level"] == "department"]

    districts = {r[0]: r for r in _units_on(cur, eve, "district")}
    by_province: dict[str, list[_Commune]] = {}
    for key, gso, name, kind, parent in _units_on(cur, eve, "commune"):
        d = districts[parent]
        by_province.setdefault(into[d[4]], []).append(_Commune(key, gso, name, kind, d[2], d[4]))
    order = {p: i for g in groups for i, p in enumerate(g)}
    for members in by_province.values():
        members.sort(key=lambda c: (order[c.province], c.key))
    rng = random.Random(f"{seed}|reform-2025")
    quotas = _quotas({p: len(m) for p, m in by_province.items()}, scale.communes_after)
    plan: list[_Group] = []
    for p in sorted(by_province):
        members, start = by_province[p], 0
        mine = []
        for size in _sizes(len(members), quotas[p], rng):
            mine.append(_Group(p, members[start:start + size]))
            start += size
        for a, b in zip(mine, mine[1:]):
            if len(a.members) >= 2 and len(b.members) >= 2 and b.split_in is None and rng.random() < SPLIT_SHARE:
                a.split_out, b.split_in = True, a.members[-1]
        plan += mine
    if not any(g.split_in for g in plan):
        # Every crosswalk splits at least one commune (a province's few merges may draw none).
        pairs = [(a, b) for a, b in zip(plan, plan[1:]) if a.province == b.province and len(a.members) >= 2 <= len(b.members)]
        if pairs:
            a, b = rng.choice(pairs)
            a.split_out, b.split_in = True, a.members[-1]
    for g in plan:
        g.continues = len(g.members) == 1 and g.split_in is None and g.members[0].kind in ("xa", "phuong")
        g.seat = g.members[0] if len(g.members) == 1 else rng.choice(g.members)
    total = len(plan)
    want = {k: round(total * n / sum(REAL_KINDS_AFTER.values())) for k, n in REAL_KINDS_AFTER.items()}
    for g in plan:
        if g.continues:
            g.kind = g.seat.kind
    free = [g for g in plan if not g.continues]
    urban = sorted(free, key=lambda g: (-sum(c.kind == "phuong" for c in g.members) / len(g.members),
                                        _h(g.seat.key, "urban", seed)))
    for g in urban[:max(0, want["phuong"] - sum(g.continues and g.kind == "phuong" for g in plan))]:
        g.kind = "phuong"
    rural = sorted((g for g in free if g.kind == "xa"), key=lambda g: _h(g.seat.key, "island", seed))
    for g in rural[:want["dac_khu"]]:
        g.kind = "dac_khu"
    rows = []
    for g in plan:
        if g.continues:
            g.name = g.seat.name
        elif rng.random() < KEEP_NAME_SHARE:
            g.name = _PREFIX[g.kind] + _base_name(g.seat.name)
        else:
            a, b = rng.sample(SYLLABLES, 2)
            g.name = f"{_PREFIX[g.kind]}{a} {b}"
        olds = list(g.members) + ([g.split_in] if g.split_in else [])
        shares = None
        if g.split_in or g.split_out:
            shares = ["partial:0.6" if g.split_out and c is g.members[-1] else "full" for c in g.members]
            shares += ["partial:0.4"] if g.split_in else []
        written = [(_strip_accents(c.name) if rng.random() < VARIANT_SHARE else c.name) + f" [{c.district_name}]" for c in olds]
        rows.append({"new_code": g.seat.code, "new_name": g.name, "kind": g.kind, "level": "commune",
                     "formed_from_old_codes": ";".join(c.code for c in olds), "formed_from_old_names": ";".join(written),
                     "formed_from_shares": ";".join(shares) if shares else "",
                     "identity": "new" if len(g.members) == 1 and not g.continues else "",
                     "parent_code": g.province, "act": COMMUNE_ACT, "effective_date": REFORM_DATE.isoformat(),
                     "source": f"benchmark: synthetic crosswalk, new province {g.province}"})
    kinds: dict[str, int] = {}
    for g in plan:
        kinds[g.kind] = kinds.get(g.kind, 0) + 1
    expected = {
        "provinces_after": len(groups), "provinces_ended": sum(len(g) - 1 for g in groups),
        "departments_ended": sum(len(r["formed_from_old_codes"].split(";")) - 1 for r in department_rows),
        "communes_before": sum(len(m) for m in by_province.values()), "communes_after": total, "kinds_after": kinds,
        "continuing": sum(g.continues for g in plan), "splits": sum(g.split_in is not None for g in plan),
        "districts_ended": len(districts),
    }
    return {"provinces": province_csv, "communes": _csv(rows), "expected": expected}


def write_crosswalks(cur, scale: Scale, seed: int, folder: Path, *, prefix: str = "") -> dict:
    """Write the crosswalk files into ``folder`` (as a province saves the act's table as UTF-8
    CSV), their names starting with ``prefix``; return their paths and the expected counts."""
    made = crosswalks(cur, scale, seed)
    files = []
    for name, text in ((PROVINCE_FILE, made["provinces"]), (COMMUNE_FILE, made["communes"])):
        if text is None:
            continue
        path = folder / (f"{prefix}-{name}" if prefix else name)
        path.write_text(text, encoding="utf-8")
        files.append(str(path))
    return {"files": files, "expected": made["expected"]}


def import_crosswalks(db, files: list[str]) -> dict:
    """Import each file as ``qms import-changes FILE`` does: read and decode, parse, apply (plan,
    preview facts, write, all in one transaction).  Returns the seconds of each part and what the
    import did.  The dry run (``--dry-run``, the page's preview) runs the same steps in a
    transaction that is rolled back, so it costs what the import costs; it is not timed here."""
    from qms.admin_changes.plan import parse_change_csv
    from qms.admin_changes.store import apply_change
    from qms.units.importer import decode

    out: dict = {"acts": [], "seconds_apply": 0.0}
    for file in files:
        path = Path(file)
        t0 = time.perf_counter()
        rows = parse_change_csv(decode(path.read_bytes(), path.name), path.name)
        t1 = time.perf_counter()
        done = apply_change(db, rows, path.name, actor=system_principal("bench"))
        t2 = time.perf_counter()
        if not done.written or done.already_imported:
            raise RuntimeError(f"{path.name}: the import wrote nothing")
        plan = done.plan
        out["acts"].append({
            "file": path.name, "act": plan.act, "rows": len(rows),
            "seconds": {"parse": round(t1 - t0, 3), "apply": round(t2 - t1, 3)},
            "new_units": len(plan.new_units), "continuing": len(plan.continuing), "links": len(plan.links),
            "partial_links": sum(link.share == "partial" for link in plan.links), "ended": len(plan.ended),
            "ended_without_successor": len(plan.ended_without_successor), "reused_codes": len(plan.reused_codes),
            "name_variants": len(plan.name_variants), "actions_moved": len(done.moves), "actions_cancelled": len(done.cancels),
            "open_work_units": len(done.open_work),
        })
        out["seconds_apply"] += t2 - t0
    out["seconds_apply"] = round(out["seconds_apply"], 3)
    return out


#: The new communes' rollout: about 25% not started by 30/06/2026, the others building from
#: August-November 2025; of those, a quarter stay building, the rest apply 60-90 days later, and
#: about 27% of all new units announce (internal audit, review and confirmation before).
_AFTER_SQL = f"""
WITH n AS (
    SELECT code, {uniform('code', 'after-path')} AS r,
           DATE '{REFORM_DATE + dt.timedelta(days=31)}' + {below('code', 'after-build', 122)} AS built,
           60 + {below('code', 'after-apply', 31)} AS a, 20 + {below('code', 'after-audit', 21)} AS b,
           5 + {below('code', 'after-review', 11)} AS c, 1 + {below('code', 'after-confirm', 10)} AS d,
           1 + {below('code', 'after-announce', 20)} AS e
    FROM units WHERE level = 'commune' AND valid_from = $reform
), p AS (
    SELECT *, CASE WHEN r < 0.25 THEN 'never' WHEN r < 0.45 THEN 'building' WHEN r < 0.73 THEN 'applying'
                   ELSE 'announced' END AS path FROM n
)
SELECT code, 1 AS step, 'build_started' AS t, built AS d, NULL AS s FROM p WHERE path <> 'never'
UNION ALL SELECT code, 2, 'applied', built + a, NULL FROM p WHERE path IN ('applying', 'announced')
UNION ALL SELECT code, 3, 'internal_audit', built + a + b, NULL FROM p WHERE path = 'announced'
UNION ALL SELECT code, 4, 'management_review', built + a + b + c, NULL FROM p WHERE path = 'announced'
UNION ALL SELECT code, 5, 'effectiveness_confirmed', built + a + b + c + d, NULL FROM p WHERE path = 'announced'
UNION ALL SELECT code, 6, 'announced', built + a + b + c + d + e, '2015' FROM p WHERE path = 'announced'
"""


def generate_after_reform(cur, seed: int) -> dict[str, int]:
    """Insert the new communes' lifecycle events after the reform (SQL; spans are derived after)."""
    params = {"seed": str(seed), "reform": REFORM_DATE}
    cur.execute(f"CREATE TEMP TABLE bench_after AS {_AFTER_SQL}", params)
    late = cur.execute("SELECT count(*) FROM bench_after WHERE d > ?", [AFTER_UNTIL]).fetchall()[0][0]
    if late:  # pragma: no cover - a bug in the generator
        raise AssertionError(f"the generator dated {late} events after {AFTER_UNTIL}")
    base = cur.execute("SELECT coalesce(max(id), 0) FROM qms_events").fetchall()[0][0]
    cur.execute(
        f"""INSERT INTO qms_events (id, unit_code, event_type, event_date, decision_no, standard, scope_note, source,
                                    date_estimated, recorded_by)
            SELECT $base + row_number() OVER (ORDER BY d, code, step), code, t, d,
                   CASE WHEN t = 'announced' THEN (1 + {below("code || d::VARCHAR", 'after-dn', 300)})::VARCHAR || '/QĐ-UBND' END,
                   s, CASE WHEN t = 'announced' THEN 'Toàn bộ TTHC thuộc thẩm quyền giải quyết của UBND xã sau sắp xếp' END,
                   'demo', FALSE, 'bench'
            FROM bench_after""", {"seed": str(seed), "base": base})
    n = cur.execute("SELECT count(*) FROM bench_after").fetchall()[0][0]
    cur.execute("SELECT max(nextval('qms_event_id')) FROM range(?)", [base + n])
    types = dict(cur.execute("SELECT t, count(*) FROM bench_after GROUP BY t").fetchall())
    cur.execute("DROP TABLE bench_after")
    return {"qms_events": n, "event_types": types}
