"""The discipline index: weights, bands, what is left out, the ranking, the configuration."""

import pytest

from monitoris.analysis import index
from monitoris.config import ConfigError, load

FIGURES = {"assigned": 10, "accepted": 6, "on_time": 3, "overdue": 2, "reviews": 4, "returns": 1,
           "extension_requests": 5, "instructions_received": 0, "instructions_answered": 0}


def test_the_index_is_the_weighted_scores_and_shows_its_working():
    result = index.compute(FIGURES, index.DEFAULT_WEIGHTS, (70, 85))
    # timeliness 3/8 = 37.5; overdue 80; returns 75; extensions 50
    assert result.value == round(0.5 * 37.5 + 0.2 * 80 + 0.15 * 75 + 0.15 * 50, 1) == 53.5
    assert result.grade == "unsatisfactory"
    assert [(line.component, line.score, line.contribution) for line in result.lines] == [
        ("timeliness", 37.5, 18.75), ("overdue", 80.0, 16.0), ("returns", 75.0, 11.25), ("extensions", 50.0, 7.5)]


def test_what_cannot_be_measured_is_left_out_and_the_weights_scaled():
    result = index.compute({**FIGURES, "reviews": 0, "returns": 0}, index.DEFAULT_WEIGHTS, (70, 85))
    returns = next(line for line in result.lines if line.component == "returns")
    assert returns.score is None and returns.effective_weight == 0
    assert result.value == round((0.5 * 37.5 + 0.2 * 80 + 0.15 * 50) / 0.85, 1)


def test_no_judged_work_no_grade():
    result = index.compute({**FIGURES, "accepted": 0, "on_time": 0, "overdue": 0}, index.DEFAULT_WEIGHTS, (70, 85))
    assert (result.value, result.grade) == (None, None)


@pytest.mark.parametrize("value, grade", [(69.9, "unsatisfactory"), (70, "satisfactory"), (84.9, "satisfactory"),
                                          (85, "good"), (100, "good"), (None, None)])
def test_bands(value, grade):
    assert index.grade(value, (70, 85)) == grade


def test_ranks_share_on_ties_and_ungraded_come_last():
    rows = [{"index": 50}, {"index": None}, {"index": 90}, {"index": 50}]
    assert [(r["index"], r["rank"]) for r in index.rank(rows)] == [(90, 1), (50, 2), (50, 2), (None, None)]


def test_weights_and_bands_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("MONITORIS_ANALYSIS_WEIGHTS", "timeliness=1,instructions=1")
    monkeypatch.setenv("MONITORIS_ANALYSIS_BANDS", "60,80")
    config = load(str(tmp_path), {"SECRET_KEY": "x"})
    assert config["ANALYSIS_WEIGHTS"]["instructions"] == 1 and config["ANALYSIS_WEIGHTS"]["overdue"] == 0
    assert config["ANALYSIS_BANDS"] == (60, 80)
    monkeypatch.setenv("MONITORIS_ANALYSIS_WEIGHTS", "speed=1")
    with pytest.raises(ConfigError, match="speed"):
        load(str(tmp_path), {"SECRET_KEY": "x"})
    monkeypatch.setenv("MONITORIS_ANALYSIS_WEIGHTS", "")
    monkeypatch.setenv("MONITORIS_ANALYSIS_BANDS", "90,80")
    with pytest.raises(ConfigError):
        load(str(tmp_path), {"SECRET_KEY": "x"})
