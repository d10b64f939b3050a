"""The audit's figures: agreement with fairlearn, intervals, modes and the JSON shape."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, count, false_negative_rate, false_positive_rate
from fairlearn.metrics import selection_rate, true_positive_rate
from sklearn.metrics import brier_score_loss, precision_score, roc_auc_score

from evaluation import AuditResult, audit_scores

LABEL_METRICS = {
    "n": count,
    "selection_rate": selection_rate,
    "tpr": true_positive_rate,
    "fpr": false_positive_rate,
    "fnr": false_negative_rate,
    "ppv": lambda y, p: precision_score(y, p, zero_division=np.nan),
    "npv": lambda y, p: precision_score(y, p, pos_label=0, zero_division=np.nan),
    "base_rate": lambda y, p: selection_rate(y, y),
}
SCORE_METRICS = {"roc_auc": roc_auc_score, "brier": brier_score_loss}


def _frames(scores, columns):
    flags = (scores["score"] >= 0.3).astype(int)
    groups = scores[columns]
    by_label = MetricFrame(metrics=LABEL_METRICS, y_true=scores["outcome"], y_pred=flags,
                           sensitive_features=groups)
    by_score = MetricFrame(metrics=SCORE_METRICS, y_true=scores["outcome"], y_pred=scores["score"],
                           sensitive_features=groups)
    return pd.concat([by_label.by_group, by_score.by_group], axis=1), pd.concat(
        [by_label.overall, by_score.overall])


def _exact(value):
    """Equal to floating-point rounding: the audit sums in another order than scikit-learn."""
    return pytest.approx(value, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("column", ["sex", "ethnicity"])
def test_group_point_estimates_equal_fairlearn_metricframe(audit, scores, column):
    expected, _ = _frames(scores, [column])
    shown = [g for g in audit.to_dict()["groups"] if g["attribute"] == column and not g["suppressed"]]
    assert shown
    for record in shown:
        for metric in expected.columns:
            assert record["metrics"][metric]["value"] == _exact(expected.loc[record["value"], metric]), metric


def test_intersection_and_overall_point_estimates_equal_fairlearn(audit, scores):
    expected, overall = _frames(scores, ["sex", "ethnicity"])
    payload = audit.to_dict()
    for metric in overall.index:
        assert payload["overall"]["metrics"][metric]["value"] == _exact(overall[metric])
    shown = [r for r in payload["intersections"] if not r["suppressed"] and r["n"]]
    for record in shown:
        key = (record["attributes"]["sex"], record["attributes"]["ethnicity"])
        for metric in expected.columns:
            assert record["metrics"][metric]["value"] == _exact(expected.loc[key, metric]), metric


def test_intervals_contain_the_point_estimate(audit):
    payload = audit.to_dict()
    records = [payload["overall"], *payload["groups"], *payload["intersections"]]
    checked = 0
    for record in records:
        for name, m in record["metrics"].items():
            if m["value"] is None or m["ci_low"] is None:
                continue
            assert m["ci_low"] <= m["value"] <= m["ci_high"], name
            checked += 1
    assert checked > 100


def test_intervals_have_width_for_rates(audit):
    tpr = audit.to_dict()["overall"]["metrics"]["tpr"]
    assert tpr["ci_low"] < tpr["value"] < tpr["ci_high"]


def test_json_has_the_documented_shape(audit, tmp_path):
    path = audit.write_json(tmp_path / "audit.json")
    payload = json.loads(path.read_text())
    assert {"overall", "groups", "intersections", "settings", "capacity", "decision"} <= set(payload)
    group = payload["groups"][0]
    assert {"attribute", "value", "n", "suppressed", "metrics", "disparities"} <= set(group)
    assert set(group["metrics"]["tpr"]) == {"value", "ci_low", "ci_high"}
    assert {"ratio", "difference", "ci_low", "ci_high", "verdict"} <= set(group["disparities"]["fnr"])
    crossing = payload["intersections"][0]
    assert set(crossing["attributes"]) == {"sex", "ethnicity"}
    assert payload["settings"]["n_boot"] == 100


def test_every_crossing_is_listed_with_its_count(audit, scores):
    payload = audit.to_dict()
    assert len(payload["intersections"]) == 2 * 5
    for record in payload["intersections"]:
        assert record["n_display"]


def test_no_identifier_reaches_the_outputs(audit, scores, tmp_path):
    audit.write_json(tmp_path / "a.json")
    audit.write_html(tmp_path / "a.html")
    text = (tmp_path / "a.json").read_text() + (tmp_path / "a.html").read_text()
    assert "person_id" not in text
    assert not any(pid in text for pid in scores["person_id"].head(50))


def test_reference_defaults_to_the_largest_group(audit):
    refs = {g["attribute"]: g["value"] for g in audit.to_dict()["groups"] if g["reference"]}
    assert refs == {"sex": "M", "ethnicity": "White"}


def test_reference_groups_carry_no_comparison_with_themselves(audit):
    for record in audit.to_dict()["groups"] + audit.to_dict()["intersections"]:
        if record["reference"]:
            assert record["disparities"] == {}


def test_reference_can_be_chosen(scores):
    result = audit_scores(scores["outcome"], y_score=scores["score"], threshold=0.3,
                          sensitive_features=scores[["sex"]], reference={"sex": "F"}, n_boot=20)
    refs = [g["value"] for g in result.to_dict()["groups"] if g["reference"]]
    assert refs == ["F"]


def test_top_k_flags_the_k_highest_scores(scores):
    result = audit_scores(scores["outcome"], y_score=scores["score"], top_k=100,
                          sensitive_features=scores["sex"], n_boot=20)
    settings = result.to_dict()["settings"]
    assert settings["mode"] == "top_k"
    assert settings["n_flagged"] == 100
    assert settings["threshold"] == np.sort(scores["score"])[-100]


def test_prediction_mode_has_no_score_metrics(scores):
    result = audit_scores(scores["outcome"], y_pred=scores["flag"],
                          sensitive_features=scores["sex"], n_boot=20)
    payload = result.to_dict()
    assert "roc_auc" not in payload["overall"]["metrics"]
    assert payload["capacity"]["available"] is False
    expected = audit_scores(scores["outcome"], y_score=scores["score"], threshold=0.3,
                            sensitive_features=scores["sex"], n_boot=20).to_dict()
    assert payload["overall"]["metrics"]["fnr"] == expected["overall"]["metrics"]["fnr"]


def test_same_seed_gives_the_same_intervals(scores):
    def run():
        return audit_scores(scores["outcome"], y_score=scores["score"], threshold=0.3,
                            sensitive_features=scores["sex"], n_boot=30, random_state=7).to_dict()

    assert run()["groups"] == run()["groups"]


def test_single_group_column_has_no_intersections(scores):
    result = audit_scores(scores["outcome"], y_score=scores["score"], threshold=0.3,
                          sensitive_features=scores["sex"], n_boot=20)
    assert result.to_dict()["intersections"] == []


def test_capacity_rows_match_a_direct_count(scores):
    result = audit_scores(scores["outcome"], y_score=scores["score"], threshold=0.3,
                          sensitive_features=scores["sex"], n_boot=20, capacities=(50, 5000))
    capacity = result.to_dict()["capacity"]
    assert [r["k"] for r in capacity["rows"]] == [50]
    assert "5000" in capacity["note"]
    row = capacity["rows"][0]
    top = scores.nlargest(50, "score")
    assert row["precision"] == pytest.approx(top["outcome"].mean())
    shares = {g["value"]: g["share_of_flags"] for g in row["groups"]}
    assert shares["F"] == pytest.approx((top["sex"] == "F").mean())
    assert sum(shares.values()) == pytest.approx(1.0)


def test_decision_audit_sits_beside_the_model(audit, scores):
    decision = audit.to_dict()["decision"]
    overall = decision["overall"]["metrics"]["selection_rate"]["value"]
    assert overall == pytest.approx(scores["decision"].mean())
    agreement = decision["agreement"]["overall"]["agreement"]
    assert agreement == pytest.approx(((scores["score"] >= 0.3) == scores["decision"]).mean())


def test_to_frame_refuses_an_unknown_kind(audit):
    from evaluation import AuditInputError

    with pytest.raises(AuditInputError, match="'kind' option must be 'groups' or 'intersections'"):
        audit.to_frame(kind="cells")


def test_result_round_trips_through_to_frame(audit):
    frame = audit.to_frame()
    assert {"attribute", "value", "n_display", "tpr"} <= set(frame.columns)
    assert isinstance(audit, AuditResult)
    assert "AuditResult" in repr(audit)
