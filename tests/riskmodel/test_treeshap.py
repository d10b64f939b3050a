"""Exact tree SHAP once per distinct route equals LightGBM's pred_contrib over everyone."""

import lightgbm
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel import _treeshap
from riskmodel._treeshap import TreeSplits, _routes, tree_contributions, tree_splits

ROWS = 400


@pytest.fixture(autouse=True)
def _small_batches(monkeypatch):
    """Take the per-route path from a few hundred rows, so the tests stay quick."""
    monkeypatch.setattr(_treeshap, "MIN_ROWS", 100)


def _data(n, seed=0):
    rng = np.random.default_rng(seed)
    X = np.column_stack([
        rng.poisson(0.5, n), rng.uniform(10, 19, n), rng.beta(2, 8, n), rng.integers(0, 2, n),
        rng.normal(size=n), rng.integers(0, 5, n),
    ]).astype(float)
    X[rng.random(n) < 0.15, 2] = np.nan
    X[rng.random(n) < 0.05, 4] = np.nan
    z = -2 + 0.8 * X[:, 0] + 0.2 * (X[:, 1] - 14) + 2 * np.nan_to_num(X[:, 2]) + X[:, 3] + 0.3 * X[:, 5]
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return X, y


def _booster(extra=None, *, rounds=15, categorical=(), valid=False, seed=0):
    X, y = _data(1500, seed)
    params = {"objective": "binary", "num_leaves": 15, "min_data_in_leaf": 10, "verbose": -1,
              "seed": 0, "deterministic": True, "num_threads": 1, **(extra or {})}
    train = lightgbm.Dataset(X[:1200], label=y[:1200], categorical_feature=list(categorical) or "auto")
    if not valid:
        return lightgbm.train(params, train, num_boost_round=rounds)
    check = lightgbm.Dataset(X[1200:], label=y[1200:], reference=train)
    return lightgbm.train(params, train, num_boost_round=200, valid_sets=[check],
                          callbacks=[lightgbm.early_stopping(5, verbose=False)], keep_training_booster=True)


@pytest.mark.parametrize(
    ("extra", "categorical", "valid"),
    [
        (None, (), False),
        ({"zero_as_missing": True}, (), False),
        ({"use_missing": False}, (), False),
        (None, (5,), False),
        ({"num_leaves": 63, "min_data_in_leaf": 3}, (), False),
        (None, (), True),
    ],
    ids=["default", "zero-as-missing", "no-missing", "categorical", "deep-trees", "early-stopped"],
)
def test_equals_pred_contrib_over_everyone(extra, categorical, valid):
    booster = _booster(extra, categorical=categorical, valid=valid)
    X, _ = _data(ROWS, seed=1)
    X[::7, 0] = 0.0
    X[::11, 1] = 1e-40
    ours = tree_contributions(booster, X)
    theirs = booster.predict(X, pred_contrib=True)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.sum(axis=1), booster.predict(X, raw_score=True), rtol=0, atol=1e-10)


def test_an_early_stopped_booster_uses_its_best_iteration():
    booster = _booster(valid=True)
    assert 0 < booster.best_iteration < booster.current_iteration()
    assert len(tree_splits(booster)) == booster.best_iteration


def test_few_rows_take_the_direct_route(monkeypatch):
    booster = _booster()
    X, _ = _data(_treeshap.MIN_ROWS - 1, seed=2)
    calls = []
    original = booster.predict
    monkeypatch.setattr(booster, "predict", lambda *a, **k: calls.append(k) or original(*a, **k))
    tree_contributions(booster, X)
    assert len(calls) == 1 and "start_iteration" not in calls[0]


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), zeros=st.floats(0, 0.9), missing=st.floats(0, 0.5))
def test_equality_holds_for_any_data(seed, zeros, missing):
    booster = _shared_booster()
    rng = np.random.default_rng(seed)
    X, _ = _data(ROWS, seed=seed)
    X[rng.random(X.shape) < zeros] = 0.0
    X[rng.random(X.shape) < missing] = np.nan
    np.testing.assert_allclose(tree_contributions(booster, X), booster.predict(X, pred_contrib=True), atol=1e-10)


_CACHE = {}


def _shared_booster():
    if "b" not in _CACHE:
        _CACHE["b"] = _booster(rounds=15)
    return _CACHE["b"]


def test_routes_stay_exact_when_the_key_would_overflow():
    rng = np.random.default_rng(0)
    n, k = 2000, 30
    matrix = rng.integers(0, 40, size=(n, k)).astype(float)
    tree = TreeSplits(tuple(range(k)), tuple(np.arange(0.5, 39.5, 1.0) for _ in range(k)))
    first, inverse = _routes(_treeshap.GlobalCodes(matrix, [tree]), tree)
    _, expected = np.unique(matrix, axis=0, return_inverse=True)
    # the same partition of rows: route i <-> distinct row i
    assert len(first) == expected.max() + 1
    np.testing.assert_array_equal(matrix[first][inverse], matrix)


