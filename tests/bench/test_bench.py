"""The benchmark at province scale: it completes, its figures agree, its report says what it
measured, before the 2025 reform and after it (the reform imported through the app's own import
path).  No timing is asserted (figures depend on the machine): only that they exist."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from qms.bench import SCALES, render_text, run_benchmark
from qms.bench.baseline import CoverageFigures, differences
from qms.bench.datasets import DataSet, unavailable_reason
from qms.bench.generate import build
from qms.bench.runner import AFTER, CHECK_DATES
from qms.bench.scales import AFTER_UNTIL, HISTORY_UNTIL, REFORM_DATE, Scale
from qms.cli import main


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One province-scale run for the whole module (about ten seconds)."""
    return run_benchmark("province", seed=7, workdir=tmp_path_factory.mktemp("bench"))


def test_province_run_agrees_with_the_baseline(report):
    assert report.differences == [] and report.agrees


def test_figures_are_compared_on_every_check_date(report):
    assert report.checked_dates == [d.isoformat() for d in CHECK_DATES]


def test_measured_figures_have_positive_runs(report):
    measured = [f for f in report.figures if f.available]
    assert {"coverage", "coverage_prototype", "coverage_spans", "overview_render", "baseline", "peak_memory"} <= {f.key for f in measured}
    assert all(f.values and min(f.values) > 0 for f in measured)


def test_timings_have_a_ratio_to_the_baseline(report):
    base = report.figure("baseline")
    assert base.ratio_to_baseline == 1.0
    cov = report.figure("coverage")
    assert cov.ratio_to_baseline == round(cov.median / base.median, 4)


def test_coverage_figure_reports_the_two_call_form_beside_the_one_query(report):
    extra = report.figure("coverage").extra
    assert extra["by_level_plus_by_district_median_s"] >= extra["by_level_plus_by_district_min_s"] > 0


def test_unavailable_steps_say_why(report):
    for fig in report.figures:
        if not fig.available:
            assert fig.note.startswith("not available") and not fig.values


def test_overview_showed_the_store_figure(report):
    shown = report.figure("overview_render").extra["metrics_shown"]
    communes = report.coverage["commune"]
    assert communes["in_plan"] > 0
    assert shown["Cấp xã"] == f"{communes['announced']}/{communes['in_plan']}"


def test_every_event_of_the_province_was_replayed_through_the_rules(report):
    """Every QMS unit, those of before the reform and the new communes, and every event."""
    gen = report.generation
    new_units = gen["reform"]["acts"][-1]["new_units"]
    assert gen["replay"]["units"] == SCALES["province"].qms_units + new_units == gen["rows"]["units"] - 1
    assert gen["replay"]["events"] == gen["rows"]["qms_events"] > gen["fixture"]["events"]["qms_events"]


def test_generated_units_match_the_scale(report):
    counts = report.generation["fixture"]["units"]
    scale = SCALES["province"]
    assert (counts["district"], counts["commune"]) == (scale.districts, scale.communes)
    assert counts["department"] == scale.departments_per_province + scale.sub_departments_per_province


def test_workdir_keeps_the_benchmark_database(report):
    assert report.db_path and Path(report.db_path).is_file()


def test_json_report_carries_the_table(report):
    data = json.loads(report.to_json())
    row = next(f for f in data["figures"] if f["key"] == "coverage")
    assert {"median", "min", "max", "ratio_to_baseline", "goal", "met"} <= set(row)
    assert data["agreement"]["agrees"] is True and data["machine"]["nproc"] >= 1


def test_text_report_lists_every_figure(report):
    text = render_text(report)
    assert all(f.title in text for f in report.figures)
    assert "figures agree" in text


def test_a_workdir_holding_a_benchmark_database_is_refused(report):
    from qms.kernel.errors import QmsError

    with pytest.raises(QmsError, match="already exists"):
        run_benchmark("province", seed=7, workdir=Path(report.db_path).parent)


def test_differences_name_the_level_and_the_district():
    a = CoverageFigures({"commune": {"in_plan": 3, "announced": 2}}, {"101": ("Huyện A", 3, 2)})
    b = CoverageFigures({"commune": {"in_plan": 3, "announced": 1}}, {"101": ("Huyện A", 3, 1)})
    found = differences(a, b)
    assert len(found) == 2 and found[0].startswith("commune") and found[1].startswith("district 101")


