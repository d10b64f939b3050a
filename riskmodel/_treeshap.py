"""Exact tree SHAP for many people at once, per distinct route and per leaf pattern.

Tree SHAP (Lundberg, Erion and Lee, "Consistent individualized feature attribution for
tree ensembles", 2018, the algorithm of LightGBM's ``pred_contrib``) adds, for every leaf
of a tree, a term that depends on the person only through which of the conditions on the
path to that leaf they meet. For a leaf of value ``v`` whose path splits on the distinct
features ``1..d``, with ``z_j`` the share of the training rows that follow the path at
feature ``j``'s splits (a product over them) and ``o_j`` 1 when the person meets all of
feature ``j``'s conditions on the path and 0 otherwise, feature ``i`` receives

    v * (o_i - z_i) * sum over k of  k! (d-1-k)! / d!  *  [t^k] prod_{j != i} (z_j + o_j t)

and the base value is the tree's mean leaf value weighted by training rows. This module
computes that formula directly, with each tree's work shared twice:

- people are grouped by their *route*: two people whose values fall between the same
  thresholds of every feature the tree splits on (or are both missing, or both zero) go
  the same way at every split, so one representative row stands for the group;
- each leaf's term depends only on the pattern of ``o_j`` on its path, a handful of
  bits (paths split on about five distinct features), so the term is computed once per
  distinct (leaf, pattern) and copied to every route with that pattern.

The polynomial for each feature is the product over all path features divided by the
feature's own factor, so a pattern costs ``d**2`` operations, done for all patterns of a
tree at once in arrays. The values equal LightGBM's ``pred_contrib`` to floating-point
rounding (the tests require 1e-10 on every value, over models with missing values, zero
as missing, categorical splits and deep trees), and the values are added in tree order.

The same pass gives the raw score: the leaf each route reaches and that leaf's value,
added tree by tree from zero as LightGBM's own prediction adds them, so it equals
``Booster.predict(..., raw_score=True)`` exactly, without a second walk of every tree.
The trees come parsed as a :class:`Forest`, from a booster's ``dump_model()`` or from the
dump a model folder keeps, so the pass itself never needs LightGBM.
A split's direction follows LightGBM's own rules (``Tree::NumericalDecision`` and
``Tree::CategoricalDecision``): magnitudes up to 1e-35 read as zero, missing values go
the default way where the split learnt one, and so on.
"""

from __future__ import annotations

import os
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, cached_property
from math import factorial

import numpy as np
import pandas as pd

# Below this many rows one pred_contrib call over all of them is quicker, for a booster whose
# LightGBM is loaded anyway: for 300 trees of 31 leaves, 0.16 s against 0.23 s at 100 rows but
# 0.43 s against 0.30 s at 300. A RiskModel reads its dumped trees (Forest) at any size.
MIN_ROWS = 200
# Trees worked on at once (at most the cores this process may use), from THREAD_ROWS rows: on
# two cores, for 300 trees of 31 leaves, one thread took 0.20 s for one row against 0.25 s in
# two and 0.74 s against 0.95 s for 5,000 rows; about the same at 10,000; but 1.65 s against
# 1.50 s for 17,000 and 2.2 s against 1.6 s for 28,814.
MAX_THREADS = 4
THREAD_ROWS = 10_000
_ZERO = 1e-35  # LightGBM's kZeroThreshold: smaller magnitudes count as zero
_MISSING_TYPES = {"None": 0, "Zero": 1, "NaN": 2}
_PARSED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # booster -> Forest


@dataclass(frozen=True)
class TreeSplits:
    """The features one tree splits on, with their sorted numeric thresholds.

    ``thresholds[i]`` is ``None`` when feature ``features[i]`` has a categorical split
    in this tree; its people are then grouped by exact value.
    """

    features: tuple[int, ...]
    thresholds: tuple[np.ndarray | None, ...]


