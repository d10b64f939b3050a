"""The fit-for-use verdict: thresholds judged on whole intervals, plain words about the rule."""

from __future__ import annotations

import pytest

from training import TrainingConfig
from training._baselines import RuleBaseline
from training._verdict import judge

RULE = RuleBaseline(("permanent_exclusion_24m",), "uses permanent_exclusion_24m")
NO_RULE = RuleBaseline((), "skipped")


def _summary(value, low, high):
    return {"value": value, "ci_low": low, "ci_high": high}


def _report(auc=(0.8, 0.78, 0.82), precision=(0.2, 0.15, 0.25), auc_lift=(0.1, 0.05, 0.15),
            precision_lift=(0.05, 0.01, 0.09)):
    return {"model": {"roc_auc": _summary(*auc), "precision_at_100": _summary(*precision)},
            "lift_over_rule": {"roc_auc": _summary(*auc_lift), "precision_at_100": _summary(*precision_lift)}}


def test_every_threshold_met_is_fit_for_use():
    verdict = judge(_report(), TrainingConfig(), rule=RULE)
    assert verdict.status == "fit for use"
    assert [c["result"] for c in verdict.checks] == ["met"] * 4
    assert "beats the simple rule" in verdict.statements[1]


def test_a_clear_failure_is_not_fit_for_use():
    verdict = judge(_report(auc=(0.6, 0.55, 0.65)), TrainingConfig(), rule=RULE)
    assert verdict.status == "not fit for use"
    assert verdict.statements[0].startswith("The model is NOT fit for use")


def test_an_interval_across_a_threshold_is_uncertain():
    verdict = judge(_report(precision=(0.06, 0.03, 0.09)), TrainingConfig(), rule=RULE)
    assert verdict.status == "not shown to be fit for use"
    assert verdict.checks[1]["result"] == "uncertain"


@pytest.mark.parametrize("lift, words", [
    ((-0.02, -0.05, -0.01), "does NOT beat the simple rule"),
    ((0.01, -0.02, 0.04), "has not been shown to beat the simple rule"),
])
def test_the_verdict_says_plainly_when_the_model_does_not_beat_the_rule(lift, words):
    verdict = judge(_report(precision_lift=lift), TrainingConfig(), rule=RULE)
    assert verdict.status != "fit for use"
    assert any(words in s and "precision at top 100" in s for s in verdict.statements)


def test_without_the_rule_the_verdict_says_it_was_not_compared():
    verdict = judge(_report(), TrainingConfig(), rule=NO_RULE)
    assert len(verdict.checks) == 2
    assert "could not be compared" in verdict.statements[-1]
    assert verdict.to_dict()["status"] == verdict.status


def test_a_configured_rule_is_described_by_its_own_features():
    from training._baselines import find_rule

    rule = find_rule(None, ["a_flag", "b_flag"], configured=("a_flag",))
    verdict = judge(_report(), TrainingConfig(), rule=rule)
    assert "any of: a_flag" in " ".join(verdict.statements)
    assert "permanent exclusion" not in " ".join(verdict.statements)