def test_identical_figures_have_no_difference():
    a = CoverageFigures({"commune": {"in_plan": 0, "announced": 0}}, {})
    assert differences(a, a) == []


def _fingerprint(path: Path) -> tuple:
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(
            "SELECT (SELECT md5(string_agg(unit_code || event_type || event_date::VARCHAR || coalesce(standard, ''), ',' "
            "ORDER BY id)) FROM qms_events), (SELECT md5(string_agg(code || coalesce(valid_to::VARCHAR, ''), ',' ORDER BY code)) FROM units)"
        ).fetchall()[0]
    finally:
        con.close()


def test_generator_refuses_an_existing_file(tmp_path):
    target = tmp_path / "x.duckdb"
    target.write_bytes(b"")
    with pytest.raises(FileExistsError):
        build(target, MINI, 1, [], reform=False)


def test_dataset_without_its_migration_is_not_generated(db):
    reason = unavailable_reason(db.cursor(), DataSet("x", "future data", 999, (), None))
    assert reason.startswith("not available yet") and "999" in reason


def test_dataset_with_missing_tables_is_not_generated(db):
    reason = unavailable_reason(db.cursor(), DataSet("x", "units", 1, ("units", "no_such_table"), lambda *a: {}))
    assert "no_such_table" in reason and "units," not in reason


def test_dataset_without_generator_is_an_extension_point(db):
    reason = unavailable_reason(db.cursor(), DataSet("x", "units", 1, ("units",), None))
    assert "no generator" in reason


def test_cli_refuses_the_user_database(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "mine.duckdb"), "bench"]) == 2
    assert "--db" in capsys.readouterr().err
    assert not (tmp_path / "mine.duckdb").exists()


def test_every_available_dataset_was_generated(report):
    for key, ds in report.generation["datasets"].items():
        if ds["generated"]:
            assert all(n > 0 for n in ds["rows"].values()), key
        else:
            assert ds["reason"].startswith("not available yet"), key


def test_a_failing_step_is_reported_not_hidden(report):
    from qms.bench.runner import _guarded

    errors_before = list(report.errors)
    try:
        (fig,) = _guarded(report, "x", "9. broken step", "s", lambda: 1 / 0)
        assert not fig.available and fig.note.startswith("FAILED: ZeroDivisionError")
        assert report.errors[-1].startswith("9. broken step") and not report.ok
    finally:
        report.errors[:] = errors_before


def test_the_benchmark_checklist_has_one_hundred_valid_items():
    from qms.bench.steps_writes import hundred_item_template

    entry = hundred_item_template()
    refs = [item.ref for _, item in entry.template.items()]
    assert entry.template.item_count == 100 == len(set(refs))


def test_cli_refuses_a_memory_limit_that_is_not_a_size(capsys):
    assert main(["bench", "--memory-limit", "1GB; DROP TABLE units"]) == 2
    assert "--memory-limit" in capsys.readouterr().err


def test_actions_replay_through_the_transition_rules(report):
    replay = report.generation.get("replay_actions")
    if not report.generation["datasets"].get("actions", {}).get("generated"):
        pytest.skip("migration 003 is not in this checkout")
    assert replay["actions"] == report.generation["rows"]["actions"] and replay["steps"] > replay["actions"]


def test_the_memory_limit_defaults_to_the_apps_setting(report):
    """Without --memory-limit the benchmark measures with the app's own limit (QMS_MEMORY_LIMIT,
    default 512MB), not DuckDB's 80% of the RAM."""
    from qms.kernel.db import open_database
    from qms.kernel.settings import memory_limit_from_env

    probe = open_database(":memory:", memory_limit=memory_limit_from_env())
    try:
        expected = probe.scalar("SELECT current_setting('memory_limit')")
    finally:
        probe.close()
    assert report.machine["duckdb_memory_limit"] == expected


def test_the_generated_database_has_its_stage_spans(report):
    """The generator inserts events with SQL, then derives the spans (migration 008) from them."""
    spans = report.generation["stage_spans"]
    assert spans["unit_stage_spans"] > 0 and spans["unit_first_announced"] > 0


