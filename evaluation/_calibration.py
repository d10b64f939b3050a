"""The library's one calibration binning: equal-count bins of a predicted probability."""

from __future__ import annotations

import numpy as np

__all__ = ["calibration_bins", "N_BINS"]

N_BINS = 10


def calibration_bins(score, *, n_bins: int = N_BINS) -> tuple[np.ndarray, np.ndarray]:
    """Quantile bin edges of ``score`` and the bin of each value.

    Edges are the ``n_bins + 1`` quantiles of the scores, with repeats removed, so a
    score taking few values (a rule, an isotonic fit) gets fewer, wider bins. Bin ``i``
    holds ``edges[i] <= score < edges[i + 1]`` (the last bin includes its upper edge).

    Parameters
    ----------
    score : array-like of float
    n_bins : int, default=10

    Returns
    -------
    edges : ndarray of shape (n_edges,)
        At least two edges; the same twice when every score is equal.
    codes : ndarray of int64, shape (n,)
        The bin of each score, from 0 to ``n_edges - 2``.

    Examples
    --------
    >>> edges, codes = calibration_bins([0.1, 0.2, 0.2, 0.9], n_bins=2)
    >>> edges.tolist(), codes.tolist()
    ([0.1, 0.2, 0.9], [0, 1, 1, 1])
    """
    score = np.asarray(score, dtype=float)
    if score.size == 0:
        return np.array([0.0, 1.0]), np.zeros(0, dtype=np.int64)
    edges = np.unique(np.quantile(score, np.linspace(0, 1, n_bins + 1)))
    if len(edges) < 2:
        edges = np.array([edges[0], edges[0]])
    codes = np.searchsorted(edges[1:-1], score, side="right")
    return edges, codes.astype(np.int64)
