"""Point estimates and bootstrap replicates of every metric for every unit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score

from ._bootstrap import build_design, point_weights, replicate_weights, unit_sums
from ._layout import Layout
from ._metrics import metrics_from_sums

__all__ = ["Estimates", "estimate", "N_BINS"]

N_BINS = 10


@dataclass(frozen=True)
class Estimates:
    """Point values (U,) and replicates (B, U) per metric, plus calibration bins."""

    point: dict[str, np.ndarray]
    replicates: dict[str, np.ndarray]
    bin_edges: np.ndarray | None
    bins_point: np.ndarray | None
    bins_replicates: np.ndarray | None


def estimate(y, flags, score, layout: Layout, *, probability: bool, n_boot: int, seed: int):
    """Compute every metric for every unit, with ``n_boot`` stratified replicates.

    Parameters
    ----------
    y, flags : ndarray
        Outcome and flag, 0/1, one per young person.
    score : ndarray or None
        The score behind the flags; None when only flags were given.
    layout : Layout
        Cells and units from :func:`build_layout`.
    probability : bool
        Whether the score is a probability (enables Brier score and calibration).
    n_boot : int
        Number of bootstrap replicates.
    seed : int
        Seed for the replicates.

    Returns
    -------
    Estimates
    """
    edges, bin_codes = _calibration_bins(score if probability else None, n=len(y))
    design = build_design(
        y, flags, score, layout.cell_codes, layout.n_cells, bin_codes, max(len(edges) - 1, 1),
        probability=probability,
    )
    point_sums = unit_sums(design, point_weights(design), layout.membership)
    point = {k: v[0] for k, v in metrics_from_sums(point_sums).items()}
    if score is not None:
        point.update(_sklearn_points(y, score, layout, probability=probability))
    reps, bins = _replicates(design, layout, n_boot, np.random.default_rng(seed))
    return Estimates(
        point=point,
        replicates=reps,
        bin_edges=edges if probability else None,
        bins_point=point_sums["bins"][0] if probability else None,
        bins_replicates=bins,
    )


def _calibration_bins(score, *, n: int):
    if score is None:
        return np.array([0.0, 1.0]), np.zeros(n, dtype=np.int64)
    edges = np.unique(np.quantile(score, np.linspace(0, 1, N_BINS + 1)))
    if len(edges) < 2:
        edges = np.array([edges[0], edges[0]])
    codes = np.searchsorted(edges[1:-1], score, side="right")
    return edges, codes.astype(np.int64)


def _replicates(design, layout, n_boot, rng):
    chunk = design.chunk_size(n_boot)
    parts, bins = [], []
    for start in range(0, n_boot, chunk):
        weights = replicate_weights(design, min(chunk, n_boot - start), rng)
        sums = unit_sums(design, weights, layout.membership)
        parts.append(metrics_from_sums(sums))
        if "bins" in sums:
            bins.append(sums["bins"])
    reps = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return reps, (np.concatenate(bins) if bins else None)


def _sklearn_points(y, score, layout: Layout, *, probability: bool) -> dict[str, np.ndarray]:
    """AUC and Brier score per unit with scikit-learn, so they match it exactly."""
    n_units = len(layout.units)
    auc, brier = np.full(n_units, np.nan), np.full(n_units, np.nan)
    for u in range(n_units):
        rows = layout.membership[layout.cell_codes, u]
        y_u, s_u = y[rows], score[rows]
        if 0 < y_u.sum() < len(y_u):
            auc[u] = roc_auc_score(y_u, s_u)
        if probability:
            brier[u] = brier_score_loss(y_u, s_u, labels=[0, 1])
    out = {"roc_auc": auc}
    if probability:
        out["brier"] = brier
    return out
