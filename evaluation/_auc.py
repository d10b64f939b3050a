"""ROC AUC as a weighted Mann-Whitney statistic, for many weightings at once.

The library's one ROC AUC. Rows are sorted by (cell, label, score); for each
positive and each cell, two binary searches find where its score falls among
that cell's negatives. A weighting of the rows (one bootstrap replicate, or
weights of one for the data as observed) then needs only one cumulative sum
of negative weights: each positive counts the weight of negatives below it
plus half the weight of negatives tied with it. Every unit that is a union of
cells (a group, an intersection, everyone) gets its AUC from the cell-by-cell
sums, so one pass serves the whole audit. It equals scikit-learn's
``roc_auc_score`` with ``sample_weight`` (checked in the tests) and the
trapezoidal area under the weighted ROC curve.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["AucRanks", "auc_ranks", "auc_numerators", "roc_auc_score", "roc_auc_replicates"]


@dataclass(frozen=True)
class AucRanks:
    """Where each positive's score falls among each cell's negatives (sorted rows)."""

    lo: np.ndarray
    hi: np.ndarray
    neg_start: np.ndarray
    positives: np.ndarray
    firsts: np.ndarray
    pos_cells: np.ndarray
    negative: np.ndarray


def auc_ranks(cell_s: np.ndarray, y_s: np.ndarray, score_s: np.ndarray, n_cells: int) -> AucRanks:
    """Index arrays for rows sorted by (cell, label, score)."""
    positives = np.flatnonzero(y_s == 1)
    pos_scores = score_s[positives]
    lo = np.empty((len(positives), n_cells), dtype=np.int64)
    hi = np.empty_like(lo)
    neg_start = np.empty(n_cells, dtype=np.int64)
    for cell in range(n_cells):
        negatives = np.flatnonzero((cell_s == cell) & (y_s == 0))
        start = negatives[0] if len(negatives) else np.searchsorted(cell_s, cell)
        cell_neg = score_s[start : start + len(negatives)]
        neg_start[cell] = start
        lo[:, cell] = start + np.searchsorted(cell_neg, pos_scores, side="left")
        hi[:, cell] = start + np.searchsorted(cell_neg, pos_scores, side="right")
    pos_cells = cell_s[positives]
    firsts = np.flatnonzero(np.r_[True, pos_cells[1:] != pos_cells[:-1]]) if len(positives) else []
    return AucRanks(lo, hi, neg_start, positives, np.asarray(firsts, dtype=np.int64), pos_cells,
                    (y_s == 0).astype(np.int64))


def auc_numerators(ranks: AucRanks, weights: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Weighted Mann-Whitney numerators (b, U) for weights (b, n) and membership (cells, U)."""
    b, n = weights.shape
    if len(ranks.positives) == 0:
        return np.zeros((b, member.shape[1]))
    cum = np.zeros((b, n + 1))
    np.cumsum(weights * ranks.negative, axis=1, out=cum[:, 1:])
    below = 0.5 * (cum[:, ranks.lo] + cum[:, ranks.hi]) - cum[:, ranks.neg_start][:, None, :]
    weighted = below * weights[:, ranks.positives][:, :, None]
    n_cells = member.shape[0]
    cross = np.zeros((b, n_cells, n_cells))
    cross[:, ranks.pos_cells[ranks.firsts], :] = np.add.reduceat(weighted, ranks.firsts, axis=1)
    return np.einsum("bij,iu,ju->bu", cross, member, member)


def roc_auc_replicates(y_true, y_score, weights) -> np.ndarray:
    """ROC AUC under each row of a weight matrix (for example bootstrap replicates).

    Parameters
    ----------
    y_true : array-like of 0/1, shape (n,)
    y_score : array-like of float, shape (n,)
    weights : array-like of shape (b, n)
        Non-negative weights; each row is one weighting of the same rows.

    Returns
    -------
    ndarray of shape (b,)
        NaN where a weighting leaves no positive or no negative weight.

    Examples
    --------
    >>> y = [0, 0, 1, 1]
    >>> s = [0.1, 0.4, 0.35, 0.8]
    >>> roc_auc_replicates(y, s, [[1, 1, 1, 1], [0, 1, 1, 1]]).round(3).tolist()
    [0.75, 0.5]
    """
    y = np.asarray(y_true).astype(np.int64)
    score = np.asarray(y_score, dtype=float)
    w = np.atleast_2d(np.asarray(weights, dtype=float))
    order = np.lexsort((score, y))
    y_s, w_s = y[order], w[:, order]
    ranks = auc_ranks(np.zeros(len(y), dtype=np.int64), y_s, score[order], 1)
    numerator = auc_numerators(ranks, w_s, np.ones((1, 1)))[:, 0]
    pairs = (w_s * y_s).sum(axis=1) * (w_s * ranks.negative).sum(axis=1)
    out = np.full(len(w), np.nan)
    np.divide(numerator, pairs, out=out, where=pairs > 0)
    return out


def roc_auc_score(y_true, y_score, *, sample_weight=None) -> float:
    """Area under the ROC curve (ties count one half), as scikit-learn defines it.

    Parameters
    ----------
    y_true : array-like of 0/1
    y_score : array-like of float
    sample_weight : array-like, default=None

    Returns
    -------
    float
        NaN when there is no positive or no negative row (scikit-learn raises instead).

    Examples
    --------
    >>> roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    """
    n = len(np.asarray(y_true))
    weights = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    return float(roc_auc_replicates(y_true, y_score, weights[None, :])[0])