# -- the country of today ----------------------------------------------------------------------


def _units_on(path: str, day) -> dict[str, int]:
    from qms.kernel.db import connect

    # qms's own connection settings: the benchmark may still hold the file open in this process
    con = connect(path)
    try:
        return dict(con.execute(
            "SELECT level, count(*) FROM units WHERE (valid_from IS NULL OR valid_from <= ?) AND (valid_to IS NULL OR valid_to > ?)"
            " GROUP BY level", [day, day]).fetchall())
    finally:
        con.close()


def test_the_province_of_today_has_no_district_and_its_new_communes(report):
    scale = SCALES["province"]
    assert _units_on(report.db_path, REFORM_DATE - dt.timedelta(days=1))["district"] == scale.districts
    today = _units_on(report.db_path, REFORM_DATE)
    assert today["commune"] == scale.communes_after and "district" not in today and today["province"] == 1
    act = report.generation["reform"]["acts"][-1]
    assert act["ended_without_successor"] == scale.districts and act["partial_links"] > 0 and act["actions_moved"] > 0
    assert act["reused_codes"] > 0 and act["continuing"] + act["new_units"] == scale.communes_after


def test_the_crosswalk_is_a_file_in_the_reference_columns(report):
    """What was imported is a file a province could have saved: it parses as one act."""
    from qms.admin_changes.plan import parse_change_csv

    path = Path(report.db_path).parent / "bench-province-reform-2025-communes.csv"
    rows = parse_change_csv(path.read_text(encoding="utf-8"), path.name)
    header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"new_code", "new_name", "kind", "formed_from_old_codes", "formed_from_old_names"} <= set(header)
    assert len(rows) == SCALES["province"].communes_after and {r.effective for r in rows} == {REFORM_DATE}


def test_the_crosswalk_import_is_a_figure_with_its_goal(report):
    fig = report.figure("crosswalk_import")
    assert fig.values and fig.values[0] > 0 and fig.goal == 60.0 and fig.met is not None
    assert fig.extra["memory_limit"] == report.machine["duckdb_memory_limit"]


def test_every_figure_is_measured_after_the_reform_too(report):
    assert report.as_of == HISTORY_UNTIL and report.as_of_after == AFTER_UNTIL
    for key in ("coverage", "coverage_prototype", "coverage_spans", "overview_render", "checklist_draft_save",
                "checklist_submit", "snapshot", "baseline"):
        before, after = report.figure(key), report.figure(key + AFTER)
        assert before.as_of == HISTORY_UNTIL.isoformat() and after.as_of == AFTER_UNTIL.isoformat()
        assert after.available and after.values and min(after.values) > 0, key
    assert report.figure("baseline" + AFTER).ratio_to_baseline == 1.0
    assert report.speedup(AFTER) is not None


def test_the_overview_after_the_reform_shows_the_communes_under_the_province(report):
    shown = report.figure("overview_render" + AFTER).extra["metrics_shown"]
    communes = report.coverage_after["commune"]
    assert shown["Cấp xã"] == f"{communes['announced']}/{communes['in_plan']}" and "Cấp huyện" not in shown
    assert report.coverage_after["district"]["in_plan"] == 0
    assert report.without_district_after == communes["in_plan"] > 0
    assert report.without_district_after in report.figure("overview_render" + AFTER).extra["table_rows"]


def test_the_pure_reference_lists_the_communes_under_no_district(report):
    ref = report.generation["reference_without_district"]
    assert ref[HISTORY_UNTIL.isoformat()]["communes"] == 0
    assert ref[AFTER_UNTIL.isoformat()]["communes"] == report.without_district_after
    assert ref[REFORM_DATE.isoformat()]["by_stage"].get("announced", 0) < ref[AFTER_UNTIL.isoformat()]["by_stage"]["announced"]


def test_the_text_report_has_a_table_per_date_and_the_import(report):
    text = render_text(report)
    assert "before the reform, figures as of 31/12/2021" in text and "after the reform, figures as of 30/06/2026" in text
    assert "7. crosswalk import" in text and "ended without successor" in text


