"""Administrative changes by legal act: the Lai Châu 2025 crosswalk on the demo, code reuse
without bleed, splits, chains, refusals, carry-over, and the demo of today on both sides."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from qms.accounts.rules import system_principal
from qms.admin_changes import store
from qms.admin_changes.plan import parse_change_csv
from qms.coverage.queries import by_district, by_level, levels_on
from qms.kernel.errors import ImportRowError, QmsError
from qms.kernel.settings import PROJECT_ROOT
from qms.units.events_store import record_events_in, unit_events
from qms.units.model import EventType, Level, NewEvent, UnitRecord
from qms.units.store import import_units, resolve_unit

DEMO_DIR = PROJECT_ROOT / "data" / "demo"
ACT = "NQ 1670/NQ-UBTVQH15 (16/06/2025)"
REFORM = dt.date(2025, 7, 1)
CROSSWALK = DEMO_DIR / "lai_chau_2025_communes.csv"

CLI = system_principal("cli")


def lai_chau_2025():
    return parse_change_csv(CROSSWALK.read_text(encoding="utf-8"), CROSSWALK.name, act=ACT, effective=REFORM)


def level(db, day: dt.date, lv: Level):
    return next(r for r in by_level(db, day) if r.level is lv)


# -- the Lai Châu 2025 crosswalk on the demo ------------------------------------------------------

def test_the_preview_writes_nothing_and_shows_both_sides_of_the_effective_date(demo_db):
    units_before = demo_db.scalar("SELECT count(*) FROM units")
    p = store.preview_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI)
    assert demo_db.scalar("SELECT count(*) FROM units") == units_before
    assert demo_db.scalar("SELECT count(*) FROM admin_changes") == 0
    assert len(p.plan.ended) == 104 and len(p.plan.new_units) == 36 and len(p.plan.continuing) == 2
    assert sorted(p.plan.ended_without_successor) == ["105", "106", "107", "108", "109", "110", "111", "112"]
    before = {c.level: (c.in_plan, c.announced) for c in p.coverage_before}
    after = {c.level: c.in_plan for c in p.coverage_after}
    assert before[Level.COMMUNE][0] == 106 and before[Level.DISTRICT][0] == 8
    assert after[Level.COMMUNE] == 38 and after[Level.DISTRICT] == 0
    # every account scoped to a unit that ends is listed for reassignment
    assert ("iso.quyetthang", "officer", "unit", "03386") in p.accounts_to_reassign


def test_confirm_writes_all_and_a_second_import_changes_nothing(demo_db):
    store.apply_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI)
    assert level(demo_db, dt.date(2025, 6, 30), Level.COMMUNE).in_plan == 106
    assert level(demo_db, REFORM, Level.COMMUNE).in_plan == 38
    assert level(demo_db, REFORM, Level.DISTRICT).in_plan == 0
    assert level(demo_db, dt.date(2016, 12, 31), Level.COMMUNE).announced == 65
    assert levels_on(demo_db, REFORM) == [Level.DEPARTMENT, Level.COMMUNE]
    assert by_district(demo_db, REFORM) == [] and len(by_district(demo_db, dt.date(2025, 6, 30))) == 8
    counts = demo_db.rows("SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM unit_links), (SELECT count(*) FROM change_log)")
    again = store.apply_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI)
    assert again.already_imported
    assert demo_db.rows("SELECT (SELECT count(*) FROM units), (SELECT count(*) FROM unit_links), (SELECT count(*) FROM change_log)") == counts


def test_a_reused_code_names_two_units_and_nothing_of_the_old_one_shows_on_the_new(demo_db):
    store.apply_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI)
    old_events = unit_events(demo_db, "03388")
    assert old_events, "the demo's Phường Quyết Tiến has a history"
    assert resolve_unit(demo_db, "03388", as_of=dt.date(2021, 12, 31)) == "03388"
    assert resolve_unit(demo_db, "03388", as_of=dt.date(2026, 1, 1)) == "03388@2025-07-01"
    assert unit_events(demo_db, "03388@2025-07-01") == []
    new_keyed = demo_db.scalar(
        "SELECT (SELECT count(*) FROM audits WHERE unit_code = '03388@2025-07-01')"
        " + (SELECT count(*) FROM findings WHERE unit_code = '03388@2025-07-01')"
        " + (SELECT count(*) FROM process_versions WHERE unit_code = '03388@2025-07-01')"
        " + (SELECT count(*) FROM unit_tthc WHERE unit_code = '03388@2025-07-01')")
    assert new_keyed == 0
    names = dict(demo_db.rows("SELECT code, arg_max(name, valid_from) FROM unit_names GROUP BY code"))
    assert names["03388"] == "Phường Quyết Tiến" and names["03388@2025-07-01"] == "Phường Đoàn Kết"
    # the unit's change log never holds the other unit's entries
    from qms.changelog.store import unit_log
    assert all(not str(e.get("entity_key", "")).startswith("03388@") for e in unit_log(demo_db, "03388"))
    # the differently named reuse is reported, the old Đoàn Kết (03389) is retired
    preview_codes = {u.gso_code for u in store.preview_change(demo_db, lai_chau_2025(), "x.csv", actor=CLI).plan.reused_codes}
    assert preview_codes == set()  # already imported: nothing planned again


def test_reused_codes_are_counted_against_the_names_of_the_day_before(demo_db):
    plan = store.preview_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI).plan
    reused = {u.gso_code: u for u in plan.reused_codes}
    assert "03388" in reused and reused["03388"].code_reused_from == "03388"
    assert "03637" not in reused  # Xã Mường Kim kept its name and code (a new unit all the same)
    assert "03595" not in reused  # Thị trấn Than Uyên became Xã Than Uyên: same name
    assert all(u.key.endswith("@2025-07-01") for u in plan.new_units)


def test_unfinished_actions_move_to_the_successor_with_a_history_step_naming_the_act(demo_db):
    open_ids = [r[0] for r in demo_db.rows(
        "SELECT id FROM actions WHERE unit_code = '03386' AND status IN ('open', 'in_progress', 'done')")]
    assert open_ids, "the demo officer's commune has unfinished actions"
    store.apply_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI)
    rows = demo_db.rows(f"SELECT unit_code, transferred_from FROM actions WHERE id IN ({','.join(map(str, open_ids))})")
    assert set(rows) == {("03388@2025-07-01", "03386")}
    notes = [r[0] for r in demo_db.rows(f"SELECT note FROM action_events WHERE action_id = {open_ids[0]} ORDER BY id")]
    assert ACT in notes[-1]


def test_district_actions_are_cancelled_naming_the_act(demo_db):
    store.apply_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI)
    assert demo_db.scalar("SELECT count(*) FROM actions a JOIN units u ON u.code = a.unit_code"
                          " WHERE u.level = 'district' AND a.status IN ('open', 'in_progress', 'done')") == 0


def test_every_moved_and_cancelled_action_carries_its_step_version_and_log(demo_db):
    """The moves and cancels are written set-based: each action still gets its own history step
    (dated the act's day or its last step's, if later), a new row version and a change-log entry."""
    before = {r[0]: r[1:] for r in demo_db.rows(
        "SELECT a.id, a.row_version, a.status, (SELECT max(on_date) FROM action_events e WHERE e.action_id = a.id)"
        " FROM actions a WHERE a.status IN ('open', 'in_progress', 'done')")}
    preview = store.apply_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI)
    eff = preview.plan.effective
    assert preview.moves and preview.cancels
    for kind, items, step in (("move", [(m.action_id, m.old_key) for m in preview.moves], "edit"),
                              ("cancel", preview.cancels, "cancel")):
        for action_id, old_key in items:
            version, status, last = before[action_id]
            (now_version, now_status, reason), = demo_db.rows(
                "SELECT row_version, status, cancel_reason FROM actions WHERE id = ?", [action_id])
            events = demo_db.rows("SELECT step, on_date, note FROM action_events WHERE action_id = ? AND actor = ? ORDER BY id",
                                  [action_id, CLI.username])
            assert now_version == version + 1, (kind, action_id)
            assert [e[0] for e in events] == [step] and events[0][1] == max(eff, last or eff), (kind, action_id, events)
            assert ACT in events[0][2] and old_key in events[0][2], events
            if kind == "cancel":
                assert now_status == "cancelled" and reason == events[0][2]
            else:
                assert now_status == status
    logged = dict(demo_db.rows("SELECT action, count(*) FROM change_log WHERE entity = 'actions' AND actor = ? GROUP BY action",
                               [CLI.username]))
    assert logged == {"transfer": len(preview.moves), "cancel": len(preview.cancels)}


def test_events_of_an_ending_unit_dated_after_the_act_refuse_the_whole_import(demo_db):
    # an event dated after the act on a unit that ends (written before the import, as a province might)
    demo_db.write(lambda cur: cur.execute(
        "INSERT INTO qms_events (unit_code, event_type, event_date, recorded_by) VALUES ('03389', 'internal_audit', DATE '2025-08-01', 't')"))
    units_before = demo_db.scalar("SELECT count(*) FROM units")
    with pytest.raises(QmsError, match="03389"):
        store.apply_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI)
    assert demo_db.scalar("SELECT count(*) FROM units") == units_before


# -- splits, chains, refusals on a small province -----------------------------------------------

def small_province(db) -> None:
    recs = [UnitRecord(code="01", name="Tỉnh A", level=Level.PROVINCE, kind="tinh"),
            UnitRecord(code="001", name="Huyện B", level=Level.DISTRICT, kind="huyen", parent_code="01"),
            UnitRecord(code="002", name="Huyện C", level=Level.DISTRICT, kind="huyen", parent_code="01")]
    recs += [UnitRecord(code=c, name=f"Phường {c}", level=Level.COMMUNE, kind="phuong", parent_code=p)
             for c, p in (("00001", "001"), ("00002", "001"), ("00003", "001"), ("00004", "002"), ("00005", "002"))]
    import_units(db, list(enumerate(recs, start=2)), actor=CLI)


def change(text: str, act="NQ X", day=REFORM):
    return parse_change_csv("new_code,new_name,kind,formed_from_old_codes\n" + text, "c.csv", act=act, effective=day)


def test_a_ward_split_between_two_new_wards_links_both_with_half_shares(db):
    small_province(db)
    rows = change("00001,Phường Một,phuong,00001;00002\n00003,Phường Ba,phuong,00002;00003\n")
    store.apply_change(db, rows, "c.csv", actor=CLI)
    links = sorted(db.rows("SELECT old_code, new_code, share, weight FROM unit_links"))
    assert ("00002", "00001@2025-07-01", "partial", 0.5) in links and ("00002", "00003@2025-07-01", "partial", 0.5) in links
    assert ("00001", "00001@2025-07-01", "full", 1.0) in links
    # district 001 has no commune left: it ends with no successor; 002 keeps its communes
    ends = dict(db.rows("SELECT code, valid_to FROM units WHERE level = 'district'"))
    assert ends == {"001": REFORM, "002": None}
    parents = dict(db.rows("SELECT code, parent_code FROM units WHERE valid_from = ?", [REFORM]))
    assert parents == {"00001@2025-07-01": "01", "00003@2025-07-01": "01"}


def test_explicit_shares_are_kept(db):
    small_province(db)
    text = ("new_code,new_name,kind,formed_from_old_codes,formed_from_shares\n"
            "00001,Phường Một,phuong,00001;00002,full;partial:0.3\n00003,Phường Ba,phuong,00002;00003,partial:0.7;full\n")
    store.apply_change(db, parse_change_csv(text, "c.csv", act="NQ X", effective=REFORM), "c.csv", actor=CLI)
    assert sorted(r[0] for r in db.rows("SELECT weight FROM unit_links WHERE old_code = '00002'")) == [0.3, 0.7]


def test_changes_chain_and_each_new_unit_knows_its_predecessors(db):
    small_province(db)
    store.apply_change(db, change("00002,Phường Hai,phuong,00001;00002\n", act="QĐ 2020", day=dt.date(2020, 1, 1)), "a.csv", actor=CLI)
    store.apply_change(db, change("00004,Phường Bốn,phuong,00002;00003;00004;00005\n"), "b.csv", actor=CLI)
    assert resolve_unit(db, "00002", as_of=dt.date(2021, 1, 1)) == "00002@2020-01-01"
    lineage = store.lineage(db, "00004@2025-07-01")
    assert {p[0] for p in lineage.predecessors} == {"00002@2020-01-01", "00003", "00004", "00005"}
    assert [r.in_plan for r in by_level(db, dt.date(2026, 1, 1)) if r.level is Level.COMMUNE] == [1]
    assert [r.in_plan for r in by_level(db, dt.date(2021, 1, 1)) if r.level is Level.COMMUNE] == [4]


def test_a_unit_that_alone_forms_itself_continues_with_its_history_under_a_new_parent(db):
    small_province(db)
    store.apply_change(db, change("00004,Phường Bốn mới,phuong,00004\n00005,Phường Năm,phuong,00005\n"), "c.csv", actor=CLI)
    from qms.units.store import get_unit
    assert get_unit(db, "00004", as_of=dt.date(2024, 1, 1)).parent_code == "002"
    after = get_unit(db, "00004", as_of=dt.date(2026, 1, 1))
    assert (after.parent_code, after.name, after.valid_to) == ("01", "Phường Bốn mới", None)
    assert dict(db.rows("SELECT code, valid_to FROM units WHERE level = 'district'"))["002"] == REFORM


@pytest.mark.parametrize(("text", "needle", "vi"), [
    ("00001,Phường Một,phuong,00009\n", "line 2: no unit bears code 00009", "line 2: không có đơn vị nào mang mã 00009"),
    ("00001,Phường Một,phuong,00001\n00001,Phường Một,phuong,00002\n", "line 3: new_code 00001 already appears on line 2",
     "line 3: new_code 00001 đã có ở dòng 2"),
    ("00001,,phuong,00001\n", "line 2: new_name is empty", "line 2: new_name (tên mới) để trống"),
    ("00001,Phường Một,huyen_x,00001\n", "line 2: kind 'huyen_x'", "line 2: loại 'huyen_x'"),
    ("1,Phường Một,phuong,00001\n", "line 2: a commune code has 5 digits", "line 2: mã cấp commune có 5 chữ số"),
    ("00001,Phường Một,phuong,00001;00001\n", "line 2: an old code is listed twice", "line 2: một mã cũ được liệt kê hai lần"),
])
def test_bad_rows_are_named_and_nothing_is_written(db, text, needle, vi):
    small_province(db)
    before = db.scalar("SELECT count(*) FROM units")
    with pytest.raises(ImportRowError) as err:
        store.apply_change(db, change(text), "c.csv", actor=CLI)
    assert needle in str(err.value) and vi in err.value.text("vi")  # each reason in both languages
    assert db.scalar("SELECT count(*) FROM units") == before and db.scalar("SELECT count(*) FROM admin_changes") == 0


def test_a_file_without_act_or_date_is_refused_naming_the_line():
    with pytest.raises(ImportRowError, match="line 2: no act"):
        parse_change_csv("new_code,new_name,kind,formed_from_old_codes\n00001,A,xa,00001\n", "c.csv")


def test_only_an_administrator_imports_a_change(db):
    from qms.accounts.rules import Principal, Role
    small_province(db)
    with pytest.raises(QmsError):
        store.apply_change(db, change("00001,Phường Một,phuong,00001;00002\n"), "c.csv",
                           actor=Principal(username="v", role=Role.VIEWER))
    assert db.scalar("SELECT count(*) FROM admin_changes") == 0


def test_carry_over_counts_a_new_unit_announced_only_when_every_predecessor_was(db):
    small_province(db)
    events = [NewEvent(unit_code=c, event_type=t, event_date=d, decision_no="1/QĐ" if t is EventType.ANNOUNCED else None,
                       standard="2015" if t is EventType.ANNOUNCED else None)
              for c in ("00001", "00002", "00003")
              for t, d in ((EventType.BUILD_STARTED, dt.date(2020, 1, 1)), (EventType.APPLIED, dt.date(2020, 6, 1)),
                           (EventType.ANNOUNCED, dt.date(2021, 1, 1)))]
    db.write(lambda cur: record_events_in(cur, events, actor=CLI, today=dt.date(2024, 1, 1)))
    store.apply_change(db, change("00001,Phường Một,phuong,00001;00002\n00004,Phường Bốn,phuong,00003;00004\n"), "c.csv", actor=CLI)
    day = dt.date(2025, 12, 31)
    assert level(db, day, Level.COMMUNE).announced == 0  # default: predecessors' announcements do not count
    store.set_carry_over(db, True, actor=CLI)
    assert level(db, day, Level.COMMUNE).announced == 1  # 00001+00002 had both announced; 00004 had not
    store.set_carry_over(db, False, actor=CLI)
    assert level(db, day, Level.COMMUNE).announced == 0


# -- the demo of today ----------------------------------------------------------------------------

def test_the_demo_of_today_shows_both_sides_of_the_reform(today_db):
    assert (level(today_db, dt.date(2016, 12, 31), Level.COMMUNE).in_plan,
            level(today_db, dt.date(2016, 12, 31), Level.COMMUNE).announced) == (108, 65)
    assert len(by_district(today_db, dt.date(2016, 12, 31))) == 8
    assert level(today_db, dt.date(2021, 12, 31), Level.COMMUNE).in_plan == 106
    assert level(today_db, dt.date(2025, 6, 30), Level.COMMUNE).in_plan == 106
    today = dt.date(2026, 12, 3)
    communes = level(today_db, today, Level.COMMUNE)
    assert communes.in_plan == 38 and 0 < communes.announced < 38 and communes.building + communes.applying > 0
    assert communes.target_pct is not None and level(today_db, today, Level.DISTRICT).target_pct is None
    assert levels_on(today_db, today) == [Level.DEPARTMENT, Level.COMMUNE]
    assert level(today_db, today, Level.DEPARTMENT).in_plan == 19  # Sở TT&TT merged into Sở KH&CN
    assert level(today_db, today, Level.DEPARTMENT).not_maintained == 0
    worst = today_db.scalar("SELECT max(DATE '2026-12-03' - due_date) FROM actions WHERE status IN ('open', 'in_progress')")
    assert worst is None or worst < 365
    assert today_db.scalar("SELECT count(*) FROM targets WHERE level = 'commune' AND year = 2026 AND is_sample") == 1


def test_the_demo_before_the_reform_is_the_same_whatever_the_end_date(tmp_path):
    from qms.demo.store import load_demo
    from qms.kernel.db import open_database
    figures = []
    for i, until in enumerate((dt.date(2026, 1, 15), dt.date(2026, 12, 3))):
        db = open_database(tmp_path / f"d{i}.duckdb")
        load_demo(db, DEMO_DIR, until=until)
        figures.append(db.rows("SELECT unit_code, event_type, event_date FROM qms_events WHERE event_date <= DATE '2025-06-30'"
                               " ORDER BY ALL"))
        later = db.scalar("SELECT max(event_date) FROM qms_events")
        assert later <= until
        db.close()
    assert figures[0] == figures[1]


# -- the CLI --------------------------------------------------------------------------------------

def qms(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "qms.cli", "--db", str(db), *args], capture_output=True, text=True,
                          cwd=PROJECT_ROOT, timeout=300)


def test_cli_imports_the_crosswalk_and_coverage_knows_no_district_after_it(demo_path):
    dry = qms("import-changes", str(CROSSWALK), "--act", ACT, "--effective", "2025-07-01", "--dry-run", db=demo_path)
    assert dry.returncode == 0, dry.stderr
    assert "nothing written (dry run)" in dry.stdout and "code 03388: was Phường Quyết Tiến" in dry.stdout
    done = qms("import-changes", str(CROSSWALK), "--act", ACT, "--effective", "2025-07-01", db=demo_path)
    assert done.returncode == 0 and "; written." in done.stdout
    again = qms("import-changes", str(CROSSWALK), "--act", ACT, "--effective", "2025-07-01", db=demo_path)
    assert "was imported before; nothing changed" in again.stdout
    c = qms("coverage", "--level", "commune", "--as-of", "2026-01-01", "--json", db=demo_path)
    assert '"in_plan": 38' in c.stdout
    d = qms("coverage", "--level", "district", "--as-of", "2026-01-01", db=demo_path)
    assert d.returncode == 2 and "There are no districts on 01/01/2026" in d.stderr and "Traceback" not in d.stderr
    assert qms("coverage", "--level", "district", "--as-of", "2025-06-30", db=demo_path).returncode == 0


# -- the restated series ------------------------------------------------------------------------

def _restated_reference(units_today: dict[str, list[tuple[str, float]]], announced: set[str], existing: set[str]) -> float:
    """Pure reference: each unit of today counts by the weighted share of its ancestors (itself
    included) existing and announced on the day; the rate is their sum over today's units."""
    total = 0.0
    for ancestors in units_today.values():
        live = [(a, w) for a, w in ancestors if a in existing]
        if live:
            total += sum(w for a, w in live if a in announced) / sum(w for _, w in live)
    return round(100.0 * total / len(units_today), 2)


