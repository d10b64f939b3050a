"""Test-period metrics: agreement with scikit-learn, per-date capacities, ties, clustered bootstrap."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

from training._logit import fit_line, fit_offset, logit
from training._metrics import evaluate_models, flatten, metric_names


def _data(n=4000, seed=0, n_dates=4):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=n)
    p = 1 / (1 + np.exp(-(1.2 * z - 3.5)))
    y = (rng.random(n) < p).astype(int)
    person = rng.integers(0, n // 3, n)
    as_of = np.repeat(pd.date_range("2023-03-31", periods=n_dates, freq="QE"), n // n_dates + 1)[:n]
    return y, p, person, as_of


def test_point_estimates_match_scikit_learn():
    y, p, person, as_of = _data()
    rounded = np.round(p, 2)
    report = evaluate_models(y, {"model": p, "other": rounded}, person=person, as_of=as_of, n_boot=20)
    assert report["model"]["roc_auc"]["value"] == pytest.approx(roc_auc_score(y, p))
    assert report["other"]["roc_auc"]["value"] == pytest.approx(roc_auc_score(y, rounded))
    assert report["other"]["pr_auc"]["value"] == pytest.approx(average_precision_score(y, rounded))
    assert report["model"]["brier"]["value"] == pytest.approx(brier_score_loss(y, p))
    assert report["model"]["log_loss"]["value"] == pytest.approx(log_loss(y, p))


def test_precision_and_recall_at_k_are_per_as_of_date_and_averaged():
    y, p, person, as_of = _data()
    report = evaluate_models(y, {"model": p}, person=person, as_of=as_of, capacities=(50,), shares=(), n_boot=10)
    frame = pd.DataFrame({"y": y, "p": p, "as_of": as_of})
    by_date = frame.groupby("as_of")
    precision = by_date.apply(lambda g: g.nlargest(50, "p")["y"].mean()).mean()
    recall = by_date.apply(lambda g: g.nlargest(50, "p")["y"].sum() / g["y"].sum()).mean()
    assert report["model"]["precision_at_50"]["value"] == pytest.approx(precision)
    assert report["model"]["recall_at_50"]["value"] == pytest.approx(recall)


def test_tied_scores_share_the_last_places():
    y = np.array([1, 0, 1, 0, 0, 0])
    flag = np.array([1, 1, 1, 1, 0, 0], dtype=float)
    report = evaluate_models(y, {"rule": flag}, person=np.arange(6), as_of=np.zeros(6), capacities=(2,),
                             shares=(), n_boot=5)
    assert report["rule"]["precision_at_2"]["value"] == pytest.approx(0.5)
    assert report["rule"]["recall_at_2"]["value"] == pytest.approx(0.5)


def test_capacity_larger_than_the_cohort_takes_everyone():
    y = np.array([1, 0, 0, 1])
    report = evaluate_models(y, {"m": np.array([0.4, 0.3, 0.2, 0.1])}, person=np.arange(4), as_of=np.zeros(4),
                             capacities=(10,), shares=(), n_boot=5)
    assert report["m"]["precision_at_10"]["value"] == pytest.approx(0.5)
    assert report["m"]["recall_at_10"]["value"] == pytest.approx(1.0)


def test_intervals_bracket_the_estimate_and_are_reproducible():
    y, p, person, as_of = _data()
    first = evaluate_models(y, {"model": p}, person=person, as_of=as_of, n_boot=100, random_state=3)
    again = evaluate_models(y, {"model": p}, person=person, as_of=as_of, n_boot=100, random_state=3)
    assert first == again
    for summary in first["model"].values():
        assert summary["ci_low"] <= summary["value"] + 1e-9 or np.isnan(summary["ci_low"])


def test_clustering_by_person_widens_intervals_when_people_repeat():
    rng = np.random.default_rng(2)
    n_people = 500
    risk = rng.normal(size=n_people)
    person = np.repeat(np.arange(n_people), 8)
    p = 1 / (1 + np.exp(-(risk[person] - 2)))
    y = np.repeat((rng.random(n_people) < 1 / (1 + np.exp(-(risk - 2)))).astype(int), 8)
    dates = np.tile(np.arange(8), n_people)
    clustered = evaluate_models(y, {"m": p}, person=person, as_of=dates, n_boot=200)["m"]["roc_auc"]
    naive = evaluate_models(y, {"m": p}, person=np.arange(len(y)), as_of=dates, n_boot=200)["m"]["roc_auc"]
    assert clustered["ci_high"] - clustered["ci_low"] > 1.5 * (naive["ci_high"] - naive["ci_low"])


def test_lift_is_the_paired_difference():
    y, p, person, as_of = _data()
    report = evaluate_models(y, {"model": p, "rule": (p > 0.2).astype(float)}, person=person, as_of=as_of, n_boot=50)
    lift = report["lift_over_rule"]
    assert lift["roc_auc"]["value"] == pytest.approx(report["model"]["roc_auc"]["value"] - report["rule"]["roc_auc"]["value"])
    assert "brier" not in lift and "precision_at_100" in lift


def test_flat_names_follow_the_mlflow_contract():
    y, p, person, as_of = _data(n=800)
    flat = flatten(evaluate_models(y, {"model": p, "logreg": p ** 1.1, "rule": (p > 0.2) * 0.1 + 0.01},
                                   person=person, as_of=as_of, n_boot=5))
    for name in ("test_roc_auc", "test_pr_auc", "test_brier", "test_log_loss", "test_calibration_slope",
                 "test_calibration_intercept", "test_ece", "test_ece_ci_high", "test_precision_at_50", "test_recall_at_1pct",
                 "test_precision_at_5pct", "test_roc_auc_ci_low", "test_roc_auc_ci_high",
                 "baseline_logreg_test_roc_auc", "baseline_rule_test_roc_auc_ci_high",
                 "lift_over_rule_test_roc_auc", "lift_over_logreg_test_precision_at_100"):
        assert name in flat
    assert len(metric_names((50, 100, 200), (0.01, 0.05))) == 17


def test_perfectly_calibrated_scores_have_slope_one_and_intercept_zero():
    rng = np.random.default_rng(4)
    z = rng.normal(-2, 1.5, 200_000)
    y = (rng.random(len(z)) < 1 / (1 + np.exp(-z))).astype(float)
    intercept, slope = fit_line(np.ones((1, len(z))), y, z)
    assert slope[0] == pytest.approx(1, abs=0.03) and intercept[0] == pytest.approx(0, abs=0.03)
    assert fit_offset(np.ones((1, len(z))), y, z)[0] == pytest.approx(0, abs=0.03)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(1e-4, 1 - 1e-4), min_size=1, max_size=50))
def test_logit_inverts_the_sigmoid(values):
    p = np.array(values)
    np.testing.assert_allclose(1 / (1 + np.exp(-logit(p))), p, rtol=1e-6)


def test_fits_without_both_outcomes_are_missing():
    y = np.zeros(10)
    assert np.isnan(fit_line(np.ones((1, 10)), y, np.linspace(-1, 1, 10))[1][0])


@settings(max_examples=40, deadline=None)
@given(data=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 1)), min_size=2, max_size=7),
       k=st.integers(1, 7))
def test_precision_at_k_is_the_average_over_every_tie_breaking_order(data, k):
    from itertools import permutations

    score = np.array([s for s, _ in data], dtype=float)
    y = np.array([label for _, label in data])
    if y.sum() == 0:
        return
    hits = [y[list(order)][np.argsort(-score[list(order)], kind="stable")][:k].sum()
            for order in permutations(range(len(y)))]
    expected = np.mean(hits) / min(k, len(y))
    report = evaluate_models(y, {"m": score}, person=np.arange(len(y)), as_of=np.zeros(len(y)),
                             capacities=(k,), shares=(), n_boot=2)
    assert report["m"][f"precision_at_{k}"]["value"] == pytest.approx(expected)


def test_expected_calibration_error_matches_a_direct_computation():
    y, p, person, as_of = _data()
    report = evaluate_models(y, {"model": p, "shifted": np.clip(p * 2, 0, 1)}, person=person, as_of=as_of, n_boot=30)
    edges = np.unique(np.quantile(p, np.linspace(0, 1, 11)))
    bins = np.searchsorted(edges[1:-1], p, side="right")
    direct = sum(abs(p[bins == b].sum() - y[bins == b].sum()) for b in np.unique(bins)) / len(p)
    ece = report["model"]["ece"]
    assert ece["value"] == pytest.approx(direct)
    assert ece["ci_low"] <= ece["value"] <= ece["ci_high"]
    assert report["shifted"]["ece"]["ci_low"] > ece["ci_high"]  # doubling every probability is miscalibrated
