"""``qms coverage``: the announced rate of one level on a date, and per district."""

from __future__ import annotations

from qms.coverage import queries as coverage_store
from qms.kernel.cli_format import print_json, text_table
from qms.kernel.clock import province_today
from qms.kernel.dates import parse_iso
from qms.kernel.db import opened
from qms.kernel.errors import QmsError
from qms.kernel.settings import Settings
from qms.units.model import Level

#: Where its commands stand in ``qms --help`` (features without one follow, by name).
ORDER = 30


def cmd_coverage(args, settings: Settings) -> int:
    as_of = parse_iso(args.as_of, field="--as-of") if args.as_of else province_today()
    level = Level(args.level)
    with opened(settings.db_path) as db:
        row = next(r for r in coverage_store.by_level(db, as_of) if r.level is level)
        has_districts = coverage_store.has_districts(db, as_of)
        if (level is Level.DISTRICT or args.by_district) and not has_districts:
            raise QmsError(
                f"There are no districts on {as_of:%d/%m/%Y}: local government has two levels since 01/07/2025 "
                "(province and commune); ask for --level commune or department, or a date before the reform.",
                vi=f"Không có cấp huyện vào ngày {as_of:%d/%m/%Y}: chính quyền địa phương hai cấp từ 01/07/2025; "
                   "hãy hỏi --level commune hoặc department, hoặc một ngày trước khi sắp xếp.")
        districts = coverage_store.by_district(db, as_of, level) if args.by_district else None
    if args.json:
        out = row.model_dump(mode="json")
        if districts is not None:
            out["by_district"] = [d.model_dump(mode="json") for d in districts]
        print_json(out)
        return 0
    print(f"{level.value} coverage as of {as_of.isoformat()}: {row.announced} of {row.in_plan} announced "
          f"({'-' if row.rate_pct is None else row.rate_pct}%), target {row.target_pct if row.target_pct is not None else '-'}%, "
          f"gap {row.gap_pct if row.gap_pct is not None else '-'} points; building {row.building}, applying {row.applying}, "
          f"not started {row.never_started}, announced but not maintained this year {row.not_maintained}.")
    if districts is not None:
        print()
        print(text_table(
            ["district", "name", "in plan", "announced", "rate %", "target %", "gap"],
            [[d.district_code, d.district_name, d.in_plan, d.announced, d.rate_pct, d.target_pct, d.gap_pct] for d in districts],
        ))
    return 0


def register(sub) -> None:
    p = sub.add_parser("coverage", help="announced rate of one level on a date",
                       description="How many units of a level must or plan to run a QMS on a date, how many announced, the rate, "
                                   "the year's target and the gap.")
    p.add_argument("--level", required=True, choices=[lv.value for lv in Level if lv is not Level.PROVINCE])
    p.add_argument("--as-of", help="date YYYY-MM-DD (default: today); events dated that day count")
    p.add_argument("--by-district", action="store_true", help="also list the level's units per district")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_coverage)
