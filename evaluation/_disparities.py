"""Disparities against a reference unit, with intervals and a verdict."""

from __future__ import annotations

import numpy as np

from ._metrics import DENOMINATORS, RATE_METRICS

__all__ = [
    "WITHIN", "OUTSIDE", "INSUFFICIENT", "interval", "verdict", "disparities_for",
]

WITHIN = "within tolerance"
OUTSIDE = "outside tolerance"
INSUFFICIENT = "insufficient evidence"
ALPHA = 0.05


def interval(replicates: np.ndarray, value: float) -> tuple[float, float]:
    """Percentile interval of ``replicates``, widened if needed to hold ``value``.

    Replicates where the metric is undefined (NaN) are left out; infinite
    ratios are kept, so an interval may be unbounded above.
    """
    finite = replicates[~np.isnan(replicates)]
    if finite.size == 0 or np.isnan(value):
        return (np.nan, np.nan)
    low, high = np.quantile(finite, [ALPHA / 2, 1 - ALPHA / 2], method="inverted_cdf")
    return (float(min(low, value)), float(max(high, value)))


def verdict(ci_low: float, ci_high: float, *, tolerance: float) -> str:
    """Verdict on a ratio interval against the band [tolerance, 1 / tolerance].

    Examples
    --------
    >>> verdict(0.9, 1.1, tolerance=0.8)
    'within tolerance'
    >>> verdict(1.3, 1.6, tolerance=0.8)
    'outside tolerance'
    >>> verdict(0.7, 1.1, tolerance=0.8)
    'insufficient evidence'
    """
    if np.isnan(ci_low) or np.isnan(ci_high):
        return INSUFFICIENT
    low_bound, high_bound = tolerance, 1.0 / tolerance
    if ci_low >= low_bound and ci_high <= high_bound:
        return WITHIN
    if ci_high < low_bound or ci_low > high_bound:
        return OUTSIDE
    return INSUFFICIENT


def disparities_for(u, ref, estimates, *, tolerance, min_cell, hidden) -> dict:
    """Ratio and difference of every rate metric of unit ``u`` against ``ref``.

    ``hidden`` says why no comparison can be made (suppressed unit or
    reference), or is None.
    """
    out = {}
    for metric in RATE_METRICS:
        if metric not in estimates.point:
            continue
        out[metric] = _one(metric, u, ref, estimates, tolerance=tolerance,
                           min_cell=min_cell, hidden=hidden)
    return out


def _one(metric, u, ref, estimates, *, tolerance, min_cell, hidden) -> dict:
    if hidden is not None or ref is None:
        reason = hidden or "no reference group to compare with"
        return _empty(reason)
    point, reps = estimates.point[metric], estimates.replicates[metric]
    value, base = point[u], point[ref]
    ratio = _safe_ratio(value, base)
    diff = value - base
    r_low, r_high = interval(_safe_ratio(reps[:, u], reps[:, ref]), ratio)
    d_low, d_high = interval(reps[:, u] - reps[:, ref], diff)
    verdict_, reason = verdict(r_low, r_high, tolerance=tolerance), None
    thin = _too_few(metric, u, ref, estimates.point, min_cell)
    if thin:
        verdict_, reason = INSUFFICIENT, thin
    elif verdict_ == INSUFFICIENT:
        reason = "the interval crosses the tolerance bound" if not np.isnan(r_low) else (
            "the rate is undefined for one of the two groups")
    return {
        "ratio": _clean(ratio), "difference": _clean(diff),
        "ci_low": _clean(r_low), "ci_high": _clean(r_high),
        "difference_ci_low": _clean(d_low), "difference_ci_high": _clean(d_high),
        "verdict": verdict_, "reason": reason,
    }


def _too_few(metric, u, ref, point, min_cell) -> str | None:
    count = DENOMINATORS[metric]
    if min(point[count][u], point[count][ref]) < min_cell:
        return f"fewer than {min_cell} young people behind this rate in one of the two groups"
    return None


def _safe_ratio(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    out = np.full(np.broadcast_shapes(a.shape, b.shape), np.nan)
    np.divide(a, b, out=out, where=b > 0)
    out = np.where((b == 0) & (a > 0), np.inf, out)
    out = np.where((b == 0) & (a == 0), 1.0, out)
    return out if out.ndim else float(out)


def _empty(reason: str) -> dict:
    return {
        "ratio": None, "difference": None, "ci_low": None, "ci_high": None,
        "difference_ci_low": None, "difference_ci_high": None,
        "verdict": INSUFFICIENT, "reason": reason,
    }


def _clean(x) -> float | None:
    """JSON-safe number: NaN and infinities become None."""
    x = float(x)
    return x if np.isfinite(x) else None
