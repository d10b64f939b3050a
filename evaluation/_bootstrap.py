"""Vectorised, stratified, person-clustered bootstrap of confusion counts, AUC and calibration.

Rows are sorted once by (cell, label, flag, score). Each replicate is a row of
integer weights from :class:`PersonBootstrap`: young people are resampled with
replacement within the cell of their first row, every row of a drawn person
carrying the person's draw count, so a person seen on several as-of dates is
resampled as one and every cell keeps its number of people (and, without a
person column, its number of rows). All sums for a chunk of replicates come
from a few ``np.add.reduceat`` calls over the weight matrix; the AUC of every
unit comes from :mod:`._auc` (a weighted Mann-Whitney statistic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._auc import AucRanks, auc_numerators, auc_ranks
from ._resample import PersonBootstrap

__all__ = ["Design", "build_design", "unit_sums", "point_weights", "replicate_weights"]

_ELEMENT_BUDGET = 4_000_000


@dataclass(frozen=True)
class Design:
    """The sorted data and the index arrays every replicate reuses."""

    n: int
    n_cells: int
    n_bins: int
    order: np.ndarray
    cell_sizes: np.ndarray
    cell_starts: np.ndarray
    seg_starts: np.ndarray
    seg_keys: np.ndarray
    score: np.ndarray | None
    sq_error: np.ndarray | None
    auc: AucRanks | None
    resampler: PersonBootstrap

    def chunk_size(self, n_boot: int) -> int:
        """How many replicates to hold in memory at once."""
        wide = max(self.n, 1 if self.auc is None else self.auc.lo.size)
        return int(max(1, min(n_boot, _ELEMENT_BUDGET // wide)))


def build_design(y, flags, score, cell_codes, n_cells, bin_codes, n_bins, *, probability,
                 person=None):
    """Sort the rows and precompute the segment and rank indices.

    ``person`` (one identity per row, or None when every row is a different person)
    makes the replicates resample people rather than rows.
    """
    key_score = np.zeros(len(y)) if score is None else score
    order = np.lexsort((key_score, flags, y, cell_codes))
    cell_s, y_s, f_s = cell_codes[order], y[order].astype(np.int64), flags[order].astype(np.int64)
    bins_s = bin_codes[order]
    keys = ((cell_s * 2 + y_s) * 2 + f_s) * n_bins + bins_s
    seg_starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.bincount(cell_codes, minlength=n_cells)
    score_s = None if score is None else score[order]
    return Design(
        n=len(y),
        n_cells=n_cells,
        n_bins=n_bins,
        order=order,
        cell_sizes=sizes,
        cell_starts=np.r_[0, np.cumsum(sizes)[:-1]],
        seg_starts=seg_starts,
        seg_keys=keys[seg_starts],
        score=score_s if probability else None,
        sq_error=(score_s - y_s) ** 2 if probability else None,
        auc=None if score is None else auc_ranks(cell_s, y_s, score_s, n_cells),
        resampler=PersonBootstrap(len(y), person=None if person is None else np.asarray(person)[order],
                                  strata=cell_s),
    )


def point_weights(design: Design) -> np.ndarray:
    """Weights of one for every row: the observed data as a single replicate."""
    return np.ones((1, design.n), dtype=np.int64)


def replicate_weights(design: Design, n_rep: int, rng: np.random.Generator) -> np.ndarray:
    """Integer weights (n_rep, n) in the design's sorted row order: how many times each
    row is drawn in each replicate (its person's draw count)."""
    return design.resampler.weights(n_rep, rng)


def unit_sums(design: Design, weights: np.ndarray, membership: np.ndarray) -> dict:
    """Weighted sums per unit for a block of replicates.

    Returns a dict of arrays with a leading replicate axis: ``confusion``
    (b, U, 2, 2) indexed [label, flag]; ``bins`` (b, U, n_bins, 3) of
    (count, outcomes, score sum); ``sq_error`` (b, U); ``auc_num`` (b, U).
    """
    member = membership.astype(float)
    segments = _segment_sums(design, weights)
    confusion = segments.sum(axis=4)
    out = {"confusion": np.einsum("bcyf,cu->buyf", confusion, member)}
    if design.score is not None:
        scored = _segment_sums(design, weights * design.score).sum(axis=(2, 3))
        counts = segments.sum(axis=3)
        per_cell = np.stack([counts.sum(axis=2), counts[:, :, 1, :], scored], axis=-1)
        out["bins"] = np.einsum("bckq,cu->bukq", per_cell, member)
        sq = np.add.reduceat(weights * design.sq_error, design.cell_starts, axis=1)
        out["sq_error"] = sq @ member
    if design.auc is not None:
        out["auc_num"] = auc_numerators(design.auc, weights, member)
    return out


def _segment_sums(design: Design, values: np.ndarray) -> np.ndarray:
    sums = np.add.reduceat(values, design.seg_starts, axis=1)
    full = np.zeros((values.shape[0], design.n_cells * 4 * design.n_bins), dtype=sums.dtype)
    full[:, design.seg_keys] = sums
    return full.reshape(values.shape[0], design.n_cells, 2, 2, design.n_bins)