def test_the_restated_trend_counts_each_unit_of_today_by_its_predecessors_shares(db):
    from qms.coverage.queries import restated_trend
    small_province(db)
    announce = [("00001", dt.date(2016, 3, 1)), ("00002", dt.date(2016, 5, 1)), ("00004", dt.date(2016, 6, 1))]
    events = [NewEvent(unit_code=c, event_type=t, event_date=d0 + dt.timedelta(days=k),
                       decision_no="1/QĐ" if t is EventType.ANNOUNCED else None, standard="2008" if t is EventType.ANNOUNCED else None)
              for c, d0 in announce
              for k, t in ((0, EventType.BUILD_STARTED), (30, EventType.APPLIED), (60, EventType.ANNOUNCED))]
    db.write(lambda cur: record_events_in(cur, events, actor=CLI, today=dt.date(2024, 1, 1)))
    # 00002 is split between two new wards; 00004 and 00005 continue alone
    store.apply_change(db, change("00001,Phường Một,phuong,00001;00002\n00003,Phường Ba,phuong,00002;00003\n"), "c.csv", actor=CLI)
    points = {p.year: p for p in restated_trend(db, dt.date(2026, 1, 1)) if p.level is Level.COMMUNE}
    today = {"00001@2025-07-01": [("00001@2025-07-01", 1.0), ("00001", 1.0), ("00002", 0.5)],
             "00003@2025-07-01": [("00003@2025-07-01", 1.0), ("00002", 0.5), ("00003", 1.0)],
             "00004": [("00004", 1.0)], "00005": [("00005", 1.0)]}
    old = {"00001", "00002", "00003", "00004", "00005"}
    assert points[2015].rate_pct == _restated_reference(today, set(), old) == 0.0
    expected_2016 = _restated_reference(today, {"00001", "00002", "00004"}, old)
    assert points[2016].rate_pct == expected_2016 == round(100 * (1 + 0.5 / 1.5 + 1 + 0) / 4, 2)
    assert points[2016].in_plan == 4
    # after the change, the new wards have announced nothing of their own; 00004 still has
    assert points[2025].rate_pct == _restated_reference(today, {"00004"}, {"00001@2025-07-01", "00003@2025-07-01", "00004", "00005"})