def test_the_split_cache_follows_a_booster_that_grew():
    X, y = _data(600, seed=4)
    params = {"objective": "binary", "num_leaves": 7, "verbose": -1, "num_threads": 1, "seed": 0}
    booster = lightgbm.train(params, lightgbm.Dataset(X, label=y), num_boost_round=3, keep_training_booster=True)
    assert len(tree_splits(booster)) == 3
    for _ in range(2):
        booster.update()
    np.testing.assert_allclose(tree_contributions(booster, X), booster.predict(X, pred_contrib=True), atol=1e-10)
    assert len(tree_splits(booster)) == 5


@pytest.mark.parametrize("extra", [None, {"zero_as_missing": True}, {"use_missing": False}])
def test_the_raw_score_from_the_leaves_equals_lightgbm_exactly(extra):
    booster = _booster(extra)
    X, _ = _data(ROWS, seed=6)
    X[::5, 2] = 0.0
    X[::13, 1] = 1e-40
    contributions, raw = _treeshap.tree_decomposition(booster, X)
    np.testing.assert_array_equal(raw, booster.predict(X, raw_score=True))
    np.testing.assert_array_equal(contributions[:, -1], booster.predict(X, pred_contrib=True)[:, -1])


def test_categorical_values_are_read_as_lightgbm_reads_them():
    booster = _booster(categorical=(5,), rounds=25)
    X, _ = _data(ROWS, seed=7)
    # Fractions are cut to their whole part; negative, missing and unseen categories go right.
    X[::3, 5] = np.array([2.7, -1.0, np.nan, 17.0, 0.4, 1e-40])[np.arange(len(X[::3])) % 6]
    np.testing.assert_allclose(tree_contributions(booster, X), booster.predict(X, pred_contrib=True), atol=1e-10)
    np.testing.assert_array_equal(_treeshap.tree_decomposition(booster, X)[1], booster.predict(X, raw_score=True))


def test_trees_of_one_leaf_add_only_their_value():
    X, y = _data(600, seed=8)
    params = {"objective": "binary", "num_leaves": 7, "min_data_in_leaf": 400, "verbose": -1, "num_threads": 1,
              "seed": 0, "min_gain_to_split": 1e9}
    booster = lightgbm.train(params, lightgbm.Dataset(X, label=y), num_boost_round=3)
    assert all(tree["num_leaves"] == 1 for tree in booster.dump_model()["tree_info"])
    contributions, raw = _treeshap.tree_decomposition(booster, X)
    np.testing.assert_allclose(contributions, booster.predict(X, pred_contrib=True), atol=1e-12)
    np.testing.assert_array_equal(raw, booster.predict(X, raw_score=True))


def test_one_tree_per_route_equals_pred_contrib_restricted_to_that_tree():
    booster = _booster({"num_leaves": 63, "min_data_in_leaf": 3})
    X, _ = _data(ROWS, seed=9)
    forest = _treeshap.forest_of(booster)
    for iteration, (tree, path) in enumerate(zip(forest.splits, forest.paths)):
        values, leaves = _treeshap.route_values(path, X)
        theirs = booster.predict(X, pred_contrib=True, start_iteration=iteration, num_iteration=1)
        np.testing.assert_allclose(values, theirs[:, list(tree.features)], atol=1e-12)
        np.testing.assert_allclose(path.expected, theirs[:, -1], rtol=0, atol=0)
        np.testing.assert_array_equal(
            leaves, booster.predict(X, pred_leaf=True, start_iteration=iteration, num_iteration=1).reshape(-1))


def test_a_value_equal_to_a_threshold_goes_left_as_in_lightgbm():
    booster = _booster()
    X, _ = _data(ROWS, seed=10)
    every = _treeshap.GlobalCodes(X, tree_splits(booster)).thresholds  # each feature's thresholds in any tree
    rng = np.random.default_rng(10)
    for feature, thresholds in every.items():
        X[rng.choice(ROWS, len(thresholds), replace=False), feature] = thresholds
    np.testing.assert_allclose(tree_contributions(booster, X), booster.predict(X, pred_contrib=True), atol=1e-10)
    np.testing.assert_array_equal(_treeshap.tree_decomposition(booster, X)[1], booster.predict(X, raw_score=True))


@pytest.mark.parametrize("threads", [2, 3])
def test_the_values_do_not_depend_on_the_number_of_threads(monkeypatch, threads):
    booster = _shared_booster()
    X, _ = _data(ROWS, seed=5)
    monkeypatch.setattr(_treeshap, "THREAD_ROWS", 1)
    monkeypatch.setattr(_treeshap, "_threads", lambda: 1)
    alone = _treeshap.tree_decomposition(booster, X)
    monkeypatch.setattr(_treeshap, "_threads", lambda: threads)
    together = _treeshap.tree_decomposition(booster, X)
    np.testing.assert_array_equal(together[0], alone[0])
    np.testing.assert_array_equal(together[1], alone[1])
