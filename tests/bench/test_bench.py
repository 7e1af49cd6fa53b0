"""The benchmark at province scale: it completes, its figures agree, its report says what it
measured.  No timing is asserted (figures depend on the machine): only that they exist."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qms.bench import SCALES, render_text, run_benchmark
from qms.bench.baseline import CoverageFigures, differences
from qms.bench.datasets import DataSet, unavailable_reason
from qms.bench.generate import build
from qms.bench.runner import CHECK_DATES
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
    gen = report.generation
    assert gen["replay"]["units"] == SCALES["province"].qms_units
    assert gen["replay"]["events"] == gen["rows"]["qms_events"] > 0


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
    from qms.errors import QmsError

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


def test_same_seed_gives_the_same_country(tmp_path):
    build(tmp_path / "a.duckdb", SCALES["province"], 11, [])
    build(tmp_path / "b.duckdb", SCALES["province"], 11, [])
    build(tmp_path / "c.duckdb", SCALES["province"], 12, [])
    assert _fingerprint(tmp_path / "a.duckdb") == _fingerprint(tmp_path / "b.duckdb") != _fingerprint(tmp_path / "c.duckdb")


def test_generator_refuses_an_existing_file(tmp_path):
    target = tmp_path / "x.duckdb"
    target.write_bytes(b"")
    with pytest.raises(FileExistsError):
        build(target, SCALES["province"], 1, [])


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
    from qms.settings import memory_limit_from_env
    from qms.store.db import open_database

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
