"""Scope in the database: coverage with groups and withdrawals, the 3-month rule, legal changes."""

from __future__ import annotations

import datetime as dt

import pytest
from scope_helpers import announce

from qms.accounts.rules import system_principal
from qms.changelog import store as changelog
from qms.kernel.errors import NotFound, ValidationError
from qms.scope import queries as S
from qms.scope.model import CatalogueEntry, LegalChangeInput, LegalChangeItem, ProcessVersionInput, UpdateState
from qms.scope.processes_store import record_legal_change, save_process_version, withdraw_process
from qms.scope.store import import_catalogue
from qms.units.model import Level

D = dt.date
TODAY = D(2030, 1, 1)
COMMUNE_TTHC = ("1.000001", "1.000002", "1.000003", "1.000004")


@pytest.fixture
def sdb(province):
    """Phường Quyết Thắng (03386) handles four TTHC from 2015 and announced on 01/03/2016."""
    entries = [(f"row {i}", CatalogueEntry(unit_code="03386", code=c, name=f"Thủ tục {c}", field="Hộ tịch", valid_from=D(2015, 1, 1)))
               for i, c in enumerate(COMMUNE_TTHC)]
    import_catalogue(province, entries, actor=system_principal("test"), source="test")
    province.write(lambda cur: announce(cur, "03386", D(2016, 3, 1)))
    return province


def issue(db, code: str, codes, on: D, issue_no: str = "01", unit: str = "03386"):
    return save_process_version(db, ProcessVersionInput(unit_code=unit, code=code, title=f"Quy trình {code}", tthc_codes=codes,
                                                        status="issued", issue_no=issue_no, issued_on=on), actor=system_principal("test"), today=TODAY)


def commune_row(db, day: D):
    return next(r for r in S.scope_overview(db, day).levels if r.level is Level.COMMUNE)


def amend(db, doc: str, effective: D, codes=("1.000001",), units=()):
    return record_legal_change(db, LegalChangeInput(document_no=doc, effective_on=effective, items=tuple(
        LegalChangeItem(tthc_code=c, effect="amended", unit_codes=units) for c in codes)), actor=system_principal("test"), today=TODAY)


def test_one_process_covering_a_group_counts_each_tthc_once(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC[:3], D(2016, 1, 1))
    issue(sdb, "QT-02", COMMUNE_TTHC[1:3], D(2016, 1, 1))   # overlaps QT-01: still 3 distinct TTHC
    row = commune_row(sdb, D(2017, 1, 1))
    assert (row.tthc_total, row.tthc_covered, row.incomplete, row.announced_incomplete) == (4, 3, 1, 1)


def test_uncovered_tthc_are_listed_for_the_unit(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC[:3], D(2016, 1, 1))
    unit = S.unit_scope(sdb, "03386", D(2017, 1, 1))
    assert [t.code for t in unit.uncovered] == ["1.000004"] and unit.incomplete_announced
    assert dict((t.code, t.covered_by) for t in unit.covered)["1.000002"] == ("QT-01",)


