"""Reading unit lists: every bad line named, nothing returned when one is wrong."""

from __future__ import annotations

import unicodedata

import pytest

from qms.kernel.errors import ImportRowError, QmsError
from qms.kernel.settings import PROJECT_ROOT
from qms.units.importer import decode, parse_units_csv

HEADER = "gso_code,name,level,kind,parent_gso_code,valid_from,valid_to\n"


def test_demo_unit_list_parses_whole():
    source = PROJECT_ROOT / "data" / "demo" / "lai_chau_units.csv"
    records = parse_units_csv(source.read_text(encoding="utf-8"))
    communes = [r for _, r in records if r.level.value == "commune"]
    assert len(communes) == 108


def test_every_bad_line_is_named_with_its_reason():
    text = HEADER + "105,Thành phố Lai Châu,district,thanh_pho,12,,\n03386,Phường X,huyen,phuong,105,,\n3387,Phường Y,commune,phuong,105,,\n"
    with pytest.raises(ImportRowError) as info:
        parse_units_csv(text, "units.csv")
    problems = dict(info.value.problems)
    assert set(problems) == {"line 3", "line 4"}
    assert "level 'huyen'" in problems["line 3"]
    assert "03387" in problems["line 4"]  # the leading zero a spreadsheet dropped
    assert str(info.value).startswith("units.csv: 2 rows refused")


def test_bad_date_names_the_field():
    with pytest.raises(ImportRowError) as info:
        parse_units_csv(HEADER + "105,TP,district,thanh_pho,12,31/02/2020,\n")
    assert "valid_from" in info.value.problems[0][1]


def test_valid_to_must_follow_valid_from():
    with pytest.raises(ImportRowError, match="valid_to must be after valid_from"):
        parse_units_csv(HEADER + "105,TP,district,thanh_pho,12,2020-01-01,2019-01-01\n")


def test_missing_column_is_one_sentence():
    with pytest.raises(QmsError, match="has no column 'level'"):
        parse_units_csv("gso_code,name,kind\n105,TP,huyen\n", "x.csv")


def test_names_are_nfc_normalised():
    nfd = unicodedata.normalize("NFD", "Xã Nậm Loỏng")
    (_, rec), = parse_units_csv(HEADER + f"03403,{nfd},commune,xa,105,,\n")
    assert rec.name == unicodedata.normalize("NFC", "Xã Nậm Loỏng") and rec.name != nfd


def test_non_utf8_file_is_refused_with_its_name():
    with pytest.raises(QmsError, match="bad.csv is not UTF-8"):
        decode("Thành phố".encode("cp1252", errors="replace") + b"\xff\xfe\x81", "bad.csv")


def test_byte_order_mark_is_dropped():
    assert decode("\ufeffgso_code".encode("utf-8"), "x.csv") == "gso_code"


def test_header_only_file_is_refused():
    with pytest.raises(QmsError, match="no unit"):
        parse_units_csv(HEADER)
