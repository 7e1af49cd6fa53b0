"""The clause table of TCVN ISO 9001:2008 and :2015 (qms.audits.iso_clauses)."""

from __future__ import annotations

import unicodedata

import pytest

from qms.audits.iso_clauses import (
    TITLES,
    TOP_CLAUSES,
    clause_title,
    clauses,
    is_known_clause,
    parent_clause,
    top_clause,
)
from qms.kernel.errors import ValidationError


@pytest.mark.parametrize("standard, clause", [
    ("2008", "4.2.3"), ("2008", "4.2.4"), ("2008", "5.6"), ("2008", "7.5"), ("2008", "8.2.2"),
    ("2008", "8.5.2"), ("2008", "8.5.3"), ("2008", "8"),
    ("2015", "4.3"), ("2015", "9.1.2"), ("2015", "9.2"), ("2015", "9.3"), ("2015", "10.2"),
    ("2015", "10"), ("2015", "8.7"), ("2015", "7.1.5.2"),
])
def test_known_clauses_are_recognised(standard, clause):
    assert is_known_clause(standard, clause)


@pytest.mark.parametrize("standard, clause", [
    ("2008", "9"), ("2008", "9.2"), ("2008", "10.2"), ("2008", "4.4"), ("2008", "8.6"),
    ("2015", "8.5.7"), ("2015", "4.2.3"), ("2015", "11"), ("2015", "5.4"), ("2015", "3"),
    ("2015", ""), ("2015", "9.2 "), ("2015", "9.2."),
])
def test_unknown_clauses_are_refused(standard, clause):
    assert not is_known_clause(standard, clause)


def test_a_number_is_not_a_clause():
    # YAML reads an unquoted 8.2 as a float; the table only answers for strings.
    assert not is_known_clause("2008", 8.2)


def test_template_standard_names_are_accepted():
    assert is_known_clause("iso9001_2015", "10.2") and is_known_clause("iso9001_2008", "8.3")


def test_unknown_standard_raises():
    with pytest.raises(ValidationError, match="2009"):
        is_known_clause("2009", "4.1")


def test_top_clauses_are_the_ones_of_each_version():
    assert TOP_CLAUSES["2008"] == ("4", "5", "6", "7", "8")
    assert TOP_CLAUSES["2015"] == ("4", "5", "6", "7", "8", "9", "10")
    for std, tops in TOP_CLAUSES.items():
        assert {top_clause(c) for c in clauses(std)} == set(tops)


@pytest.mark.parametrize("standard", ["2008", "2015"])
def test_every_sub_clause_has_a_known_parent(standard):
    for clause in clauses(standard):
        parent = parent_clause(clause)
        assert parent is None or is_known_clause(standard, parent), clause


def test_top_and_parent_clause():
    assert top_clause("8.2.2") == "8"
    assert top_clause("10.2") == "10"
    assert top_clause("9") == "9"
    assert parent_clause("8.2.2") == "8.2"
    assert parent_clause("10") is None


def test_clauses_are_in_numeric_order():
    listed = clauses("2015")
    assert listed.index("9.3.3") < listed.index("10") < listed.index("10.1")
    assert listed[0] == "4"


@pytest.mark.parametrize("standard, clause, vi, en", [
    ("2008", "4", "Hệ thống quản lý chất lượng", "Quality management system"),
    ("2008", "5", "Trách nhiệm của lãnh đạo", "Management responsibility"),
    ("2008", "6", "Quản lý nguồn lực", "Resource management"),
    ("2008", "7", "Tạo sản phẩm", "Product realization"),
    ("2008", "8", "Đo lường, phân tích và cải tiến", "Measurement, analysis and improvement"),
    ("2008", "8.2.2", "Đánh giá nội bộ", "Internal audit"),
    ("2008", "8.5.3", "Hành động phòng ngừa", "Preventive action"),
    ("2015", "4", "Bối cảnh của tổ chức", "Context of the organization"),
    ("2015", "9", "Đánh giá kết quả thực hiện", "Performance evaluation"),
    ("2015", "10", "Cải tiến", "Improvement"),
    ("2015", "9.1.2", "Sự thỏa mãn của khách hàng", "Customer satisfaction"),
    ("2015", "10.2", "Sự không phù hợp và hành động khắc phục",
     "Nonconformity and corrective action"),
])
def test_clause_titles(standard, clause, vi, en):
    assert clause_title(standard, clause) == vi
    assert clause_title(standard, clause, lang="en") == en


def test_untitled_sub_clause_takes_its_parent_title():
    assert clause_title("2015", "9.2.2") == clause_title("2015", "9.2") == "Đánh giá nội bộ"


def test_title_of_unknown_clause_names_it():
    with pytest.raises(ValidationError, match=r"'9\.2'.*2008"):
        clause_title("2008", "9.2")


def test_title_in_unknown_language_is_refused():
    with pytest.raises(ValidationError, match="fr"):
        clause_title("2015", "9.2", lang="fr")


@pytest.mark.parametrize("standard", ["2008", "2015"])
def test_titles_are_nfc_and_not_blank(standard):
    for clause, (vi, en) in TITLES[standard].items():
        assert vi.strip() and en.strip(), clause
        assert unicodedata.is_normalized("NFC", vi), clause
