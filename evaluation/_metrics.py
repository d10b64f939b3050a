"""Metrics from weighted sums, for any number of replicates at once."""

from __future__ import annotations

import numpy as np

__all__ = ["METRICS", "RATE_METRICS", "DENOMINATORS", "metrics_from_sums"]

METRICS = (
    "n", "positives", "base_rate", "selection_rate", "tpr", "fpr", "fnr",
    "ppv", "fdr", "npv", "roc_auc", "brier", "ece",
)
RATE_METRICS = ("base_rate", "selection_rate", "tpr", "fpr", "fnr", "ppv", "fdr", "npv", "roc_auc")
DENOMINATORS = {
    "base_rate": "n",
    "selection_rate": "n",
    "tpr": "positives",
    "fnr": "positives",
    "fpr": "negatives",
    "ppv": "flagged",
    "fdr": "flagged",
    "npv": "unflagged",
    "roc_auc": "smaller_class",
}


def metrics_from_sums(sums: dict) -> dict[str, np.ndarray]:
    """Turn the sums of :func:`unit_sums` into metric arrays of shape (b, U).

    A rate whose denominator is zero is NaN (undefined), not zero.
    The counts ``negatives``, ``flagged``, ``unflagged`` and ``smaller_class``
    are included for the evidence checks.
    """
    c = sums["confusion"]
    tn, fp, fn, tp = c[..., 0, 0], c[..., 0, 1], c[..., 1, 0], c[..., 1, 1]
    n, pos, neg = tn + fp + fn + tp, tp + fn, tn + fp
    flagged, unflagged = tp + fp, tn + fn
    out = {
        "n": n, "positives": pos, "negatives": neg, "flagged": flagged,
        "unflagged": unflagged, "smaller_class": np.minimum(pos, neg),
        "base_rate": _ratio(pos, n), "selection_rate": _ratio(flagged, n),
        "tpr": _ratio(tp, pos), "fpr": _ratio(fp, neg), "fnr": _ratio(fn, pos),
        "ppv": _ratio(tp, flagged), "fdr": _ratio(fp, flagged), "npv": _ratio(tn, unflagged),
    }
    if "auc_num" in sums:
        out["roc_auc"] = _ratio(sums["auc_num"], pos * neg)
    if "bins" in sums:
        bins = sums["bins"]
        out["brier"] = _ratio(sums["sq_error"], n)
        out["ece"] = _ratio(np.abs(bins[..., 2] - bins[..., 1]).sum(axis=-1), n)
    return out


def _ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    out = np.full(np.broadcast_shapes(numerator.shape, denominator.shape), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out
