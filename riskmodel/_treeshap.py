"""Exact tree SHAP for many people at once, computed once per distinct route through each tree.

A tree's SHAP values for one person depend only on which way the person goes at each
split of that tree. Two people whose values fall between the same thresholds of every
feature the tree splits on (or are both missing, or both zero) get identical SHAP values
from it. So, tree by tree, people are grouped by their route, LightGBM's own exact tree
SHAP (``Booster.predict(..., pred_contrib=True)`` restricted to that one tree) runs once
per group, and the values are copied to everyone in the group. The ensemble's SHAP
values are the sum over trees, added in tree order.

The result is the same as one ``pred_contrib`` call over everyone (to floating-point
rounding, about 1e-13), many times faster on a population where most people share
routes: a tree splits on a handful of features, and most young people hold the same
values of most of them. A few threads work on trees at once (LightGBM releases the
interpreter lock), one tree per thread, each with its own copy of the booster: LightGBM's
prediction keeps the iteration range on the booster, so two threads asking one booster
for different trees would race (LightGBM issue 6142). The values are still added in tree
order, so the result does not depend on the number of threads.

The same pass gives the raw score: the leaf each group reaches (``pred_leaf``) and that
leaf's value, added tree by tree from zero as LightGBM's own prediction adds them, so it
equals ``Booster.predict(..., raw_score=True)`` exactly, without a second walk of every
tree for everyone.
"""

from __future__ import annotations

import os
import queue
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

# Below this many rows one pred_contrib call over all of them is quicker.
MIN_ROWS = 1000
# Trees worked on at once, one LightGBM thread each (at most the cores this process may use).
MAX_THREADS = 4
_ZERO = 1e-35  # LightGBM's kZeroThreshold: smaller magnitudes count as zero
_SPLITS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_AVERAGED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # booster -> raw score is a mean
_COPIES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # booster -> (its trees, queue of copies)


@dataclass(frozen=True)
class TreeSplits:
    """The features one tree splits on, with their sorted numeric thresholds.

    ``thresholds[i]`` is ``None`` when feature ``features[i]`` has a categorical split
    in this tree; its people are then grouped by exact value. ``leaf_values[k]`` is the
    output of the leaf LightGBM numbers ``k``.
    """

    features: tuple[int, ...]
    thresholds: tuple[np.ndarray | None, ...]
    leaf_values: np.ndarray


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
    if len(matrix) == 0:
        return np.zeros((0, matrix.shape[1] + 1))
    if _direct(booster, matrix):
        return booster.predict(matrix, pred_contrib=True)
    return _by_route(booster, matrix, tree_splits(booster))[0]


