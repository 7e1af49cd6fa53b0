"""Shared values of the action tests: a small province, its principals, a lookup helper."""

from __future__ import annotations

import datetime as dt

from qms.accounts.rules import Principal, Role
from qms.units.model import EventType, NewEvent, Standard

CSV = """gso_code,name,level,kind,parent_gso_code,valid_from,valid_to
12,Tỉnh Lai Châu,province,tinh,,,
105,Thành phố Lai Châu,district,thanh_pho,12,,
106,Huyện Tam Đường,district,huyen,12,,
03386,Phường Quyết Thắng,commune,phuong,105,,
03430,Xã Bình Lư,commune,xa,106,,
S01,Sở Khoa học và Công nghệ,department,so,12,,
"""
TODAY = dt.date(2022, 6, 1)
ISO2008 = "internal-audit-iso9001-2008"
INSPECTION = "inspection-circular26"

ADMIN = Principal(username="lead", role=Role.ADMIN)
OFFICER = Principal(username="iso.quyetthang", role=Role.OFFICER, units=frozenset({"03386"}))
OTHER_OFFICER = Principal(username="iso.binhlu", role=Role.OFFICER, units=frozenset({"03430"}))
AUDITOR = Principal(username="tdc", role=Role.AUDITOR, districts=frozenset({"105"}))
OTHER_AUDITOR = Principal(username="tdc2", role=Role.AUDITOR, districts=frozenset({"106"}))
VIEWER = Principal(username="leader", role=Role.VIEWER)


def events() -> list[NewEvent]:
    E = EventType
    out = []
    for code in ("03386", "03430", "S01"):
        out += [NewEvent(unit_code=code, event_type=E.BUILD_STARTED, event_date=dt.date(2014, 6, 1)),
                NewEvent(unit_code=code, event_type=E.APPLIED, event_date=dt.date(2014, 9, 1))]
    out += [NewEvent(unit_code="105", event_type=E.BUILD_STARTED, event_date=dt.date(2014, 6, 1)),
            NewEvent(unit_code="105", event_type=E.APPLIED, event_date=dt.date(2014, 9, 1)),
            NewEvent(unit_code="105", event_type=E.INTERNAL_AUDIT, event_date=dt.date(2014, 10, 1)),
            NewEvent(unit_code="105", event_type=E.MANAGEMENT_REVIEW, event_date=dt.date(2014, 10, 15)),
            NewEvent(unit_code="105", event_type=E.EFFECTIVENESS_CONFIRMED, event_date=dt.date(2014, 10, 20)),
            NewEvent(unit_code="105", event_type=E.ANNOUNCED, event_date=dt.date(2014, 11, 1), decision_no="1/QĐ-UBND",
                     standard=Standard.ISO_2008)]
    return out


def action_of(db, audit_id: int, item_ref: str) -> int:
    return db.scalar("SELECT a.id FROM actions a JOIN findings f ON f.id = a.finding_id"
                     " WHERE f.audit_id = ? AND f.item_ref = ?", [audit_id, item_ref])
