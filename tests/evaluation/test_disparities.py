"""Verdict logic and interval rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from evaluation._disparities import INSUFFICIENT, OUTSIDE, WITHIN, interval, verdict, wilson


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.85, 1.2, WITHIN),
        (0.8, 1.25, WITHIN),
        (1.3, 2.0, OUTSIDE),
        (0.2, 0.7, OUTSIDE),
        (0.7, 1.1, INSUFFICIENT),
        (1.1, 1.4, INSUFFICIENT),
        (0.5, 2.0, INSUFFICIENT),
        (1.3, np.inf, OUTSIDE),
        (0.9, np.inf, INSUFFICIENT),
        (np.nan, np.nan, INSUFFICIENT),
    ],
)
def test_verdict_against_the_tolerance_band(low, high, expected):
    assert verdict(low, high, tolerance=0.8) == expected


def test_tolerance_changes_the_band():
    assert verdict(0.75, 1.3, tolerance=0.7) == WITHIN
    assert verdict(0.75, 1.3, tolerance=0.9) == INSUFFICIENT


@given(st.lists(st.floats(0, 10), min_size=1, max_size=50), st.floats(0, 10))
def test_interval_always_contains_the_value(values, value):
    low, high = interval(np.asarray(values), value)
    assert low <= value <= high


def test_interval_ignores_undefined_replicates():
    low, high = interval(np.array([np.nan, 0.4, 0.5, 0.6]), 0.5)
    assert 0.4 <= low <= high <= 0.6


def test_interval_of_all_undefined_is_undefined():
    assert all(np.isnan(interval(np.array([np.nan, np.nan]), 0.5)))


def test_too_few_behind_a_rate_gives_insufficient_evidence():
    import pandas as pd

    from evaluation import audit_scores

    n = 2000
    group = np.array(["A"] * (n // 2) + ["B"] * (n // 2))
    y = np.zeros(n, dtype=int)
    y[: 200] = 1  # A: 200 young people with the outcome
    y[n // 2: n // 2 + 8] = 1  # B: only 8, fewer than min_cell, behind B's miss rate
    score = np.random.default_rng(0).random(n) + y
    result = audit_scores(y, y_score=score, threshold=1.0, sensitive_features=pd.Series(group, name="g"),
                          reference={"g": "A"}, n_boot=50, min_cell=10)
    b = next(g for g in result.to_dict()["groups"] if g["value"] == "B")
    assert b["disparities"]["fnr"]["verdict"] == INSUFFICIENT
    assert b["disparities"]["fnr"]["reason"].startswith("fewer than 10")
    assert b["disparities"]["selection_rate"]["reason"] is None or not b["disparities"]["selection_rate"]["reason"].startswith("fewer")


def test_disparity_ratio_matches_the_point_estimates(audit):
    payload = audit.to_dict()
    ref = next(g for g in payload["groups"] if g["attribute"] == "sex" and g["reference"])
    other = next(g for g in payload["groups"] if g["attribute"] == "sex" and not g["reference"])
    for metric in ("fnr", "selection_rate", "fpr"):
        d = other["disparities"][metric]
        expected = other["metrics"][metric]["value"] / ref["metrics"][metric]["value"]
        assert d["ratio"] == pytest.approx(expected)
        assert d["ci_low"] <= d["ratio"] <= d["ci_high"]
        assert d["difference"] == pytest.approx(other["metrics"][metric]["value"] - ref["metrics"][metric]["value"])


def test_a_clear_disparity_is_outside_tolerance():
    rng = np.random.default_rng(4)
    n = 4000
    group = np.where(np.arange(n) % 2 == 0, "A", "B")
    score = rng.random(n)
    score[group == "B"] *= 0.5
    y = (rng.random(n) < 0.3).astype(int)
    import pandas as pd

    from evaluation import audit_scores

    result = audit_scores(y, y_score=score, threshold=0.5, sensitive_features=pd.Series(group, name="g"),
                          reference={"g": "A"}, n_boot=100)
    b = next(g for g in result.to_dict()["groups"] if g["value"] == "B")
    assert b["disparities"]["selection_rate"]["verdict"] == OUTSIDE
    assert b["disparities"]["roc_auc"]["verdict"] == WITHIN


def test_a_small_group_with_nobody_flagged_is_not_declared_outside_tolerance():
    import pandas as pd

    from evaluation import audit_scores

    n_big, n_small = 3000, 13
    group = np.array(["big"] * n_big + ["small"] * n_small)
    score = np.r_[np.linspace(0, 1, n_big), np.zeros(n_small)]
    y = np.r_[(np.arange(n_big) % 20 == 0).astype(int), np.zeros(n_small, dtype=int)]
    result = audit_scores(y, y_score=score, threshold=0.97, sensitive_features=pd.Series(group, name="g"),
                          reference={"g": "big"}, n_boot=200)
    small = next(g for g in result.to_dict()["groups"] if g["value"] == "small")
    rate = small["metrics"]["selection_rate"]
    assert rate["value"] == 0.0
    assert rate["ci_high"] > 0.2
    assert small["disparities"]["selection_rate"]["verdict"] == INSUFFICIENT


@pytest.mark.parametrize(("rate", "n"), [(0.0, 13), (1.0, 13), (0.3, 40), (0.02, 500)])
def test_the_wilson_interval_holds_the_rate_inside_zero_and_one(rate, n):
    low, high = wilson(rate, n)
    assert 0.0 <= low <= rate <= high <= 1.0
    assert high - low > 0
