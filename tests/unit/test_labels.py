"""Every label exists in both languages; Vietnamese is NFC with its diacritics."""

from __future__ import annotations

import unicodedata

import pytest

from qms.kernel.labels import LABELS, kind_label, t


@pytest.mark.parametrize("key", sorted(LABELS))
def test_label_is_nfc_and_complete(key):
    vi, en = LABELS[key]
    assert vi and en
    assert unicodedata.normalize("NFC", vi) == vi and unicodedata.normalize("NFC", en) == en


def test_vietnamese_labels_carry_diacritics():
    """A Vietnamese UI without diacritics is a bug: most labels must carry them."""
    with_marks = [k for k, (vi, _) in LABELS.items() if any(ord(c) > 127 for c in vi)]
    assert len(with_marks) / len(LABELS) > 0.8


def test_unknown_language_falls_back_to_vietnamese():
    assert t("page.overview", "fr") == "Tổng quan"


def test_kind_label_shows_unknown_kinds_as_written():
    assert kind_label("phuong") == "Phường" and kind_label("ban_quan_ly") == "ban_quan_ly"


def test_search_key_strips_vietnamese_marks_and_d_with_stroke():
    from qms.units.model import search_key

    assert search_key("Phường Đoàn Kết") == "phuong doan ket"
    assert search_key("Xã Nậm Loỏng") == "xa nam loong"
