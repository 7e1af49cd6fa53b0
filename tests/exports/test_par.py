"""The PAR methodology model and scoring (qms.exports.par_rules): plain values in, points out."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from qms.exports.par_rules import (
    SAMPLE_METHODOLOGY,
    Criterion,
    MethodologyError,
    load_methodology,
    parse_methodology,
    score,
)

SAMPLE = yaml.safe_load(SAMPLE_METHODOLOGY.read_text(encoding="utf-8"))


def _criterion(bands, max_points=1.0, measure="announced_rate") -> Criterion:
    return Criterion(code="X-1", wording={"vi": "Tiêu chí thử"}, level="commune", measure=measure,
                     max_points=max_points, bands=bands)


STEPS = _criterion([{"min_rate": 50, "points": 0.25}, {"min_rate": 70, "points": 0.5}, {"min_rate": 100, "points": 1.0}])


def _parse(data: dict):
    return parse_methodology(yaml.safe_dump(data, allow_unicode=True).encode(), "m.yaml")


# --- the shipped sample ------------------------------------------------------------------------

def test_the_shipped_methodology_is_marked_as_a_sample():
    methodology, sha = load_methodology(SAMPLE_METHODOLOGY)
    assert methodology.sample is True and "MẪU" in methodology.title.vi and len(sha) == 64


def test_the_sample_covers_announced_and_maintained_for_every_level():
    methodology, _ = load_methodology(SAMPLE_METHODOLOGY)
    pairs = {(c.measure, c.level) for c in methodology.criteria}
    assert pairs == {(m, lv) for m in ("announced_rate", "maintained_rate") for lv in ("department", "district", "commune")}


# --- scoring -----------------------------------------------------------------------------------

def test_65_of_108_communes_score_the_first_band_and_need_11_more_for_the_next():
    s = score(STEPS, 65, 108)
    assert (s.rate_pct, s.points, s.next_band.min_rate, s.units_to_next_band, s.units_to_full_marks) == (60.19, 0.25, 70, 11, 43)


def test_a_rate_exactly_on_a_band_reaches_it():
    assert score(STEPS, 70, 100).points == 0.5


def test_a_rate_just_below_a_band_does_not_reach_it():
    s = score(STEPS, 69, 100)
    assert (s.points, s.units_to_next_band) == (0.25, 1)


def test_the_band_comparison_is_exact_not_rounded():
    crit = _criterion([{"min_rate": 60.2, "points": 1.0}])
    assert score(crit, 65, 108).points == 0.0  # 60.185...% rounds to 60.19 but does not reach 60.2


def test_below_the_first_band_scores_zero():
    assert score(STEPS, 0, 10).points == 0.0


def test_full_marks_have_no_next_band():
    s = score(STEPS, 10, 10)
    assert s.full_marks and s.next_band is None and s.units_to_next_band is None and s.units_to_full_marks == 0


def test_nothing_counted_is_not_scored():
    s = score(STEPS, 0, 0)
    assert s.rate_pct is None and s.points is None and not s.full_marks


@pytest.mark.parametrize("num,den", [(-1, 5), (6, 5), (0, -1)])
def test_impossible_counts_are_refused(num, den):
    with pytest.raises(ValueError):
        score(STEPS, num, den)


def test_a_band_from_zero_scores_even_with_no_unit_meeting_the_measure():
    crit = _criterion([{"min_rate": 0, "points": 0.1}, {"min_rate": 100, "points": 0.5}], max_points=0.5)
    assert score(crit, 0, 4).points == 0.1


# --- validation --------------------------------------------------------------------------------

def _broken(mutate) -> MethodologyError:
    data = copy.deepcopy(SAMPLE)
    mutate(data)
    with pytest.raises(MethodologyError) as err:
        _parse(data)
    return err.value


def test_bands_whose_rates_go_down_are_refused_with_their_location():
    def mutate(d):
        d["criteria"][2]["bands"][1]["min_rate"] = 40
    err = _broken(mutate)
    assert err.location == "criteria[2]" and "bands[1].min_rate 40 must be above bands[0].min_rate 50" in err.reason


def test_bands_whose_points_do_not_rise_are_refused():
    def mutate(d):
        d["criteria"][2]["bands"][1]["points"] = 0.25
    assert "bands[1].points" in _broken(mutate).reason


def test_a_last_band_below_max_points_is_refused():
    def mutate(d):
        d["criteria"][0]["max_points"] = 2
    err = _broken(mutate)
    assert err.location == "criteria[0]" and "must equal max_points" in err.reason


def test_an_unknown_key_is_refused_and_named():
    def mutate(d):
        d["criteria"][1]["maxpoints"] = 1
    err = _broken(mutate)
    assert (err.location, err.reason) == ("criteria[1].maxpoints", "unknown key 'maxpoints'")


def test_an_unknown_measure_is_refused():
    def mutate(d):
        d["criteria"][0]["measure"] = "certified_rate"
    assert _broken(mutate).location == "criteria[0].measure"


def test_a_rate_above_100_is_refused():
    def mutate(d):
        d["criteria"][0]["bands"][0]["min_rate"] = 101
    assert _broken(mutate).location == "criteria[0].bands[0].min_rate"


def test_a_criterion_code_used_twice_is_refused():
    def mutate(d):
        d["criteria"][1]["code"] = d["criteria"][0]["code"]
    assert "already used by criteria[0]" in _broken(mutate).reason


def test_a_missing_sample_flag_is_refused():
    assert _broken(lambda d: d.pop("sample")).location == "sample"


def test_a_yaml_syntax_error_names_the_line():
    with pytest.raises(MethodologyError) as err:
        parse_methodology(b"id: x\ncriteria: [\n", "m.yaml")
    assert err.value.location.startswith("line ")


def test_a_file_that_is_not_a_mapping_is_refused():
    with pytest.raises(MethodologyError, match="expected a mapping"):
        parse_methodology(b"- a\n- b\n", "m.yaml")


def test_a_missing_file_is_one_sentence(tmp_path: Path):
    with pytest.raises(MethodologyError) as err:
        load_methodology(tmp_path / "none.yaml")
    assert err.value.location == "file" and "cannot be read" in str(err.value)
