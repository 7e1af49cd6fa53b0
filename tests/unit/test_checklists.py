"""Checklist templates: the shipped YAML files and the loader's refusals (qms.audits.checklists)."""

from __future__ import annotations

import copy
import hashlib
import unicodedata
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError as PydanticValidationError

from qms.audits.checklists import (
    ChecklistTemplate,
    LocalizedText,
    TemplateError,
    content_hash,
    load_template,
    load_templates,
    validate_dir,
)
from qms.audits.iso_clauses import TOP_CLAUSES, top_clause

CHECKLIST_DIR = Path(__file__).resolve().parents[2] / "checklists"
SHIPPED = sorted([*CHECKLIST_DIR.glob("*.yaml"), *CHECKLIST_DIR.glob("*.yml")])
MIN_ITEMS = {
    "inspection-circular26": 25,
    "internal-audit-iso9001-2008": 42,
    "internal-audit-iso9001-2015": 45,
}
AUDITS = {"internal-audit-iso9001-2008": "2008", "internal-audit-iso9001-2015": "2015"}


def _is_vietnamese_letter(ch: str) -> bool:
    """A letter carrying a Vietnamese diacritic (tone mark, circumflex, breve, horn) or đ/Đ."""
    return ch in "đĐ" or (ch.isalpha() and any(
        unicodedata.combining(c) for c in unicodedata.normalize("NFD", ch)))