def test_differences_name_the_communes_under_no_district():
    a = CoverageFigures({}, {}, {"00001": "announced", "00002": "building"})
    b = CoverageFigures({}, {}, {"00001": "announced", "00002": "applying"})
    found = differences(a, b)
    assert len(found) == 1 and "communes under no district" in found[0] and "00002" in found[0]
    assert differences(a, CoverageFigures({}, {}, None)) == []


def test_provinces_merge_in_the_real_proportions():
    from qms.bench.fixture_reform import province_groups
    from qms.bench.names import PROVINCES

    groups = province_groups([c for c, _ in PROVINCES], 34, 2025)
    sizes = sorted(len(g) for g in groups)
    assert len(groups) == 34 and (sizes.count(1), sizes.count(2), sizes.count(3)) == (11, 17, 6)
    assert sorted(c for g in groups for c in g) == sorted(c for c, _ in PROVINCES)
    with pytest.raises(ValueError):
        province_groups(["01", "02", "04"], 1, 1)


def test_communes_are_grouped_into_exact_quotas():
    import random

    from qms.bench.fixture_reform import _quotas, _sizes

    quotas = _quotas({"01": 400, "02": 250, "08": 9}, 200)
    assert sum(quotas.values()) == 200 and all(n >= 1 for n in quotas.values())
    for m, n in ((400, 121), (9, 3), (10, 10), (7, 4)):
        sizes = _sizes(m, n, random.Random(m))
        assert sum(sizes) == m and len(sizes) == n and min(sizes) >= 1


MINI = Scale(name="mini", provinces=3, districts=6, communes=72, departments_per_province=15, sub_departments_per_province=4,
             processes_tthc=3_000, checklist_answers=4_000, actions=200, provinces_after=2, communes_after=24,
             coverage_runs=1, baseline_runs=1, render_runs=1, save_runs=1, snapshot_runs=1)


@pytest.fixture(scope="module")
def small_countries(tmp_path_factory):
    """Three small countries (3 provinces -> 2), the reform imported through the import path:
    two with the same seed, one with another."""
    folder = tmp_path_factory.mktemp("mini")
    out = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        path = folder / name / "mini.duckdb"
        path.parent.mkdir()
        out[name] = (path, build(path, MINI, seed, [REFORM_DATE, AFTER_UNTIL]))
    return out


def test_same_seed_gives_the_same_country_and_the_same_reform(small_countries):
    prints = {name: _fingerprint(path) for name, (path, _) in small_countries.items()}
    walks = {name: (path.parent / "mini-reform-2025-communes.csv").read_text(encoding="utf-8")
             for name, (path, _) in small_countries.items()}
    assert prints["a"] == prints["b"] != prints["c"]
    assert walks["a"] == walks["b"] != walks["c"]


def test_a_small_country_merges_provinces_and_their_departments(small_countries):
    """The province-merger act at small scale: three provinces into two, through the import path."""
    path, summary = small_countries["a"]
    day = REFORM_DATE
    acts = {a["file"]: a for a in summary["reform"]["acts"]}
    provinces = acts["mini-reform-2025-provinces.csv"]
    assert provinces["continuing"] == 1 + 19 and provinces["ended"] == 1 + 19 and provinces["new_units"] == 0
    assert _units_on(str(path), day) == {"province": 2, "department": 2 * 19, "commune": 24}
    assert summary["reference"][day.isoformat()]["district"]["in_plan"] == 0
    assert summary["reference_without_district"][day.isoformat()]["communes"] == summary["reference"][day.isoformat()]["commune"]["in_plan"]


def test_the_database_opens_again_in_the_same_process_after_a_spill(tmp_path):
    """The benchmark (and the overview it drives) open the same file twice in one process, which
    shares one DuckDB instance: once something has spilled to the temporary folder, opening
    again must not try to set that folder again (DuckDB refuses to switch it)."""
    from qms.kernel.db import open_database, spill_directory

    path = tmp_path / "spill.duckdb"
    first = open_database(path, memory_limit="30MB")
    first.rows("CREATE TABLE big AS SELECT range AS i, md5(range::VARCHAR) AS s FROM range(500000)")
    first.rows("CREATE TABLE sorted AS SELECT * FROM big ORDER BY s")
    assert any(spill_directory(str(path)).iterdir())
    second = open_database(path)
    assert second.scalar("SELECT count(*) FROM sorted") == 500_000
