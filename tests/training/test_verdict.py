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
            precision_lift=(0.05, 0.01, 0.09), slope=(1.0, 0.9, 1.1), ece=(0.002, 0.001, 0.004)):
    return {"model": {"roc_auc": _summary(*auc), "precision_at_100": _summary(*precision),
                      "calibration_slope": _summary(*slope), "ece": _summary(*ece)},
            "lift_over_rule": {"roc_auc": _summary(*auc_lift), "precision_at_100": _summary(*precision_lift)}}


def _group(attribute, value, fnr="within tolerance", fpr="within tolerance", reference=False):
    return {"attribute": attribute, "value": value, "reference": reference, "suppressed": False,
            "disparities": {} if reference else {"fnr": {"verdict": fnr}, "fpr": {"verdict": fpr}}}


def _audit(*groups, intersections=()):
    return {"groups": [_group("sex", "F", reference=True), *groups], "intersections": list(intersections)}


FAIR = _audit(_group("sex", "M"))


def test_every_threshold_met_is_fit_for_use():
    verdict = judge(_report(), TrainingConfig(), rule=RULE, audit=FAIR)
    assert verdict.status == "fit for use"
    assert [c["result"] for c in verdict.checks] == ["met"] * 8
    assert "beats the simple rule" in verdict.statements[1]
    assert "within tolerance" in verdict.statements[-1]


def test_a_clear_failure_is_not_fit_for_use():
    verdict = judge(_report(auc=(0.6, 0.55, 0.65)), TrainingConfig(), rule=RULE, audit=FAIR)
    assert verdict.status == "not fit for use"
    assert verdict.statements[0].startswith("The model is NOT fit for use")


def test_an_interval_across_a_threshold_is_uncertain():
    verdict = judge(_report(precision=(0.06, 0.03, 0.09)), TrainingConfig(), rule=RULE, audit=FAIR)
    assert verdict.status == "not shown to be fit for use"
    assert verdict.checks[1]["result"] == "uncertain"


@pytest.mark.parametrize("auc", [(0.93, 0.91, 0.95), (0.84, 0.82, 0.87)])
def test_a_test_roc_auc_above_what_deployed_tools_reach_is_a_warning_never_a_pass(auc):
    verdict = judge(_report(auc=auc), TrainingConfig(), rule=RULE, audit=FAIR)
    (check,) = [c for c in verdict.checks if c["name"].startswith("test ROC AUC believable")]
    assert check["result"] == "uncertain" and check["threshold"] == 0.85
    assert verdict.status == "not shown to be fit for use"
    assert "WARNING SIGN, NOT A SUCCESS" in verdict.statements[1] and f"{auc[0]:.3f}" in verdict.statements[1]


def test_the_believable_ceiling_is_set_in_configuration():
    verdict = judge(_report(auc=(0.93, 0.91, 0.95)), TrainingConfig(max_plausible_roc_auc=0.96), rule=RULE,
                    audit=FAIR)
    assert verdict.status == "fit for use"
    assert not any("WARNING SIGN" in s for s in verdict.statements)
    with pytest.raises(ValueError, match="max_plausible_roc_auc"):
        TrainingConfig(max_plausible_roc_auc=0.65)


@pytest.mark.parametrize("lift, words", [
    ((-0.02, -0.05, -0.01), "does NOT beat the simple rule"),
    ((0.01, -0.02, 0.04), "has not been shown to beat the simple rule"),
])
def test_the_verdict_says_plainly_when_the_model_does_not_beat_the_rule(lift, words):
    verdict = judge(_report(precision_lift=lift), TrainingConfig(), rule=RULE, audit=FAIR)
    assert verdict.status != "fit for use"
    assert any(words in s and "precision at top 100" in s for s in verdict.statements)


def test_without_the_rule_the_verdict_says_it_was_not_compared():
    verdict = judge(_report(), TrainingConfig(), rule=NO_RULE, audit=FAIR)
    assert len(verdict.checks) == 6
    assert any("could not be compared" in s for s in verdict.statements)
    assert verdict.to_dict()["status"] == verdict.status


def test_a_configured_rule_is_described_by_its_own_features():
    from training._baselines import find_rule

    rule = find_rule(None, ["a_flag", "b_flag"], configured=("a_flag",))
    verdict = judge(_report(), TrainingConfig(), rule=rule)
    assert "any of: a_flag" in " ".join(verdict.statements)
    assert "permanent exclusion" not in " ".join(verdict.statements)


@pytest.mark.parametrize("where", ["group", "intersection"])
def test_a_disparity_outside_tolerance_means_not_fit_for_use(where):
    outside = _group("ethnicity_group", "Black", fnr="outside tolerance")
    audit = (_audit(outside) if where == "group" else
             _audit(_group("sex", "M"), intersections=[{"attributes": {"sex": "M", "age_band": "15-16"},
                                                       "disparities": {"fpr": {"verdict": "outside tolerance"}}}]))
    verdict = judge(_report(), TrainingConfig(), rule=RULE, audit=audit)
    assert verdict.status == "not fit for use"
    assert verdict.checks[-1]["result"] == "not met"
    assert any("OUTSIDE TOLERANCE" in s for s in verdict.statements)


def test_insufficient_evidence_is_stated_and_is_not_a_pass():
    audit = _audit(_group("sen_provision", "E", fpr="insufficient evidence"))
    verdict = judge(_report(), TrainingConfig(), rule=RULE, audit=audit)
    assert verdict.status == "not shown to be fit for use"
    assert verdict.checks[-1]["result"] == "uncertain"
    assert any("INSUFFICIENT EVIDENCE" in s and "sen_provision = E" in s for s in verdict.statements)


def test_without_an_audit_fairness_is_not_shown():
    verdict = judge(_report(), TrainingConfig(), rule=RULE)
    assert verdict.status == "not shown to be fit for use"
    assert any("No fairness audit ran" in s for s in verdict.statements)


@pytest.mark.parametrize("slope, result", [((1.0, 0.85, 1.2), "met"), ((0.6, 0.5, 0.7), "not met"),
                                           ((1.4, 1.3, 1.6), "not met"), ((0.9, 0.7, 1.1), "uncertain")])
def test_the_calibration_slope_is_judged_on_both_interval_ends(slope, result):
    verdict = judge(_report(slope=slope), TrainingConfig(), rule=RULE, audit=FAIR)
    check = next(c for c in verdict.checks if c["name"] == "test calibration slope")
    assert check["result"] == result and check["allowed"] == "0.8 to 1.25"


@pytest.mark.parametrize("ece, result", [((0.004, 0.002, 0.008), "met"), ((0.02, 0.015, 0.03), "not met"),
                                         ((0.008, 0.004, 0.012), "uncertain")])
def test_the_calibration_error_is_judged_on_the_interval(ece, result):
    verdict = judge(_report(ece=ece), TrainingConfig(max_ece=0.01), rule=RULE, audit=FAIR)
    check = next(c for c in verdict.checks if c["name"] == "test expected calibration error")
    assert check["result"] == result
    assert (verdict.status == "fit for use") is (result == "met")


def test_the_fairness_thresholds_are_declared_configuration():
    config = TrainingConfig(fairness_tolerance=0.9, fairness_metrics=["fnr"])
    check = judge(_report(), config, rule=RULE, audit=FAIR).checks[-1]
    assert check["threshold"] == 0.9 and "false-negative rate" in check["name"]
    assert "false-positive" not in check["name"]