def test_taking_over_scope_copies_catalogues_and_issued_processes_as_drafts(demo_db):
    from qms.scope.queries import scope_by_unit
    eve = dt.date(2025, 6, 30)
    olds = ("03386", "03388", "03389", "03391", "03403")  # the predecessors of Phường Đoàn Kết
    tthc = {r[0] for r in demo_db.rows(
        "SELECT DISTINCT tthc_code FROM unit_tthc WHERE list_contains(?, unit_code) AND (valid_to IS NULL OR valid_to > ?)",
        [list(olds), eve])}
    assert tthc
    result = store.apply_change(demo_db, lai_chau_2025(), CROSSWALK.name, actor=CLI, take_over_scope=True)
    new = "03388@2025-07-01"
    got = {r[0] for r in demo_db.rows("SELECT tthc_code FROM unit_tthc WHERE unit_code = ?", [new])}
    assert got == tthc
    statuses = {r[0] for r in demo_db.rows("SELECT status FROM process_versions WHERE unit_code = ?", [new])}
    assert statuses == {"draft"} and result.taken_over[1] > 0
    # drafts cover nothing: the new ward's scope starts uncovered, its predecessors' stay as they were
    row = next(r for r in scope_by_unit(demo_db, dt.date(2025, 7, 1)) if r.unit_code == new)
    assert row.tthc_total == len(tthc) and row.tthc_covered == 0