@dataclass(frozen=True)
class TreePaths:
    """One tree's splits and, for each leaf, the distinct features on its path.

    Splits are numbered in depth-first order. ``pair_conditions[r]`` holds, for every
    (leaf, path feature) pair with an ``r``-th condition, the pair's number, the split
    and whether the path goes left there. ``leaf_pairs[leaf, k]`` is the pair number of
    the leaf's ``k``-th path feature (``n_pairs`` past its last), ``leaf_features`` that
    feature's position in :attr:`TreeSplits.features` and ``leaf_zero`` its ``z``.
    """

    split_feature: np.ndarray
    threshold: np.ndarray  # NaN for a categorical split
    categories: tuple[np.ndarray | None, ...]
    default_left: np.ndarray
    missing_type: np.ndarray
    pair_conditions: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]
    leaf_pairs: np.ndarray
    leaf_features: np.ndarray
    leaf_zero: np.ndarray
    leaf_depth: np.ndarray
    leaf_values: np.ndarray  # the output of the leaf LightGBM numbers k, at k
    expected: float
    n_split_features: int

    @property
    def n_pairs(self) -> int:
        return int(self.leaf_depth.sum())


@dataclass(frozen=True)
class Forest:
    """The trees a LightGBM model predicts with, parsed from its ``Booster.dump_model()``.

    Everything tree SHAP and the raw score need: a model folder keeps the dump beside the
    booster (``trees.json``), so scoring and explaining read the trees without LightGBM.
    """

    splits: tuple[TreeSplits, ...]
    paths: tuple[TreePaths, ...]
    averaged: bool  # the raw score is the mean over the trees (LightGBM's random forest mode)
    single_output: bool  # one tree per iteration (a binary or regression model)

    @classmethod
    def from_dump(cls, dumped: dict, n_trees: int | None = None) -> Forest:
        """The first ``n_trees`` trees (all by default) of a ``Booster.dump_model()`` result."""
        roots = [tree["tree_structure"] for tree in dumped["tree_info"][:n_trees]]
        splits, paths = zip(*map(_parse_tree, roots)) if roots else ((), ())
        return cls(tuple(splits), tuple(paths), bool(dumped.get("average_output", False)),
                   int(dumped.get("num_tree_per_iteration", 1)) == 1)

    @cached_property
    def by_pattern(self) -> bool:
        """Whether :meth:`decompose` applies: one output, summed trees, and pattern numbers that
        fit 63 bits (a path through more distinct features than any model here has breaks that)."""
        return self.single_output and not self.averaged and not any(
            int(p.leaf_depth.max(initial=0)) + len(p.leaf_values).bit_length() > 62 for p in self.paths)

    def decompose(self, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Exact tree SHAP values and the raw score of every row, in one pass (needs :attr:`by_pattern`).

        Returns
        -------
        contributions : ndarray of shape (n_rows, n_features + 1)
            As LightGBM's ``predict(matrix, pred_contrib=True)``.
        raw : ndarray of shape (n_rows,)
            Exactly LightGBM's ``predict(matrix, raw_score=True)``.
        """
        if not self.by_pattern:
            raise ValueError("These trees need LightGBM's own pred_contrib (see Forest.by_pattern).")
        matrix = np.asarray(matrix, dtype=np.float64)
        if len(matrix) == 0:
            return np.zeros((0, matrix.shape[1] + 1)), np.zeros(0)
        return _by_route(matrix, list(self.splits), list(self.paths))


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
    return forest_of(booster).decompose(matrix)[0]


def tree_decomposition(booster, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact tree SHAP values and the raw score of a LightGBM booster, in one pass.

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
        return lightgbm_decomposition(booster, matrix)
    return forest_of(booster).decompose(matrix)


def lightgbm_decomposition(booster, matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """LightGBM's own ``pred_contrib`` values and raw score, for trees :attr:`Forest.by_pattern` refuses."""
    return booster.predict(matrix, pred_contrib=True), booster.predict(matrix, raw_score=True)


def _direct(booster, matrix: np.ndarray) -> bool:
    """Whether one ``pred_contrib`` call over every row is the quicker way (below :data:`MIN_ROWS`
    rows, with LightGBM loaded anyway) or the only one (where :attr:`Forest.by_pattern` fails)."""
    return len(matrix) < MIN_ROWS or not forest_of(booster).by_pattern


def _by_route(matrix: np.ndarray, trees: list[TreeSplits], paths: list[TreePaths]) -> tuple[np.ndarray, np.ndarray]:
    """SHAP values once per distinct route of each tree, and the sum of the leaves reached.

    From :data:`THREAD_ROWS` rows, trees are worked on in a few threads at once (NumPy
    releases the interpreter lock in its larger steps); their values are added in tree
    order, so the result does not depend on the number of threads.
    """
    n_features = matrix.shape[1]
    codes = GlobalCodes(matrix, trees)
    out = np.zeros((n_features + 1, len(matrix)))  # one contiguous row per feature
    raw = np.zeros(len(matrix))

    def one_tree(index: int):
        first, inverse = _routes(codes, trees[index])
        return (*route_values(paths[index], matrix[first]), inverse)

    threads = _threads() if len(matrix) >= THREAD_ROWS else 1
    with ThreadPoolExecutor(max_workers=threads) as pool:
        results = (pool.map if threads > 1 else map)(one_tree, range(len(trees)))
        for tree, path, (values, leaves, inverse) in zip(trees, paths, results):
            for position, column in enumerate(tree.features):
                out[column] += values[:, position][inverse]
            out[n_features] += path.expected
            raw += path.leaf_values[leaves][inverse]
    return out.T.copy(), raw


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


def route_values(tree: TreePaths, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One tree's SHAP values for each of ``rows``, and the leaf each reaches.

    Returns
    -------
    values : ndarray of shape (n_rows, n_split_features)
        One column per feature of :attr:`TreeSplits.features` (the base value,
        :attr:`TreePaths.expected`, is the same for every row).
    leaves : ndarray of shape (n_rows,)
        LightGBM's number of the leaf each row reaches.
    """
    n_leaves, n_rows = len(tree.leaf_values), len(rows)
    width = tree.n_split_features
    if n_leaves == 1:
        return np.zeros((n_rows, width)), np.zeros(n_rows, dtype=np.int64)
    left = goes_left(tree, rows)
    met = np.ones((tree.n_pairs + 1, n_rows), dtype=bool)  # pair x row: every condition met
    met[-1] = False  # past a leaf's last pair
    for pairs, splits, lefts in tree.pair_conditions:
        met[pairs] &= left[splits] == lefts[:, None]
    pattern = np.zeros((n_leaves, n_rows), dtype=np.int64)  # bit k: the k-th path feature met
    for k in range(tree.leaf_pairs.shape[1]):
        pattern |= met[tree.leaf_pairs[:, k]].astype(np.int64) << k
    everything = (np.int64(1) << tree.leaf_depth) - 1
    leaves = np.argmax(pattern == everything[:, None], axis=0)
    starts = np.concatenate(([0], np.cumsum(everything + 1)))  # each leaf's block of pattern numbers
    key = (pattern + starts[:-1, None]).ravel()
    first, inverse = _distinct(key, int(starts[-1]))
    leaf = np.searchsorted(starts, key[first], side="right") - 1
    bits = key[first] - starts[leaf]
    per_pattern = np.zeros((len(first), width + 1))  # the last column takes the padding's terms
    np.put_along_axis(per_pattern, tree.leaf_features[leaf], _leaf_terms(tree, leaf, bits), axis=1)
    per_pattern = per_pattern[:, :width]
    inverse = inverse.reshape(n_leaves, n_rows)
    values = per_pattern[inverse[0]]
    for row in inverse[1:]:
        values += per_pattern[row]
    return values, leaves


def _leaf_terms(tree: TreePaths, leaf: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Each (leaf, pattern)'s term for each of its leaf's path features, by the formula above.

    Leaves of every depth are taken at once: past a leaf's depth its path features are
    padding with ``z = 1`` and ``o = 0``, a factor of exactly 1 in the product, and their
    terms (in the columns past the depth) are thrown away by the caller.
    """
    deepest = tree.leaf_zero.shape[1]  # distinct features on the tree's longest path
    one = ((bits[:, None] >> np.arange(deepest)) & 1).astype(np.float64)
    zero = tree.leaf_zero[leaf]
    product = np.zeros((len(leaf), deepest + 1))  # coefficients of prod_j (z_j + o_j t)
    product[:, 0] = 1.0
    for j in range(deepest):
        grown = product * zero[:, j, None]
        grown[:, 1:] += product[:, :-1] * one[:, j, None]
        product = grown
    # Divide out each feature's own factor: by (t + z_i) where o_i is 1, by z_i where it is 0.
    quotient = np.empty((len(leaf), deepest, deepest))
    quotient[:, :, deepest - 1] = product[:, deepest, None]
    for k in range(deepest - 1, 0, -1):
        quotient[:, :, k - 1] = product[:, k, None] - zero * quotient[:, :, k]
    divided = product[:, None, :deepest] / np.where(zero > 0, zero, 1.0)[:, :, None]
    quotient = np.where(one[:, :, None] > 0, quotient, divided)
    weighted = np.einsum("pik,pk->pi", quotient, _shapley_weights(deepest)[tree.leaf_depth[leaf]])
    return tree.leaf_values[leaf][:, None] * (one - zero) * weighted


@cache
def _shapley_weights(deepest: int) -> np.ndarray:
    """Row ``d``: ``k! (d-1-k)! / d!`` for ``k`` from 0 to ``d - 1``, then zeros to ``deepest`` columns."""
    weights = np.zeros((deepest + 1, deepest))
    for depth in range(1, deepest + 1):
        weights[depth, :depth] = [factorial(k) * factorial(depth - 1 - k) / factorial(depth) for k in range(depth)]
    return weights


def goes_left(tree: TreePaths, rows: np.ndarray) -> np.ndarray:
    """Whether each row goes left at each split (split x row), by LightGBM's rules."""
    values = rows[:, tree.split_feature].T
    values = np.where(np.abs(values) <= _ZERO, 0.0, values)  # LightGBM reads these as zero
    missing = np.isnan(values)
    kind = tree.missing_type[:, None]
    numeric = np.where(missing & (kind != _MISSING_TYPES["NaN"]), 0.0, values)
    default = (((kind == _MISSING_TYPES["Zero"]) & (numeric == 0.0))
               | ((kind == _MISSING_TYPES["NaN"]) & missing))
    left = np.where(default, tree.default_left[:, None], numeric <= tree.threshold[:, None])
    for split, categories in enumerate(tree.categories):
        if categories is not None:  # left when the whole part is one of the split's categories
            whole = np.trunc(np.where(missing[split], -1.0, values[split]))
            left[split] = (whole >= 0) & np.isin(whole, categories)
    return left


def tree_splits(booster) -> list[TreeSplits]:
    """Per tree used in prediction, the features it splits on and their thresholds (cached)."""
    return list(forest_of(booster).splits)


def forest_of(booster) -> Forest:
    """The trees ``booster.predict`` uses by default, parsed (cached while the booster lives)."""
    cached = _PARSED.get(booster)
    if cached is None or len(cached.splits) != used_trees(booster):
        cached = _PARSED[booster] = Forest.from_dump(booster.dump_model(), used_trees(booster))
    return cached


def used_trees(booster) -> int:
    """How many trees ``booster.predict`` uses by default (the best iteration if one is set)."""
    best = int(getattr(booster, "best_iteration", 0) or 0)
    return best if best > 0 else booster.current_iteration()


def _parse_tree(root: dict) -> tuple[TreeSplits, TreePaths]:
    """A dumped tree's splits by feature and its leaves' paths (splits in depth-first order)."""
    splits: list[dict] = []
    leaves: dict[int, tuple[float, float, list]] = {}  # leaf -> value, training rows, path
    stack = [(root, [])]
    while stack:
        node, path = stack.pop()
        if "split_feature" not in node:
            leaves[int(node.get("leaf_index", 0))] = (float(node["leaf_value"]), float(node.get("leaf_count", 0)), path)
            continue
        split, count = len(splits), float(node["internal_count"])
        splits.append(node)
        for child, left in ((node["right_child"], False), (node["left_child"], True)):
            share = float(child.get("internal_count", child.get("leaf_count", 0))) / count
            stack.append((child, [*path, (split, left, int(node["split_feature"]), share)]))
    found: dict[int, set | None] = {}
    for node in splits:
        feature = int(node["split_feature"])
        if node.get("decision_type") != "<=" or found.get(feature, set()) is None:
            found[feature] = None
        else:
            found.setdefault(feature, set()).add(float(node["threshold"]))
    features = tuple(sorted(found))
    thresholds = tuple(None if found[f] is None else np.array(sorted(found[f])) for f in features)
    paths = _paths(root, splits, leaves, features)
    return TreeSplits(features, thresholds), paths


def _paths(root: dict, splits: list[dict], leaves: dict, features: tuple[int, ...]) -> TreePaths:
    """Each leaf's distinct path features, their conditions and shares, for :func:`route_values`."""
    position = {feature: k for k, feature in enumerate(features)}
    n_leaves = max(leaves) + 1
    pairs: list[list[tuple[int, bool]]] = []
    by_leaf = [dict() for _ in range(n_leaves)]  # leaf -> feature -> [conditions, z]
    for leaf, (_, _, path) in leaves.items():
        for split, left, feature, share in path:
            entry = by_leaf[leaf].setdefault(feature, [[], 1.0])
            entry[0].append((split, left))
            entry[1] *= share
    depth = np.array([len(found) for found in by_leaf], dtype=np.int64)
    width = max(int(depth.max(initial=0)), 1)
    leaf_pairs = np.full((n_leaves, width), int(depth.sum()), dtype=np.int64)
    leaf_features = np.full((n_leaves, width), len(features), dtype=np.int64)
    leaf_zero = np.ones((n_leaves, width))
    for leaf, found in enumerate(by_leaf):
        for k, (feature, (conditions, zero)) in enumerate(found.items()):
            leaf_pairs[leaf, k], leaf_features[leaf, k], leaf_zero[leaf, k] = len(pairs), position[feature], zero
            pairs.append(conditions)
    rank = max((len(c) for c in pairs), default=0)
    pair_conditions = tuple(
        (np.array([p for p, c in enumerate(pairs) if len(c) > r], dtype=np.int64),
         np.array([c[r][0] for c in pairs if len(c) > r], dtype=np.int64),
         np.array([c[r][1] for c in pairs if len(c) > r], dtype=bool))
        for r in range(rank))
    leaf_values = np.zeros(n_leaves)
    for leaf, (value, _, _) in leaves.items():
        leaf_values[leaf] = value
    expected = leaf_values[0]
    if splits:  # as LightGBM's Tree::ExpectedValue, leaf by leaf in its order
        total, expected = float(root["internal_count"]), 0.0
        for leaf in range(n_leaves):
            expected += (leaves[leaf][1] / total) * leaves[leaf][0]
    return TreePaths(
        split_feature=np.array([int(s["split_feature"]) for s in splits], dtype=np.int64),
        threshold=np.array([np.nan if s["decision_type"] == "==" else float(s["threshold"]) for s in splits]),
        categories=tuple(np.array([int(c) for c in str(s["threshold"]).split("||")], dtype=np.float64)
                         if s["decision_type"] == "==" else None for s in splits),
        default_left=np.array([bool(s["default_left"]) for s in splits], dtype=bool),
        missing_type=np.array([_MISSING_TYPES[s["missing_type"]] for s in splits], dtype=np.int64),
        pair_conditions=pair_conditions, leaf_pairs=leaf_pairs, leaf_features=leaf_features,
        leaf_zero=leaf_zero, leaf_depth=depth, leaf_values=leaf_values, expected=float(expected),
        n_split_features=len(features),
    )


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

    Counts through a table of all possible keys when that is small, else hashes the keys
    (``pandas.factorize``, several times quicker than sorting them).
    """
    n = len(key)
    if bound > 4 * n + 1024:
        inverse = pd.factorize(key)[0]
    else:
        seen = np.zeros(bound, dtype=bool)
        seen[key] = True
        number = np.cumsum(seen) - 1
        inverse = number[key]
    first = np.empty(int(inverse.max(initial=-1)) + 1, dtype=np.int64)
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
