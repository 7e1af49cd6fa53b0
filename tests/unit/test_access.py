"""Why a signed-in person may not change something, and where their units page opens (qms/accounts/access.py)."""

from __future__ import annotations

from dataclasses import dataclass

from qms.accounts.access import home_unit, read_only_reason, scope_text
from qms.accounts.rules import Operation, Principal, Role
from qms.units.model import Level

INSPECTOR = Principal(username="tdc", role=Role.AUDITOR, units=frozenset({"S12-01", "S12-02"}),
                      districts=frozenset({"105", "106"}))
OFFICER = Principal(username="iso.quyetthang", role=Role.OFFICER, units=frozenset({"03386"}))
VIEWER = Principal(username="lanhdao", role=Role.VIEWER)
ADMIN = Principal(username="admin", role=Role.ADMIN)


def test_allowed_means_no_reason():
    assert read_only_reason(INSPECTOR, Operation.AUDIT_WRITE, unit_code="03400", district_code="105") is None
    assert read_only_reason(OFFICER, Operation.RECORD_EVENT, unit_code="03386") is None
    assert read_only_reason(ADMIN, Operation.SET_TARGETS) is None
    assert read_only_reason(OFFICER, Operation.SCOPE_WRITE) is None  # a page-wide form offers their unit


def test_out_of_scope_names_the_unit_and_the_scope():
    reason = read_only_reason(INSPECTOR, Operation.AUDIT_WRITE, unit_code="03511", district_code="108",
                              unit_label="Xã Tả Phìn")
    assert reason == ("Chỉ xem: Xã Tả Phìn không thuộc phạm vi được giao cho bạn (đơn vị S12-01, S12-02 và các đơn vị "
                      "thuộc huyện 105, 106), nên bạn không được lập, trả lời hay nộp phiếu đánh giá.")
    assert "verify actions" in read_only_reason(INSPECTOR, Operation.ACTION_VERIFY, "en", unit_code="03511",
                                                district_code="108")


def test_a_role_without_the_operation_and_a_viewer_get_their_own_sentence():
    assert read_only_reason(OFFICER, Operation.SET_TARGETS) == "Chỉ xem: vai trò Thư ký ISO đơn vị không được sửa chỉ tiêu."
    assert read_only_reason(INSPECTOR, Operation.RECORD_EVENT, unit_code="03386").startswith("Chỉ xem: vai trò Đánh giá viên")
    assert read_only_reason(VIEWER, Operation.ACTION_WRITE, unit_code="03386") == (
        "Chỉ xem: tài khoản lanhdao có quyền chỉ xem (lãnh đạo), không thay đổi được dữ liệu.")


@dataclass(frozen=True)
class Unit:
    code: str
    level: Level
    parent_code: str | None


UNITS = [Unit("12", Level.PROVINCE, None), Unit("S12-01", Level.DEPARTMENT, "12"), Unit("S12-02", Level.DEPARTMENT, "12"),
         Unit("105", Level.DISTRICT, "12"), Unit("03386", Level.COMMUNE, "105"), Unit("03400", Level.COMMUNE, "106")]


def test_people_land_on_their_own_unit_never_the_province():
    assert home_unit(OFFICER, UNITS) == "03386"
    assert home_unit(INSPECTOR, UNITS) == "S12-01"
    assert home_unit(INSPECTOR.model_copy(update={"units": frozenset()}), UNITS) == "03386"  # first unit of their districts
    assert home_unit(ADMIN, UNITS) == home_unit(VIEWER, UNITS) == "S12-01"
    assert home_unit(ADMIN, UNITS[:1]) == "12" and home_unit(ADMIN, []) is None


def test_a_unit_formed_on_a_reused_code_reads_as_its_code_and_first_day():
    """Since 2025 many scopes hold keys like 03388@2025-07-01; a person reads 03388 (từ 01/07/2025)."""
    inspector = Principal(username="tdc", role=Role.AUDITOR, units=frozenset({"S12-01", "03388@2025-07-01"}))
    assert scope_text(inspector) == "đơn vị 03388 (từ 01/07/2025), S12-01"
    assert scope_text(inspector, "en").startswith("units 03388 (from 01/07/2025), S12-01")