def test_cli_unit_options_take_the_unit_bearing_the_code_on_the_date(today_file, tmp_path):
    import shutil
    path = Path(shutil.copyfile(today_file, tmp_path / "t.duckdb"))
    old = qms("actions", "list", "--unit", "03386", "--as-of", "2021-12-31", "--json", db=path)
    assert old.returncode == 0, old.stderr
    # 03386 bore no unit on 2026-01-01 and only one before: still that unit (its actions moved on)
    gone = qms("scope", "--unit", "03388", "--as-of", "2021-12-31", "--json", db=path)
    now = qms("scope", "--unit", "03388", "--as-of", "2026-01-01", "--json", db=path)
    assert gone.returncode == now.returncode == 0
    assert '"unit_code": "03388"' in gone.stdout and '"unit_code": "03388@2025-07-01"' in now.stdout
    missing = qms("audits", "list", "--unit", "99999", db=path)
    assert missing.returncode == 2 and "99999" in missing.stderr and "Traceback" not in missing.stderr


def test_district_targets_end_with_the_districts(today_db):
    from qms.coverage.targets_store import list_targets, set_targets
    from qms.units.model import Target
    before = list_targets(today_db)
    with pytest.raises(QmsError, match="No district unit exists in 2026 \\(the last ended on 01/07/2025\\)"):
        set_targets(today_db, [Target(level=Level.DISTRICT, year=2026, target_pct=100)], actor=CLI)
    assert list_targets(today_db) == before
    assert set_targets(today_db, [Target(level=Level.DISTRICT, year=2025, target_pct=90),
                                  Target(level=Level.COMMUNE, year=2026, target_pct=40)], actor=CLI) == 2


