"""The library's one ROC AUC agrees with scikit-learn, weighted and unweighted."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score as sklearn_auc

from evaluation import roc_auc_replicates, roc_auc_score


@pytest.mark.parametrize("ties", [True, False])
def test_equals_scikit_learn_with_and_without_ties(ties):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    score = rng.random(500)
    if ties:
        score = np.round(score, 1)
    assert roc_auc_score(y, score) == pytest.approx(sklearn_auc(y, score), rel=1e-12)


def test_each_weighting_equals_scikit_learn_with_sample_weight():
    rng = np.random.default_rng(1)
    y, score = rng.integers(0, 2, 300), np.round(rng.random(300), 2)
    weights = rng.integers(0, 4, (5, 300))
    got = roc_auc_replicates(y, score, weights)
    expected = [sklearn_auc(y, score, sample_weight=w) for w in weights]
    assert got == pytest.approx(expected, rel=1e-12)


def test_undefined_without_both_classes_is_nan():
    assert np.isnan(roc_auc_score([1, 1, 1], [0.2, 0.3, 0.4]))
    weights = np.array([[1, 1, 1, 1], [0, 0, 1, 1]])
    got = roc_auc_replicates([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], weights)
    assert got[0] == 1.0 and np.isnan(got[1])


@settings(max_examples=60)
@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 5), st.integers(0, 3)), min_size=2, max_size=40))
def test_matches_scikit_learn_on_any_data(rows):
    y, score, weight = (np.array(c) for c in zip(*rows))
    if (weight * y).sum() == 0 or (weight * (1 - y)).sum() == 0:
        assert np.isnan(roc_auc_score(y, score, sample_weight=weight))
        return
    assert roc_auc_score(y, score, sample_weight=weight) == pytest.approx(
        sklearn_auc(y, score, sample_weight=weight), rel=1e-9)