def test_complete_when_every_tthc_is_covered(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    row = commune_row(sdb, D(2017, 1, 1))
    assert (row.complete, row.incomplete, row.rate_pct) == (1, 0, 100.0)


def test_a_process_covers_nothing_before_its_issue_date(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    assert commune_row(sdb, D(2015, 12, 31)).tthc_covered == 0
    assert commune_row(sdb, D(2016, 1, 1)).tthc_covered == 4


def test_a_withdrawn_process_covers_nothing_from_its_withdrawal_and_keeps_its_history(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    withdraw_process(sdb, "03386", "QT-01", on=D(2020, 1, 1), actor=system_principal("test"), today=TODAY)
    assert commune_row(sdb, D(2019, 12, 31)).tthc_covered == 4
    assert commune_row(sdb, D(2020, 1, 1)).tthc_covered == 0
    assert [v.status.value for v in S.process_history(sdb, "03386", "QT-01")] == ["issued", "withdrawn"]


def test_a_draft_revision_keeps_the_issued_version_in_force(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    save_process_version(sdb, ProcessVersionInput(unit_code="03386", code="QT-01", title="Quy trình sửa đổi", tthc_codes=COMMUNE_TTHC[:1],
                                                  status="draft", status_on=D(2020, 1, 1)), actor=system_principal("test"), today=TODAY)
    assert commune_row(sdb, D(2020, 6, 1)).tthc_covered == 4
    (p,) = S.unit_processes(sdb, "03386", D(2020, 6, 1))
    assert (p.status.value, p.in_force.value, p.versions) == ("draft", "issued", 2)


def test_a_draft_alone_covers_nothing(sdb):
    save_process_version(sdb, ProcessVersionInput(unit_code="03386", code="QT-01", title="Dự thảo", tthc_codes=COMMUNE_TTHC,
                                                  status="draft", status_on=D(2016, 1, 1)), actor=system_principal("test"), today=TODAY)
    assert commune_row(sdb, D(2017, 1, 1)).tthc_covered == 0


def test_a_unit_without_catalogue_is_not_incomplete(sdb):
    district = next(r for r in S.scope_overview(sdb, D(2017, 1, 1)).levels if r.level is Level.DISTRICT)
    assert (district.units, district.with_catalogue, district.incomplete, district.rate_pct) == (1, 0, 0, None)


def test_an_ended_catalogue_entry_leaves_the_scope(sdb):
    import_catalogue(sdb, [("r", CatalogueEntry(unit_code="03386", code="1.000004", name="Thủ tục 1.000004", field="Hộ tịch",
                                                valid_from=D(2015, 1, 1), valid_to=D(2018, 1, 1)))], actor=system_principal("test"), source="t")
    issue(sdb, "QT-01", COMMUNE_TTHC[:3], D(2016, 1, 1))
    assert commune_row(sdb, D(2017, 12, 31)).incomplete == 1
    assert commune_row(sdb, D(2018, 1, 1)).incomplete == 0


def test_a_process_needs_tthc_of_the_units_catalogue(sdb):
    with pytest.raises(ValidationError, match="1.999999 not in the catalogue of unit 03386"):
        issue(sdb, "QT-01", ("1.000001", "1.999999"), D(2016, 1, 1))


def test_every_version_is_in_the_change_log(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    assert changelog.entries(sdb, entity="process_versions", key="03386/QT-01#1")


@pytest.mark.parametrize("as_of,state", [
    (D(2022, 2, 28), UpdateState.PENDING),   # the due date itself (30/11 + 3 months, clamped)
    (D(2022, 3, 1), UpdateState.OVERDUE),
])
def test_three_month_rule_boundary_in_the_database(sdb, as_of, state):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    amend(sdb, "100/QĐ-UBND", D(2021, 11, 30))
    (ob,) = S.update_obligations(sdb, as_of)
    assert (ob.due_on, ob.state) == (D(2022, 2, 28), state)
    assert commune_row(sdb, as_of).overdue_updates == (1 if state is UpdateState.OVERDUE else 0)


def test_a_reissue_on_the_effective_date_clears_the_obligation(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    amend(sdb, "100/QĐ-UBND", D(2021, 6, 1))
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2021, 6, 1), issue_no="02")
    (ob,) = S.update_obligations(sdb, D(2022, 1, 1))
    assert (ob.state, ob.reissued_on) == (UpdateState.DONE, D(2021, 6, 1))


def test_a_reissue_the_day_before_the_effective_date_leaves_it_overdue(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2021, 5, 31), issue_no="02")
    amend(sdb, "100/QĐ-UBND", D(2021, 6, 1))
    (ob,) = S.update_obligations(sdb, D(2022, 1, 1))
    assert ob.state is UpdateState.OVERDUE


def test_only_processes_covering_an_affected_tthc_are_obliged(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC[:2], D(2016, 1, 1))
    issue(sdb, "QT-02", COMMUNE_TTHC[2:], D(2016, 1, 1))
    amend(sdb, "100/QĐ-UBND", D(2021, 6, 1), codes=("1.000003",))
    assert [o.process_code for o in S.update_obligations(sdb, D(2022, 1, 1))] == ["QT-02"]


def test_a_process_issued_after_the_change_is_not_obliged(sdb):
    amend(sdb, "100/QĐ-UBND", D(2021, 6, 1))
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2021, 7, 1))
    assert S.update_obligations(sdb, D(2022, 1, 1)) == []


def test_a_change_for_one_unit_leaves_others_alone(sdb):
    import_catalogue(sdb, [("r", CatalogueEntry(unit_code="03387", code="1.000001", name="Thủ tục 1.000001"))], actor=system_principal("t"), source="t")
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    issue(sdb, "QT-01", ("1.000001",), D(2016, 1, 1), unit="03387")
    amend(sdb, "100/QĐ-UBND", D(2021, 6, 1), units=("03387",))
    assert [o.unit_code for o in S.update_obligations(sdb, D(2022, 1, 1))] == ["03387"]


def test_a_withdrawn_process_drops_its_obligation(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    amend(sdb, "100/QĐ-UBND", D(2021, 6, 1))
    withdraw_process(sdb, "03386", "QT-01", on=D(2021, 7, 1), actor=system_principal("test"), today=TODAY)
    assert [o.state for o in S.update_obligations(sdb, D(2022, 1, 1))] == [UpdateState.DROPPED]
    assert commune_row(sdb, D(2022, 1, 1)).overdue_updates == 0


def test_adding_a_tthc_enters_the_catalogue_and_makes_a_reannouncement_due(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    record_legal_change(sdb, LegalChangeInput(document_no="200/QĐ-UBND", effective_on=D(2019, 7, 1), items=(
        LegalChangeItem(tthc_code="1.000009", effect="added", unit_codes=("03386",), tthc_name="Thủ tục mới"),)), actor=system_principal("t"), today=TODAY)
    unit = S.unit_scope(sdb, "03386", D(2019, 7, 1))
    assert [t.code for t in unit.uncovered] == ["1.000009"]
    assert unit.reannouncement.scope_changed_on == D(2019, 7, 1) and unit.reannouncement.document_nos == "200/QĐ-UBND"
    assert S.unit_scope(sdb, "03386", D(2019, 6, 30)).reannouncement is None
    assert commune_row(sdb, D(2019, 7, 1)).reannounce_due == 1


def test_a_reannouncement_after_the_change_clears_the_flag(sdb):
    from qms.units.events_store import record_event
    from qms.units.model import NewEvent

    record_legal_change(sdb, LegalChangeInput(document_no="200/QĐ-UBND", effective_on=D(2019, 7, 1), items=(
        LegalChangeItem(tthc_code="1.000009", effect="added", unit_codes=("03386",), tthc_name="Thủ tục mới"),)), actor=system_principal("t"), today=TODAY)
    record_event(sdb, NewEvent(unit_code="03386", event_type="re_announced", event_date=D(2019, 9, 1), decision_no="9/QĐ",
                               standard="2008"), actor=system_principal("t"), today=TODAY)
    assert S.reannouncements_due(sdb, D(2019, 8, 31)) and not S.reannouncements_due(sdb, D(2019, 9, 1))


def test_removing_a_tthc_ends_its_entry_on_the_effective_date(sdb):
    record_legal_change(sdb, LegalChangeInput(document_no="300/QĐ-UBND", effective_on=D(2020, 1, 1), items=(
        LegalChangeItem(tthc_code="1.000004", effect="removed", unit_codes=("03386",)),)), actor=system_principal("t"), today=TODAY)
    assert S.unit_scope(sdb, "03386", D(2019, 12, 31)).tthc_total == 4
    assert S.unit_scope(sdb, "03386", D(2020, 1, 1)).tthc_total == 3
    assert changelog.entries(sdb, entity="unit_tthc", key="03386/1.000004")[0]["action"] == "update"


def test_removing_a_tthc_the_unit_does_not_handle_is_refused_and_writes_nothing(sdb):
    with pytest.raises(ValidationError, match="cannot be removed"):
        record_legal_change(sdb, LegalChangeInput(document_no="300/QĐ-UBND", effective_on=D(2020, 1, 1), items=(
            LegalChangeItem(tthc_code="1.000001", effect="amended"),
            LegalChangeItem(tthc_code="1.000004", effect="removed", unit_codes=("03387",)))), actor=system_principal("t"), today=TODAY)
    assert S.list_legal_changes(sdb, TODAY) == []


def test_the_same_document_twice_is_refused(sdb):
    amend(sdb, "100/QĐ-UBND", D(2021, 6, 1))
    with pytest.raises(ValidationError, match="already recorded"):
        amend(sdb, "100/qđ-ubnd", D(2021, 7, 1))


def test_an_unknown_tthc_in_a_change_is_not_invented(sdb):
    with pytest.raises(ValidationError, match="1.777777 is not in the TTHC list"):
        amend(sdb, "100/QĐ-UBND", D(2021, 6, 1), codes=("1.777777",))


def test_an_unknown_unit_in_a_change_is_named(sdb):
    with pytest.raises(NotFound, match="99999"):
        record_legal_change(sdb, LegalChangeInput(document_no="1/QĐ", effective_on=D(2020, 1, 1), items=(
            LegalChangeItem(tthc_code="1.000001", effect="removed", unit_codes=("99999",)),)), actor=system_principal("t"), today=TODAY)


def test_legal_change_list_counts_processes_and_overdue(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC, D(2016, 1, 1))
    amend(sdb, "100/QĐ-UBND", D(2021, 6, 1), codes=("1.000001", "1.000002"))
    (c,) = S.list_legal_changes(sdb, D(2022, 1, 1))
    assert (c.amended, c.processes, c.overdue, c.due_on) == (2, 1, 1, D(2021, 9, 1))


def test_unit_scope_of_an_unknown_unit_is_not_found(sdb):
    with pytest.raises(NotFound):
        S.unit_scope(sdb, "nope", TODAY)


def test_scope_by_district_lists_every_district(sdb):
    issue(sdb, "QT-01", COMMUNE_TTHC[:2], D(2016, 1, 1))
    (d,) = S.scope_by_district(sdb, D(2017, 1, 1))
    assert (d.district_code, d.with_catalogue, d.incomplete, d.tthc_total, d.tthc_covered) == ("105", 1, 1, 4, 2)


def test_adding_a_tthc_the_unit_handles_later_is_refused(sdb):
    import_catalogue(sdb, [("r", CatalogueEntry(unit_code="03387", code="1.000001", name="Thủ tục 1.000001",
                                                valid_from=D(2021, 1, 1)))], actor=system_principal("t"), source="t")
    with pytest.raises(ValidationError, match="already handles TTHC 1.000001 on or after"):
        record_legal_change(sdb, LegalChangeInput(document_no="5/QĐ", effective_on=D(2020, 1, 1), items=(
            LegalChangeItem(tthc_code="1.000001", effect="added", unit_codes=("03387",)),)), actor=system_principal("t"), today=TODAY)