def tree_decomposition(booster, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact tree SHAP values and the raw score of a LightGBM binary booster, in one pass.

    Parameters
    ----------
    booster : lightgbm.Booster
    matrix : ndarray of shape (n_rows, n_features)
        Feature values in the booster's column order (NaN for missing).

    Returns
    -------
    contributions : ndarray of shape (n_rows, n_features + 1)
        As ``booster.predict(matrix, pred_contrib=True)``.
    raw : ndarray of shape (n_rows,)
        Exactly ``booster.predict(matrix, raw_score=True)``.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if len(matrix) == 0:
        return np.zeros((0, matrix.shape[1] + 1)), np.zeros(0)
    if _direct(booster, matrix):
        return booster.predict(matrix, pred_contrib=True), booster.predict(matrix, raw_score=True)
    contributions, raw = _by_route(booster, matrix, tree_splits(booster))
    if _AVERAGED.get(booster, True):  # a random forest's raw score is the mean over its trees
        raw = booster.predict(matrix, raw_score=True)
    return contributions, raw


def _direct(booster, matrix: np.ndarray) -> bool:
    """Whether one ``pred_contrib`` call over every row is the quicker (or the only) way."""
    return len(matrix) < MIN_ROWS or booster.num_model_per_iteration() != 1


def _by_route(booster, matrix: np.ndarray, trees: list[TreeSplits]) -> tuple[np.ndarray, np.ndarray]:
    """SHAP values once per distinct route of each tree, and the sum of the leaves reached."""
    n_features = matrix.shape[1]
    codes = GlobalCodes(matrix, trees)
    out = np.zeros((n_features + 1, len(matrix)))  # one contiguous row per feature
    raw = np.zeros(len(matrix))
    threads = _threads()
    copies = _copies(booster, threads)

    def one_tree(iteration: int):
        own = copies.get()  # a booster no other thread is predicting with
        try:
            return _one_tree(own, matrix, codes, trees[iteration], iteration)
        finally:
            copies.put(own)

    with ThreadPoolExecutor(max_workers=threads) as pool:
        for tree, (values, leaves, inverse) in zip(trees, pool.map(one_tree, range(len(trees)))):  # tree order
            for column in (*tree.features, n_features):
                out[column] += values[:, column][inverse]
            raw += tree.leaf_values[leaves][inverse]
    return out.T.copy(), raw


def _one_tree(booster, matrix: np.ndarray, codes: GlobalCodes, tree: TreeSplits, iteration: int):
    """One tree's SHAP values and leaf per distinct route, and each row's route number."""
    first, inverse = _routes(codes, tree)
    rows = matrix[first]
    one = {"start_iteration": iteration, "num_iteration": 1, "num_threads": 1}
    values = booster.predict(rows, pred_contrib=True, **one)
    leaves = np.asarray(booster.predict(rows, pred_leaf=True, **one), dtype=np.int64).reshape(-1)
    return values, leaves, inverse


def _copies(booster, n: int) -> queue.Queue:
    """``n`` copies of ``booster`` (made once, kept while it lives), for threads to take turns with."""
    trees, copies = _COPIES.get(booster, (None, None))
    if copies is None or copies.maxsize != n or trees != booster.current_iteration():
        import lightgbm

        text = booster.model_to_string(num_iteration=-1)
        copies = queue.Queue(maxsize=n)
        for _ in range(n):
            copies.put(lightgbm.Booster(model_str=text))
        _COPIES[booster] = (booster.current_iteration(), copies)
    return copies


def _threads() -> int:
    """Threads for the per-tree work: the cores this process may use, at most :data:`MAX_THREADS`
    and at most ``OMP_NUM_THREADS`` when that is set (Dask sets it to 1 in its workers)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    limit = os.environ.get("OMP_NUM_THREADS", "").strip()
    if limit.isdigit() and int(limit) > 0:
        cores = min(cores, int(limit))
    return max(1, min(MAX_THREADS, cores))


def tree_splits(booster) -> list[TreeSplits]:
    """Per tree used in prediction, the features it splits on and their thresholds (cached)."""
    cached = _SPLITS.get(booster)
    if cached is None or len(cached) != used_trees(booster):
        dumped = booster.dump_model()
        cached = [_splits_of(tree["tree_structure"]) for tree in dumped["tree_info"][: used_trees(booster)]]
        _SPLITS[booster] = cached
        _AVERAGED[booster] = bool(dumped.get("average_output", False))
    return cached


def used_trees(booster) -> int:
    """How many trees ``booster.predict`` uses by default (the best iteration if one is set)."""
    best = int(getattr(booster, "best_iteration", 0) or 0)
    return best if best > 0 else booster.current_iteration()


def _splits_of(root: dict) -> TreeSplits:
    found: dict[int, set | None] = {}
    leaves: dict[int, float] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if "split_feature" not in node:
            leaves[int(node.get("leaf_index", 0))] = float(node["leaf_value"])
            continue
        feature = int(node["split_feature"])
        if node.get("decision_type") != "<=" or found.get(feature, set()) is None:
            found[feature] = None
        else:
            found.setdefault(feature, set()).add(float(node["threshold"]))
        stack.extend((node["left_child"], node["right_child"]))
    features = tuple(sorted(found))
    thresholds = tuple(None if found[f] is None else np.array(sorted(found[f])) for f in features)
    leaf_values = np.zeros(max(leaves) + 1)
    leaf_values[list(leaves)] = list(leaves.values())
    return TreeSplits(features, thresholds, leaf_values)


class GlobalCodes:
    """Each feature's values coded once against the union of every tree's thresholds.

    A tree's own code for a value (how many of its thresholds lie below it) is then a
    lookup in a short table, instead of a search per tree. Zero and missing keep codes of
    their own (0 and 1), as LightGBM may route them apart from their neighbours.
    """

    def __init__(self, matrix: np.ndarray, trees: list[TreeSplits]) -> None:
        self.matrix = matrix
        every: dict[int, set | None] = {}
        for tree in trees:
            for feature, thresholds in zip(tree.features, tree.thresholds):
                if thresholds is None or every.get(feature, set()) is None:
                    every[feature] = None
                else:
                    every.setdefault(feature, set()).update(thresholds.tolist())
        self.thresholds = {f: np.array(sorted(t)) for f, t in every.items() if t is not None}
        self.codes = {f: _codes(matrix[:, f], t)[0] for f, t in self.thresholds.items()}

    def of(self, feature: int, thresholds: np.ndarray | None) -> tuple[np.ndarray, int]:
        """Codes of ``feature`` for a tree splitting it at ``thresholds``, and how many codes."""
        if feature not in self.codes:
            return _codes(self.matrix[:, feature], thresholds)
        below = np.isin(self.thresholds[feature], thresholds)
        table = np.concatenate(([0, 1, 2], 2 + np.cumsum(below)))
        return table[self.codes[feature]], len(thresholds) + 3


def _routes(codes: GlobalCodes, tree: TreeSplits) -> tuple[np.ndarray, np.ndarray]:
    """One representative row per distinct route through ``tree``, and each row's route."""
    key = np.zeros(len(codes.matrix), dtype=np.int64)
    bound = 1
    for feature, thresholds in zip(tree.features, tree.thresholds):
        local, size = codes.of(feature, thresholds)
        if bound * size >= 2**62:
            key = np.unique(key, return_inverse=True)[1].ravel().astype(np.int64)
            bound = int(key.max()) + 1
        key = key * size + local
        bound *= size
    return _distinct(key, bound)


def _distinct(key: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """First row of each distinct key, and each row's distinct-key number.

    Counts through a table of all possible keys when that is small (no sort), else sorts.
    """
    n = len(key)
    if bound > 4 * n + 1024:
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        return first, inverse.ravel()
    seen = np.zeros(bound, dtype=bool)
    seen[key] = True
    number = np.cumsum(seen) - 1
    inverse = number[key]
    first = np.empty(int(number[-1]) + 1, dtype=np.int64)
    first[inverse[::-1]] = np.arange(n - 1, -1, -1)
    return first, inverse


def _codes(values: np.ndarray, thresholds: np.ndarray | None) -> tuple[np.ndarray, int]:
    """Codes equal exactly when two values go the same way at every split on this feature."""
    if thresholds is None:
        _, codes = np.unique(np.nan_to_num(values, nan=np.inf), return_inverse=True)
        return codes.ravel().astype(np.int64) + 2, int(codes.max(initial=0)) + 3
    codes = np.searchsorted(thresholds, values, side="left").astype(np.int64) + 2
    codes[np.abs(values) <= _ZERO] = 0
    codes[np.isnan(values)] = 1
    return codes, len(thresholds) + 3
