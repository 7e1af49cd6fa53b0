"""The roll-up's decisions, pure: which snapshots are taken, refused, superseded or left out."""

from __future__ import annotations

import datetime as dt

from qms.exports.rollup_rules import Candidate, manifest_problems, plan

D = dt.date(2026, 6, 30)


def cand(source: str, code: str | None, as_of=D, generated="2026-07-01T00:00:00Z", problems=()) -> Candidate:
    return Candidate(source, source, code, f"Tỉnh {code}", as_of, generated, 3, "0.1.0", "ab" * 32, tuple(problems))


def test_the_newest_snapshot_of_a_province_wins_and_the_other_is_named():
    old, new, other = cand("a", "01"), cand("b", "01", generated="2026-07-02T00:00:00Z"), cand("c", "02")
    p = plan([old, other, new])
    assert [c.source for c in p.taken] == ["b", "c"]
    assert p.superseded[0].candidate is old and p.superseded[0].winner is new
    assert p.sentences() == ["a: province 01 has a newer snapshot for 2026-06-30: b (generated 2026-07-02T00:00:00Z) was taken, "
                             "not this one (generated 2026-07-01T00:00:00Z)."]


def test_the_date_is_the_latest_sound_one_unless_given_and_other_dates_are_left_out():
    earlier = cand("e", "03", as_of=dt.date(2025, 12, 31))
    bad = cand("x", None, as_of=dt.date(2027, 1, 1), problems=["units.parquet is listed in the manifest but missing"])
    p = plan([cand("a", "01"), earlier, bad])
    assert p.as_of == D and [c.source for c in p.taken] == ["a"] and p.other_dates == [earlier]
    assert p.refused == [bad] and bad.refusal() == "x: refused: units.parquet is listed in the manifest but missing."
    assert [c.source for c in plan([cand("a", "01"), earlier], dt.date(2025, 12, 31)).taken] == ["e"]


def test_manifest_fields_are_checked_one_sentence_each():
    good = {"format": "qms-snapshot", "schema_version": 3, "as_of": "2026-06-30", "generated_at": "2026-07-01T00:00:00Z",
            "qms_version": "0.1.0", "tables": [{"name": "units", "file": "units.parquet", "rows": 1, "sha256": "x"}],
            "skipped_tables": [{"name": "audits", "requires": ["audits"]}]}
    assert manifest_problems(good, readable_versions={1, 2, 3}, expected_tables={"units", "audits"}) == []
    assert manifest_problems(good, readable_versions={1, 2, 3}, expected_tables={"units", "audits", "findings"}) == [
        "table findings of schema version 3 is neither in the snapshot nor listed as skipped"]
    bad = dict(good, schema_version=4, as_of="30/06/2026", qms_version="", format="other")
    problems = manifest_problems(bad, readable_versions={1, 2, 3}, expected_tables=None)
    assert problems == ["manifest.json: format is 'other', not 'qms-snapshot'",
                        "manifest.json: schema version 4 is written by a newer qms; upgrade qms to read it (this qms reads [1, 2, 3])",
                        "manifest.json: as_of '30/06/2026' is not a date YYYY-MM-DD",
                        "manifest.json: qms_version '' is not a version number"]
    assert manifest_problems([], readable_versions={3}, expected_tables=None) == ["manifest.json is not a JSON object"]
