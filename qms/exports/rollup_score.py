"""The PAR ISO criteria per province, scored from each province's own snapshot.

The counts are the province's own figures, read from its snapshot exactly as the province's
``qms indicators`` computes them (:func:`qms.exports.indicators_queries.measure_counts`):

- ``announced_rate`` of a level: ``announced`` / ``in_plan`` of ``coverage_level.parquet``;
- ``maintained_rate``: (``announced`` - ``not_maintained``) / ``announced``.

They are scored with the roll-up's methodology file (the Ministry's, one for every province:
a province's own snapshot may have been scored with another).  ``par_score_units`` lists the
units behind each point lost: for ``announced_rate`` the in-plan units of the level not
announced (reason: their stage), for ``maintained_rate`` the announced units due to maintain
without both an internal audit and a management review this year (from ``unit_status.parquet``).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from qms.exports.par_rules import Methodology, score
from qms.exports.rollup_rules import Candidate

SCORES_SCHEMA = pa.schema([
    ("province_code", pa.string()), ("province_name", pa.string()), ("as_of", pa.date32()),
    ("criterion_code", pa.string()), ("level", pa.string()), ("measure", pa.string()),
    ("numerator", pa.int32()), ("denominator", pa.int32()), ("rate_pct", pa.float64()), ("points", pa.float64()),
    ("max_points", pa.float64()), ("units_below", pa.int32()), ("methodology_id", pa.string()),
    ("methodology_version", pa.int32()), ("methodology_sample", pa.bool_()), ("source_snapshot", pa.string()),
])
UNITS_SCHEMA = pa.schema([
    ("province_code", pa.string()), ("criterion_code", pa.string()), ("unit_code", pa.string()), ("unit_name", pa.string()),
    ("level", pa.string()), ("parent_code", pa.string()), ("reason", pa.string()),
])


def _maintenance_reason(row: dict) -> str:
    audit, review = row["internal_audit_this_year"], row["management_review_this_year"]
    return "no_audit_no_review" if not (audit or review) else ("no_internal_audit" if not audit else "no_management_review")


def score_province(candidate: Candidate, folder: Path, methodology: Methodology) -> tuple[list[dict], list[dict]]:
    coverage = {r["level"]: r for r in pq.read_table(folder / "coverage_level.parquet").to_pylist()}
    status_path, units_path = folder / "unit_status.parquet", folder / "units.parquet"
    status = pq.read_table(status_path).to_pylist() if status_path.is_file() else []
    units = {r["code"]: r for r in pq.read_table(units_path, columns=["code", "name", "parent_code"]).to_pylist()}
    scores, below = [], []
    for c in methodology.criteria:
        row = coverage.get(c.level) or {"in_plan": 0, "announced": 0, "not_maintained": 0}
        if c.measure == "announced_rate":
            num, den = row["announced"], row["in_plan"]
            short = [(s, s["stage"]) for s in status if s["level"] == c.level and s["in_plan"] and s["stage"] != "announced"]
        else:
            num, den = row["announced"] - row["not_maintained"], row["announced"]
            short = [(s, _maintenance_reason(s)) for s in status if s["level"] == c.level and s["in_plan"]
                     and s["maintenance_due"] and not s["maintained_this_year"]]
        result = score(c, num, den)
        listed = [] if result.points is None or result.full_marks else sorted(short, key=lambda x: x[0]["unit_code"])
        scores.append({
            "province_code": candidate.province_code, "province_name": candidate.province_name, "as_of": candidate.as_of,
            "criterion_code": c.code, "level": c.level, "measure": c.measure, "numerator": num, "denominator": den,
            "rate_pct": result.rate_pct, "points": result.points, "max_points": c.max_points, "units_below": len(listed),
            "methodology_id": methodology.id, "methodology_version": methodology.version,
            "methodology_sample": methodology.sample, "source_snapshot": candidate.name,
        })
        for s, reason in listed:
            u = units.get(s["unit_code"], {})
            below.append({"province_code": candidate.province_code, "criterion_code": c.code, "unit_code": s["unit_code"],
                          "unit_name": u.get("name"), "level": c.level, "parent_code": u.get("parent_code"), "reason": reason})
    return scores, below


def score_provinces(sources: list[tuple[Candidate, Path]], methodology: Methodology) -> tuple[list[dict], list[dict]]:
    """Every criterion of ``methodology`` for every province, ordered by province then criterion."""
    scores, units = [], []
    for candidate, folder in sources:
        s, u = score_province(candidate, folder, methodology)
        scores += sorted(s, key=lambda r: r["criterion_code"])
        units += sorted(u, key=lambda r: (r["criterion_code"], r["unit_code"]))
    return scores, units


_SCORE_HEADERS = [
    ("province_code", "Mã tỉnh"), ("province_name", "Tên tỉnh"), ("as_of", "Tính đến ngày"), ("criterion_code", "Mã tiêu chí"),
    ("level", "Cấp"), ("measure", "Đại lượng đo"), ("numerator", "Tử số"), ("denominator", "Mẫu số"),
    ("rate_pct", "Tỷ lệ (%)"), ("points", "Điểm đạt"), ("max_points", "Điểm tối đa"), ("units_below", "Số đơn vị chưa đạt"),
    ("methodology_id", "Mã phương pháp"), ("methodology_version", "Phiên bản phương pháp"),
    ("methodology_sample", "Phương pháp mẫu"), ("source_snapshot", "Bản xuất nguồn"),
]
_UNIT_HEADERS = [
    ("province_code", "Mã tỉnh"), ("criterion_code", "Mã tiêu chí"), ("unit_code", "Mã đơn vị"), ("unit_name", "Tên đơn vị"),
    ("level", "Cấp"), ("parent_code", "Mã đơn vị trực thuộc"), ("reason", "Lý do chưa đạt"),
]


def totals(scores: list[dict]) -> list[dict]:
    """Per province: points earned and the points that could be earned (criteria with a unit counted)."""
    out: dict[str, dict] = {}
    for r in scores:
        t = out.setdefault(r["province_code"], {"province_code": r["province_code"], "province_name": r["province_name"],
                                                "points": 0.0, "max_points": 0.0})
        if r["denominator"]:
            t["points"] = round(t["points"] + (r["points"] or 0.0), 4)
            t["max_points"] = round(t["max_points"] + r["max_points"], 4)
    return list(out.values())


def sheets(scores: list[dict], units: list[dict]) -> list[tuple[str, list[str], list[list]]]:
    """The workbook: totals, criteria, units below (headers 'Vietnamese (column)', the Parquet names)."""
    def head(pairs):
        return [f"{vi} ({en})" for en, vi in pairs]

    total_pairs = [("province_code", "Mã tỉnh"), ("province_name", "Tên tỉnh"), ("points", "Tổng điểm"),
                   ("max_points", "Điểm tối đa áp dụng")]
    return [
        ("Tổng điểm", head(total_pairs), [[t[k] for k, _ in total_pairs] for t in totals(scores)]),
        ("Điểm theo tiêu chí", head(_SCORE_HEADERS), [[r[k] for k, _ in _SCORE_HEADERS] for r in scores]),
        ("Đơn vị chưa đạt", head(_UNIT_HEADERS), [[r[k] for k, _ in _UNIT_HEADERS] for r in units]),
    ]
