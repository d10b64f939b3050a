"""The LightGBM search: seeded candidates, early stopping, truncation, monotone constraints."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from training import TrainingConfig
from training._lgbm import FIRST_CANDIDATE, _SparseAUC, draw_candidates, search_booster


def test_candidates_are_seeded_distinct_and_start_with_the_default():
    first, again = draw_candidates(8, random_state=3), draw_candidates(8, random_state=3)
    assert first == again and first[0] == FIRST_CANDIDATE
    assert len({tuple(c.values()) for c in first}) == 8
    assert draw_candidates(8, random_state=4) != first


class _Labels:
    def __init__(self, y):
        self.y = y

    def get_label(self):
        return self.y


def test_sparse_auc_matches_scikit_learn_with_ties_and_repeats_between_evaluations():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 500)
    score = np.round(rng.random(500), 1)
    feval = _SparseAUC(every=2)
    name, first, higher_is_better = feval(score, _Labels(y))
    assert (name, higher_is_better) == ("auc", True)
    assert first == pytest.approx(roc_auc_score(y, score))
    assert feval(1 - score, _Labels(y))[1] == first  # not re-evaluated on this round
    assert feval(1 - score, _Labels(y))[1] == pytest.approx(1 - first)


@pytest.fixture(scope="module")
def search():
    rng = np.random.default_rng(1)

    def table(n):
        X = pd.DataFrame({"up": rng.poisson(1.0, n).astype(float), "down": rng.random(n),
                          "free": rng.normal(size=n)})
        z = -3 + 0.8 * X["up"] - 2 * X["down"] + 0.5 * np.sin(3 * X["free"])
        return X, (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)

    (X_train, y_train), (X_valid, y_valid) = table(4000), table(2000)
    config = TrainingConfig(n_search=3, num_threads=1)
    return search_booster(X_train, y_train, X_valid, y_valid, monotone=[1, -1, 0], config=config), X_valid


def test_search_keeps_the_best_trial_truncated_at_its_best_iteration(search):
    result, _ = search
    best = result.trials.loc[result.trials["validation_roc_auc"].idxmax()]
    assert result.booster.num_trees() == best["best_iteration"]
    assert len(result.trials) == 3 and result.params["deterministic"] is True


@settings(max_examples=30, deadline=None)
@given(row=st.tuples(st.integers(0, 5), st.floats(0, 1), st.floats(-2, 2)), step=st.floats(0.01, 3))
def test_monotone_constraints_hold(search, row, step):
    result, _ = search
    base = np.array([row], dtype=float)
    up, down = base.copy(), base.copy()
    up[0, 0] += step
    down[0, 1] += step
    raw = result.booster.predict(base, raw_score=True)[0]
    assert result.booster.predict(up, raw_score=True)[0] >= raw - 1e-12
    assert result.booster.predict(down, raw_score=True)[0] <= raw + 1e-12
