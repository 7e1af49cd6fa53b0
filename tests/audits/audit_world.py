"""Shared values of the audit tests: a small province and a helper that answers every item."""

from __future__ import annotations

import datetime as dt

from qms.accounts.rules import Principal, system_principal
from qms.audits.rules import AnswerInput, Result
from qms.audits.store import get_audit, save_answers
from qms.units.model import EventType, NewEvent, Standard

CSV = """gso_code,name,level,kind,parent_gso_code,valid_from,valid_to
12,Tỉnh Lai Châu,province,tinh,,,
105,Thành phố Lai Châu,district,thanh_pho,12,,
03386,Phường Quyết Thắng,commune,phuong,105,,
03397,Xã Sùng Phài,commune,xa,105,,2020-01-01
S01,Sở Khoa học và Công nghệ,department,so,12,,
"""
TODAY = dt.date(2022, 6, 1)
ISO2008 = "internal-audit-iso9001-2008"
ISO2015 = "internal-audit-iso9001-2015"
INSPECTION = "inspection-circular26"


def events() -> list[NewEvent]:
    E = EventType
    out = []

    def add(code, kind, day, **kw):
        out.append(NewEvent(unit_code=code, event_type=kind, event_date=dt.date.fromisoformat(day), **kw))

    # the commune: applying since March 2015, its first internal audit in May 2016
    add("03386", E.BUILD_STARTED, "2015-01-10")
    add("03386", E.APPLIED, "2015-03-01")
    add("03386", E.INTERNAL_AUDIT, "2016-05-01")
    # the city: announced on 2008 in 2014, moved to 2015 in 2019
    add("105", E.BUILD_STARTED, "2014-06-01")
    add("105", E.APPLIED, "2014-09-01")
    add("105", E.INTERNAL_AUDIT, "2014-10-01")
    add("105", E.MANAGEMENT_REVIEW, "2014-10-15")
    add("105", E.EFFECTIVENESS_CONFIRMED, "2014-10-20")
    add("105", E.ANNOUNCED, "2014-11-01", decision_no="1/QĐ-UBND", standard=Standard.ISO_2008)
    add("105", E.STANDARD_CHANGED, "2019-06-01", standard=Standard.ISO_2015)
    add("105", E.RE_ANNOUNCED, "2019-07-01", decision_no="2/QĐ-UBND", standard=Standard.ISO_2015)
    # the department: building only
    add("S01", E.BUILD_STARTED, "2015-01-01")
    return out



def answer_all(db, audit_id: int, result: Result = Result.CONFORM, overrides: dict | None = None,
               actor: Principal = system_principal("auditor")):
    """Answer every item with ``result`` (``overrides``: ref -> AnswerInput kwargs); returns the SaveResult."""
    view = get_audit(db, audit_id)
    overrides = overrides or {}
    answers = [AnswerInput(item_ref=s.ref, **overrides.get(s.ref, {"result": result})) for s in view.specs]
    return save_answers(db, audit_id, answers, expected_version=view.row_version, actor=actor)
