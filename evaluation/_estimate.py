"""Point estimates and bootstrap replicates of every metric for every unit."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._bootstrap import build_design, point_weights, replicate_weights, unit_sums
from ._calibration import N_BINS, calibration_bins
from ._custom import CustomMetrics
from ._layout import Layout, count_people_by
from ._metrics import metrics_from_sums

__all__ = ["Estimates", "estimate", "N_BINS"]


@dataclass(frozen=True)
class Estimates:
    """Point values (U,) and replicates (B, U) per metric, plus calibration bins.

    ``bins_people`` (U, bins) counts the distinct young people in each unit's bin, the
    count small-cell suppression of the bins uses. ``custom`` names the caller's metrics among the keys of ``point``.
    """

    point: dict[str, np.ndarray]
    replicates: dict[str, np.ndarray]
    bin_edges: np.ndarray | None
    bins_point: np.ndarray | None
    bins_replicates: np.ndarray | None
    bins_people: np.ndarray | None = None
    custom: tuple[str, ...] = ()


def estimate(y, flags, score, layout: Layout, *, probability: bool, n_boot: int, seed: int,
             person=None, metrics=None):
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
    person : ndarray or None, default=None
        Who each row belongs to; replicates resample people. None: each row is a person.
    metrics : dict or None, default=None
        The caller's metrics ``{name: fn}`` (see :class:`AuditSpec`), computed beside
        the standard ones.

    Returns
    -------
    Estimates
    """
    edges, bin_codes = _calibration_bins(score if probability else None, n=len(y))
    design = build_design(
        y, flags, score, layout.cell_codes, layout.n_cells, bin_codes, max(len(edges) - 1, 1),
        probability=probability, person=person,
    )
    custom = CustomMetrics(metrics, design, y, flags, score, layout.membership, layout.cell_codes)
    point_sums = unit_sums(design, point_weights(design), layout.membership)
    point = {k: v[0] for k, v in metrics_from_sums(point_sums).items()}
    point.update({k: v[0] for k, v in custom.values(point_weights(design)).items()})
    reps, bins = _replicates(design, layout, custom, n_boot, np.random.default_rng(seed))
    return Estimates(
        point=point,
        replicates=reps,
        bin_edges=edges if probability else None,
        bins_point=point_sums["bins"][0] if probability else None,
        bins_replicates=bins,
        bins_people=count_people_by(layout, person, bin_codes, max(len(edges) - 1, 1)) if probability else None,
        custom=tuple(custom.metrics),
    )


def _calibration_bins(score, *, n: int):
    if score is None:
        return np.array([0.0, 1.0]), np.zeros(n, dtype=np.int64)
    return calibration_bins(score, n_bins=N_BINS)


def _replicates(design, layout, custom, n_boot, rng):
    chunk = design.chunk_size(n_boot)
    parts, bins = [], []
    for start in range(0, n_boot, chunk):
        weights = replicate_weights(design, min(chunk, n_boot - start), rng)
        sums = unit_sums(design, weights, layout.membership)
        parts.append({**metrics_from_sums(sums), **custom.values(weights)})
        if "bins" in sums:
            bins.append(sums["bins"])
    reps = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    return reps, (np.concatenate(bins) if bins else None)