def _vi_texts(node, path="") -> list[tuple[str, str]]:
    """Every raw string found under a ``vi`` key, with where it is."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "vi" and isinstance(value, str):
                found.append((f"{path}.vi", value))
            else:
                found += _vi_texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _vi_texts(value, f"{path}[{i}]")
    return found


# --- the shipped templates -------------------------------------------------------------------

def test_the_shipped_folder_holds_exactly_three_templates():
    assert [p.name for p in SHIPPED] == [
        "inspection-circular26.yaml",
        "internal-audit-iso9001-2008.yaml",
        "internal-audit-iso9001-2015.yaml",
    ]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_template_validates(path):
    template = load_template(path)
    assert template.id == path.stem


def test_shipped_folder_has_no_problem():
    assert validate_dir(CHECKLIST_DIR) == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_template_meets_its_item_minimum(path):
    template = load_template(path)
    assert template.item_count >= MIN_ITEMS[template.id]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_vietnamese_text_is_nfc_as_written(path):
    # Read the raw file: the model would normalise, so checking the model could not fail.
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    texts = _vi_texts(raw)
    assert texts
    bad = [where for where, text in texts if not unicodedata.is_normalized("NFC", text)]
    assert bad == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_questions_carry_vietnamese_diacritics(path):
    template = load_template(path)
    missing = [item.ref for _, item in template.items()
               if not any(_is_vietnamese_letter(ch) for ch in item.question.vi)]
    assert missing == []


def test_diacritic_check_can_fail():
    assert not any(_is_vietnamese_letter(ch) for ch in "Ho so TTHC duoc giai quyet dung han")
    assert any(_is_vietnamese_letter(ch) for ch in "Hồ sơ")


@pytest.mark.parametrize("template_id, standard", AUDITS.items())
def test_audit_template_has_one_section_per_top_clause(template_id, standard):
    template = load_template(CHECKLIST_DIR / f"{template_id}.yaml")
    assert [s.ref for s in template.sections] == [f"c{n}" for n in TOP_CLAUSES[standard]]
    for section, item in template.items():
        clause = getattr(item, f"clause_{standard}")
        assert f"c{top_clause(clause)}" == section.ref, item.ref


@pytest.mark.parametrize("template_id", AUDITS)
def test_audit_items_have_guidance_and_evidence(template_id):
    template = load_template(CHECKLIST_DIR / f"{template_id}.yaml")
    lacking = [i.ref for _, i in template.items() if i.guidance is None or i.evidence is None]
    assert lacking == []


@pytest.mark.parametrize("template_id, standard", AUDITS.items())
def test_yearly_internal_audit_and_review_items_weigh_two(template_id, standard):
    template = load_template(CHECKLIST_DIR / f"{template_id}.yaml")
    yearly = [i for _, i in template.items() if (i.legal_basis or "").endswith("Điều 4.4b")]
    assert len(yearly) >= 2
    assert all(i.weight == 2 for i in yearly)


def test_inspection_template_covers_every_point_of_article_36():
    template = load_template(CHECKLIST_DIR / "inspection-circular26.yaml")
    bases = " ".join(i.legal_basis or "" for _, i in template.items())
    for point in [f"36.1.{c}" for c in "abcdefg"] + [f"36.2.{c}" for c in "abcdef"]:
        assert f"Điều {point}" in bases, point


# --- loader refusals, on files written for each test ---------------------------------------

GOOD = {
    "id": "sample",
    "version": 1,
    "standard": "iso9001_2015",
    "title": {"vi": "Mẫu thử", "en": "Sample"},
    "levels": ["district"],
    "sections": [
        {"ref": "c9", "title": {"vi": "Đánh giá"},
         "items": [{"ref": "q1", "clause_2015": "9.2", "question": {"vi": "Đã đánh giá nội bộ?"}},
                   {"ref": "q2", "clause_2015": "9.3", "question": {"vi": "Đã họp xem xét?"}}]},
        {"ref": "c10", "title": {"vi": "Cải tiến"},
         "items": [{"ref": "q3", "clause_2015": "10.2", "question": {"vi": "Đã khắc phục?"}}]},
    ],
}


def _data(**changes) -> dict:
    data = copy.deepcopy(GOOD)
    data.update(changes)
    return data


def _write(path: Path, data) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _refusal(tmp_path: Path, data) -> TemplateError:
    path = _write(tmp_path / "t.yaml", data)
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    return caught.value


def test_good_sample_loads(tmp_path):
    template = load_template(_write(tmp_path / "t.yaml", GOOD))
    assert template.item_count == 3
    assert [(s.ref, i.ref) for s, i in template.items()] == [
        ("c9", "q1"), ("c9", "q2"), ("c10", "q3")]


def test_unknown_key_is_refused_with_its_location(tmp_path):
    data = _data()
    data["sections"][1]["items"][0]["colour"] = "red"
    error = _refusal(tmp_path, data)
    assert error.location == "sections[1].items[0].colour"
    assert "colour" in error.reason


def test_error_text_is_file_location_reason(tmp_path):
    data = _data()
    data["sections"][1]["items"][0]["colour"] = "red"
    error = _refusal(tmp_path, data)
    assert str(error) == f"{tmp_path / 't.yaml'}: sections[1].items[0].colour: {error.reason}"


def test_duplicate_item_ref_across_sections_is_refused_naming_it(tmp_path):
    data = _data()
    data["sections"][1]["items"][0]["ref"] = "q2"
    error = _refusal(tmp_path, data)
    assert error.location == "sections[1].items[0].ref"
    assert "'q2'" in error.reason and "sections[0].items[1]" in error.reason


def test_duplicate_section_ref_is_refused(tmp_path):
    data = _data()
    data["sections"][1]["ref"] = "c9"
    error = _refusal(tmp_path, data)
    assert error.location == "sections[1].ref"
    assert "'c9'" in error.reason


def test_unknown_clause_is_refused_naming_clause_and_location(tmp_path):
    data = _data()
    data["sections"][1]["items"][0]["clause_2015"] = "10.4"
    error = _refusal(tmp_path, data)
    assert error.location == "sections[1].items[0].clause_2015"
    assert "'10.4'" in error.reason


def test_clause_of_the_other_version_is_refused(tmp_path):
    data = _data(standard="iso9001_2008")
    for section in data["sections"]:
        for item in section["items"]:
            item["clause_2008"] = item.pop("clause_2015")
    error = _refusal(tmp_path, data)  # 9.2, 9.3 and 10.2 do not exist in 2008
    assert error.location == "sections[0].items[0].clause_2008"
    assert len(error.others) == 2


def test_unquoted_clause_gets_a_hint(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(yaml.safe_dump(GOOD, allow_unicode=True, sort_keys=False)
                    .replace("clause_2015: '9.2'", "clause_2015: 9.2"), encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert caught.value.location == "sections[0].items[0].clause_2015"
    assert "quotes" in caught.value.reason


def test_iso_item_without_any_clause_is_refused(tmp_path):
    data = _data()
    del data["sections"][0]["items"][1]["clause_2015"]
    error = _refusal(tmp_path, data)
    assert error.location == "sections[0].items[1]"
    assert "clause" in error.reason


def test_legal_item_without_clause_is_accepted(tmp_path):
    data = _data(standard="legal")
    del data["sections"][0]["items"][1]["clause_2015"]
    assert load_template(_write(tmp_path / "t.yaml", data)).item_count == 3


def test_legal_template_checks_each_clause_against_its_own_version(tmp_path):
    data = _data(standard="legal")
    data["sections"][0]["items"][0]["clause_2008"] = "9.2"  # a 2015 number under 2008
    error = _refusal(tmp_path, data)
    assert error.location == "sections[0].items[0].clause_2008"


def test_yaml_syntax_error_gives_the_line(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("id: sample\nversion: 1\n  standard: legal\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    assert caught.value.location == "line 3"


def test_top_level_list_is_refused(tmp_path):
    error = _refusal(tmp_path, [GOOD])
    assert error.location == "top level"
    assert "mapping" in error.reason


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(TemplateError, match="empty"):
        load_template(path)


def test_missing_key_is_refused(tmp_path):
    data = _data()
    del data["levels"]
    assert _refusal(tmp_path, data).location == "levels"


def test_duplicate_level_is_refused(tmp_path):
    error = _refusal(tmp_path, _data(levels=["district", "commune", "district"]))
    assert error.location == "levels[2]"


@pytest.mark.parametrize("weight", [0, -1, 10.5])
def test_weight_out_of_range_is_refused(tmp_path, weight):
    data = _data()
    data["sections"][0]["items"][0]["weight"] = weight
    assert _refusal(tmp_path, data).location == "sections[0].items[0].weight"


def test_bad_template_id_is_refused(tmp_path):
    assert _refusal(tmp_path, _data(id="Sample_1")).location == "id"


def test_blank_vietnamese_text_is_refused(tmp_path):
    data = _data()
    data["sections"][0]["items"][0]["question"]["vi"] = "   "
    error = _refusal(tmp_path, data)
    assert error.location == "sections[0].items[0].question.vi"


def test_vietnamese_text_is_normalised_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Đánh giá nội bộ")
    assert decomposed != "Đánh giá nội bộ"
    assert LocalizedText(vi=decomposed).vi == "Đánh giá nội bộ"


def test_models_are_frozen(tmp_path):
    template = load_template(_write(tmp_path / "t.yaml", GOOD))
    with pytest.raises(PydanticValidationError):
        template.version = 2


def test_template_built_in_code_gets_the_same_checks():
    data = _data()
    data["sections"][0]["items"][0]["clause_2015"] = "8.5.2.1"
    with pytest.raises(PydanticValidationError):
        ChecklistTemplate.model_validate(data)


# --- folders ---------------------------------------------------------------------------------

def test_broken_file_does_not_stop_the_good_ones(tmp_path):
    _write(tmp_path / "a.yaml", GOOD)
    (tmp_path / "b.yaml").write_text("id: [broken\n", encoding="utf-8")
    _write(tmp_path / "c.yml", _data(id="other"))
    loaded = load_templates(tmp_path)
    assert [e.template.id for e in loaded.templates] == ["other", "sample"]
    assert [Path(e.file).name for e in loaded.broken] == ["b.yaml"]


def test_same_id_and_version_with_different_content_is_broken(tmp_path):
    _write(tmp_path / "a.yaml", GOOD)
    _write(tmp_path / "b.yaml", _data(title={"vi": "Mẫu khác"}))
    loaded = load_templates(tmp_path)
    assert [e.path.name for e in loaded.templates] == ["a.yaml"]
    assert len(loaded.broken) == 1
    assert Path(loaded.broken[0].file).name == "b.yaml"
    assert "a.yaml" in loaded.broken[0].reason and "version 1" in loaded.broken[0].reason


def test_same_id_and_version_with_same_bytes_is_one_template(tmp_path):
    _write(tmp_path / "a.yaml", GOOD)
    _write(tmp_path / "b.yaml", GOOD)
    loaded = load_templates(tmp_path)
    assert loaded.broken == []
    assert len(loaded.templates) == 1


def test_templates_sorted_and_latest_is_highest_version(tmp_path):
    _write(tmp_path / "a.yaml", _data(version=3))
    _write(tmp_path / "b.yaml", GOOD)
    _write(tmp_path / "c.yaml", _data(id="aaa"))
    loaded = load_templates(tmp_path)
    assert [(e.template.id, e.template.version) for e in loaded.templates] == [
        ("aaa", 1), ("sample", 1), ("sample", 3)]
    assert loaded.latest("sample").template.version == 3
    assert loaded.latest("nothing") is None
    assert loaded.get("sample", 1).path.name == "b.yaml"


def test_loaded_hash_is_the_file_hash(tmp_path):
    path = _write(tmp_path / "a.yaml", GOOD)
    (entry,) = load_templates(tmp_path).templates
    assert entry.hash == hashlib.sha256(path.read_bytes()).hexdigest() == content_hash(path)


def test_content_hash_changes_when_one_byte_changes(tmp_path):
    path = _write(tmp_path / "a.yaml", GOOD)
    data = path.read_bytes()
    changed = data.replace(b"version: 1", b"version: 2")
    assert len(changed) == len(data)
    assert content_hash(data) != content_hash(changed)
    assert content_hash(path) == content_hash(data)


def test_validate_dir_reports_a_missing_folder(tmp_path):
    errors = validate_dir(tmp_path / "nope")
    assert len(errors) == 1
    assert errors[0].location == "directory"


def test_validate_dir_reports_an_empty_folder(tmp_path):
    assert len(validate_dir(tmp_path)) == 1


def test_validate_dir_lists_each_broken_file(tmp_path):
    _write(tmp_path / "a.yaml", GOOD)
    (tmp_path / "b.yaml").write_text("- 1\n", encoding="utf-8")
    (tmp_path / "c.yaml").write_text("id: [\n", encoding="utf-8")
    assert sorted(Path(e.file).name for e in validate_dir(tmp_path)) == ["b.yaml", "c.yaml"]
