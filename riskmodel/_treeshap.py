"""Exact tree SHAP for many people at once, computed once per distinct route through each tree.

A tree's SHAP values for one person depend only on which way the person goes at each
split of that tree. Two people whose values fall between the same thresholds of every
feature the tree splits on (or are both missing, or both zero) get identical SHAP values
from it. So, tree by tree, people are grouped by their route, LightGBM's own exact tree
SHAP (``Booster.predict(..., pred_contrib=True)`` restricted to that one tree) runs once
per group, and the values are copied to everyone in the group. The ensemble's SHAP
values are the sum over trees.

The result is the same as one ``pred_contrib`` call over everyone (to floating-point
rounding, about 1e-13), many times faster on a population where most people share
routes: a tree splits on a handful of features, and most young people hold the same
values of most of them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

# Below this many rows one pred_contrib call over all of them is quicker.
MIN_ROWS = 1000
# Fewer distinct routes than this run on one thread: starting threads would cost more.
ONE_THREAD_BELOW = 2000
_ZERO = 1e-35  # LightGBM's kZeroThreshold: smaller magnitudes count as zero
_SPLITS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TreeSplits:
    """The features one tree splits on, with their sorted numeric thresholds.

    ``thresholds[i]`` is ``None`` when feature ``features[i]`` has a categorical split
    in this tree; its people are then grouped by exact value.
    """

    features: tuple[int, ...]
    thresholds: tuple[np.ndarray | None, ...]


def tree_contributions(booster, matrix: np.ndarray) -> np.ndarray:
    """Exact tree SHAP values (log-odds) of a LightGBM binary booster.

    Parameters
    ----------
    booster : lightgbm.Booster
    matrix : ndarray of shape (n_rows, n_features)
        Feature values in the booster's column order (NaN for missing).

    Returns
    -------
    ndarray of shape (n_rows, n_features + 1)
        As ``booster.predict(matrix, pred_contrib=True)``: one column per feature, then
        the base value; each row sums to the raw score.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if len(matrix) < MIN_ROWS or booster.num_model_per_iteration() != 1:
        return booster.predict(matrix, pred_contrib=True)
    n_features = matrix.shape[1]
    out = np.zeros((len(matrix), n_features + 1))
    for iteration, tree in enumerate(tree_splits(booster)):
        first, inverse = _routes(matrix, tree)
        threads = 1 if len(first) < ONE_THREAD_BELOW else 0
        values = booster.predict(
            matrix[first], pred_contrib=True, start_iteration=iteration, num_iteration=1, num_threads=threads,
        )
        columns = [*tree.features, n_features]
        out[:, columns] += values[:, columns][inverse]
    return out


def tree_splits(booster) -> list[TreeSplits]:
    """Per tree used in prediction, the features it splits on and their thresholds (cached)."""
    cached = _SPLITS.get(booster)
    if cached is None:
        dumped = booster.dump_model()["tree_info"]
        cached = [_splits_of(tree["tree_structure"]) for tree in dumped[: used_trees(booster)]]
        _SPLITS[booster] = cached
    return cached


def used_trees(booster) -> int:
    """How many trees ``booster.predict`` uses by default (the best iteration if one is set)."""
    best = int(getattr(booster, "best_iteration", 0) or 0)
    return best if best > 0 else booster.current_iteration()


def _splits_of(root: dict) -> TreeSplits:
    found: dict[int, set | None] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if "split_feature" not in node:
            continue
        feature = int(node["split_feature"])
        if node.get("decision_type") != "<=" or found.get(feature, set()) is None:
            found[feature] = None
        else:
            found.setdefault(feature, set()).add(float(node["threshold"]))
        stack.extend((node["left_child"], node["right_child"]))
    features = tuple(sorted(found))
    thresholds = tuple(None if found[f] is None else np.array(sorted(found[f])) for f in features)
    return TreeSplits(features, thresholds)


def _routes(matrix: np.ndarray, tree: TreeSplits) -> tuple[np.ndarray, np.ndarray]:
    """One representative row per distinct route through ``tree``, and each row's route."""
    key = np.zeros(len(matrix), dtype=np.int64)
    bound = 1
    for feature, thresholds in zip(tree.features, tree.thresholds):
        codes, size = _codes(matrix[:, feature], thresholds)
        if bound * size >= 2**62:
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
            bound = int(key.max()) + 1
        key = key * size + codes
        bound *= size
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse.ravel()


def _codes(values: np.ndarray, thresholds: np.ndarray | None) -> tuple[np.ndarray, int]:
    """Codes equal exactly when two values go the same way at every split on this feature."""
    if thresholds is None:
        _, codes = np.unique(np.nan_to_num(values, nan=np.inf), return_inverse=True)
        return codes.ravel().astype(np.int64) + 2, int(codes.max(initial=0)) + 3
    codes = np.searchsorted(thresholds, values, side="left").astype(np.int64) + 2
    codes[np.abs(values) <= _ZERO] = 0
    codes[np.isnan(values)] = 1
    return codes, len(thresholds) + 3