def test_the_unit_page_says_when_a_stage_comes_from_the_predecessors(db):
    from qms.units.store import unit_page
    small_province(db)
    events = [NewEvent(unit_code=c, event_type=t, event_date=d, decision_no="1/QĐ" if t is EventType.ANNOUNCED else None,
                       standard="2015" if t is EventType.ANNOUNCED else None)
              for c in ("00001", "00002")
              for t, d in ((EventType.BUILD_STARTED, dt.date(2020, 1, 1)), (EventType.APPLIED, dt.date(2020, 6, 1)),
                           (EventType.ANNOUNCED, dt.date(2021, 1, 1)))]
    db.write(lambda cur: record_events_in(cur, events, actor=CLI, today=dt.date(2024, 1, 1)))
    store.apply_change(db, change("00001,Phường Một,phuong,00001;00002\n"), "c.csv", actor=CLI)
    day = dt.date(2026, 1, 1)
    assert (unit_page(db, "00001@2025-07-01", today=day).stage, unit_page(db, "00001@2025-07-01", today=day).inherited) == ("not_started", False)
    store.set_carry_over(db, True, actor=CLI)
    page = unit_page(db, "00001@2025-07-01", today=day)
    assert (page.stage, page.stage_since, page.inherited) == ("announced", REFORM, True)


def test_par_criteria_of_a_level_that_no_longer_exists_are_left_out_of_the_maximum(today_db):
    from qms.exports import indicators
    methodology, sha = indicators.load()
    before = indicators.compute(today_db, dt.date(2024, 12, 31), methodology, sha)
    after = indicators.compute(today_db, dt.date(2026, 12, 3), methodology, sha)
    district_max = sum(c.max_points for c in methodology.criteria if c.level == "district")
    assert before.max_points == methodology.max_points
    assert after.max_points == round(methodology.max_points - district_max, 4) and after.points > 0
