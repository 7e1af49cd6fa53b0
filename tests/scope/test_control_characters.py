"""Control characters: refused at every door by one rule (qms.kernel.text_rules), and exports never fail on
text stored before the rule (issue 14, defect 6)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from scope_helpers import UNITS

from qms.accounts.rules import system_principal
from qms.kernel.db import open_database
from qms.kernel.errors import QmsError, ValidationError
from qms.scope.files_store import FileKind, export_file
from qms.scope.model import CatalogueEntry, ProcessVersionInput
from qms.scope.processes_store import save_process_version
from qms.scope.store import import_catalogue
from qms.status_import.store import status_template
from qms.units.events_store import record_event
from qms.units.model import NewEvent, checked
from qms.units.store import import_units, rename_unit

BAD = ["\x00", "\x07", "\x1b[31m", "\x0c", "\x7f", "\x85", "\ufffe"]


@pytest.mark.parametrize("bad", BAD)
def test_the_rule_refuses_control_characters_and_names_them(bad):
    from qms.kernel.text_rules import clean_text, control_character, printable

    with pytest.raises(ValueError, match=r"control character \(U\+"):
        clean_text(f"Đăng ký{bad}khai sinh")
    assert control_character(f"a{bad}") == f"U+{ord(bad[0]):04X}" and printable(f"a{bad}b") == "a" + bad[1:] + "b"


def test_tabs_and_line_breaks_are_text():
    from qms.kernel.text_rules import clean_text, control_character

    assert clean_text(" dòng 1\r\n\tdòng 2 ") == "dòng 1\r\n\tdòng 2" and control_character("a\tb\nc\rd") is None


@pytest.mark.parametrize("bad", BAD)
def test_every_model_text_field_refuses_them(bad):
    with pytest.raises(ValidationError, match="name: holds a control character"):
        checked(CatalogueEntry, unit_code="03386", code="1.000001", name=f"Khai sinh{bad}")


@pytest.fixture
def province(db):
    import_units(db, list(enumerate(UNITS, start=2)), actor=system_principal("test"))
    import_catalogue(db, [("t", CatalogueEntry(unit_code="03386", code="1.000001", name="Khai sinh"))], actor=system_principal("test"), source="t")
    return db


def test_store_writes_of_forms_refuse_them(province):
    with pytest.raises(ValidationError, match="title"):
        version = checked(ProcessVersionInput, unit_code="03386", code="QT-01", title="Quy trình\x1b[2J", tthc_codes=("1.000001",),
                          status="issued", issued_on=dt.date(2021, 3, 1))
        save_process_version(province, version, actor=system_principal("test"), today=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError, match="name: holds a control character"):
        rename_unit(province, "03386", "Phường\x00 Mới", on=dt.date(2022, 1, 1), actor=system_principal("test"))
    with pytest.raises(Exception, match="control character"):
        record_event(province, NewEvent(unit_code="03386", event_type="build_started", event_date=dt.date(2020, 1, 1),
                                        scope_note="ghi\x07chú"), actor=system_principal("test"), today=dt.date(2024, 1, 1))
    assert province.scalar("SELECT count(*) FROM process_versions") == 0
    assert province.scalar("SELECT count(*) FROM unit_names WHERE name LIKE 'Phường%Mới'") == 0


def test_an_account_display_name_refuses_them(db):
    from qms.accounts.rules import Role
    from qms.accounts.store import create_user

    with pytest.raises(ValidationError, match="display_name: holds a control character"):
        create_user(db, username="admin", display_name="Quản\x1b[2J trị", role=Role.ADMIN, password="a long password 1", actor=None)
    assert db.scalar("SELECT count(*) FROM users") == 0


def test_exports_do_not_fail_on_text_stored_before_the_rule(province):
    """Data written before the rule (or by hand in the database) still exports: the writer leaves
    the characters out instead of openpyxl's IllegalCharacterError writing nothing."""
    cur = province.cursor()
    cur.execute("UPDATE tthc SET name = ? WHERE code = '1.000001'", ["Khai\x00 sinh\x1b[0m"])
    cur.execute("UPDATE unit_names SET name = ? WHERE code = '03386'", ["Phường\x0b Quyết Thắng"])
    cur.close()
    for fmt in ("xlsx", "csv"):
        data = export_file(province, FileKind.CATALOGUE, fmt)
        text = data.decode("utf-8-sig") if fmt == "csv" else str([c.value for row in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows()
                                                                    for c in row])
        assert "Khai sinh[0m" in text and "Phường Quyết Thắng" in text and "\x00" not in text and "\x1b" not in text
    template = status_template(province, today=dt.date(2024, 1, 1))
    names = [c.value for row in openpyxl.load_workbook(io.BytesIO(template)).worksheets[0].iter_rows() for c in row]
    assert "Phường Quyết Thắng" in names


def test_a_qms_error_is_what_a_door_shows():
    with pytest.raises(QmsError):
        checked(CatalogueEntry, unit_code="03386", code="1.000001", name="\x00")
