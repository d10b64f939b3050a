"""Disparities against a reference unit, with intervals and a verdict."""

from __future__ import annotations

import numpy as np

from ._metrics import DENOMINATORS, RATE_METRICS

__all__ = [
    "WITHIN", "OUTSIDE", "INSUFFICIENT", "interval", "rate_interval", "wilson", "verdict",
    "disparity_of", "empty_disparity", "clean",
]

WITHIN = "within tolerance"
OUTSIDE = "outside tolerance"
INSUFFICIENT = "insufficient evidence"
ALPHA = 0.05
Z = 1.959963984540054  # the normal quantile for a two-sided 95% interval
PROPORTIONS = tuple(m for m in RATE_METRICS if m != "roc_auc")


def interval(replicates: np.ndarray, value: float) -> tuple[float, float]:
    """95% percentile interval of bootstrap ``replicates``, widened if needed to hold ``value``.

    The library's one bootstrap interval (the audit's and training's). Replicates
    where the metric is undefined (NaN) are left out; infinite ratios are kept, so an
    interval may be unbounded above. A biased statistic such as the calibration error,
    whose replicates can all lie above the estimate, still gets an interval that
    holds the estimate.

    Examples
    --------
    >>> interval(np.array([0.2, 0.3, 0.4, np.nan]), 0.1)
    (0.1, 0.4)
    """
    finite = replicates[~np.isnan(replicates)]
    if finite.size == 0 or np.isnan(value):
        return (np.nan, np.nan)
    low, high = np.quantile(finite, [ALPHA / 2, 1 - ALPHA / 2], method="inverted_cdf")
    return (float(min(low, value)), float(max(high, value)))


def wilson(rate: float, n: float) -> tuple[float, float]:
    """Wilson score interval of a proportion ``rate`` observed among ``n``.

    Examples
    --------
    >>> low, high = wilson(0.0, 13)
    >>> round(low, 3), round(high, 3)
    (0.0, 0.228)
    """
    if not n > 0 or np.isnan(rate):
        return (np.nan, np.nan)
    z2n = Z * Z / n
    centre = (rate + z2n / 2) / (1 + z2n)
    half = Z * np.sqrt(rate * (1 - rate) / n + z2n / (4 * n)) / (1 + z2n)
    low, high = max(0.0, centre - half), min(1.0, centre + half)
    return (float(min(low, rate)), float(max(high, rate)))  # rounding must not exclude the rate


def degenerate(rate: float, n: float) -> bool:
    """Whether a group has no events, or only events, behind a proportion.

    Then every bootstrap replicate repeats the estimate and the percentile interval
    shrinks to a point, which would claim certainty that a handful of young people
    cannot give.
    """
    if not n > 0 or np.isnan(rate):
        return False
    events = rate * n
    return bool(events < 0.5 or events > n - 0.5)


def rate_interval(replicates: np.ndarray, value: float, n: float) -> tuple[float, float]:
    """Percentile interval of a proportion, joined with its Wilson interval when degenerate."""
    low, high = interval(replicates, value)
    if degenerate(value, n):
        w_low, w_high = wilson(value, n)
        low, high = min(low, w_low), max(high, w_high)
    return (low, high)


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


def disparity_of(metric, u, ref, estimates, *, tolerance, min_cell) -> dict:
    """Ratio and difference of ``metric`` for unit ``u`` against unit ``ref``, with a verdict.

    Proportions' intervals are widened with the Wilson interval where a group has no or
    only events; a metric with fewer than ``min_cell`` young people behind it in either
    group (its denominator; for a metric supplied by the caller, the group's size) gets
    "insufficient evidence".
    """
    point, reps = estimates.point[metric], estimates.replicates[metric]
    value, base = point[u], point[ref]
    ratio = _safe_ratio(value, base)
    diff = value - base
    r_low, r_high = interval(_safe_ratio(reps[:, u], reps[:, ref]), ratio)
    d_low, d_high = interval(reps[:, u] - reps[:, ref], diff)
    if metric in PROPORTIONS:
        (r_low, r_high), (d_low, d_high) = _with_wilson(
            metric, u, ref, estimates.point, (r_low, r_high), (d_low, d_high))
    verdict_, reason = verdict(r_low, r_high, tolerance=tolerance), None
    thin = _too_few(metric, u, ref, estimates.point, min_cell)
    if thin:
        verdict_, reason = INSUFFICIENT, thin
    elif verdict_ == INSUFFICIENT:
        reason = "the interval crosses the tolerance bound" if not np.isnan(r_low) else (
            "the rate is undefined for one of the two groups")
    return {
        "ratio": clean(ratio), "difference": clean(diff),
        "ci_low": clean(r_low), "ci_high": clean(r_high),
        "difference_ci_low": clean(d_low), "difference_ci_high": clean(d_high),
        "verdict": verdict_, "reason": reason,
    }


def _with_wilson(metric, u, ref, point, ratio_ci, difference_ci):
    """Widen the ratio and difference intervals where either group's events are degenerate.

    The widening takes the extremes of the two groups' Wilson intervals, so a group of
    13 young people none of whom was flagged is never declared outside tolerance.
    """
    count = point[DENOMINATORS[metric]]
    rates, ns = (point[metric][u], point[metric][ref]), (count[u], count[ref])
    if not any(degenerate(r, n) for r, n in zip(rates, ns)):
        return ratio_ci, difference_ci
    (u_low, u_high), (ref_low, ref_high) = wilson(rates[0], ns[0]), wilson(rates[1], ns[1])
    ratio_low = _safe_ratio(u_low, ref_high)
    ratio_high = _safe_ratio(u_high, ref_low) if ref_low > 0 else np.inf
    return (
        (min(ratio_ci[0], ratio_low), max(ratio_ci[1], ratio_high)),
        (min(difference_ci[0], u_low - ref_high), max(difference_ci[1], u_high - ref_low)),
    )


def _too_few(metric, u, ref, point, min_cell) -> str | None:
    count = DENOMINATORS.get(metric, "n")
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


def empty_disparity(reason: str) -> dict:
    """A disparity that cannot be computed, with the reason."""
    return {
        "ratio": None, "difference": None, "ci_low": None, "ci_high": None,
        "difference_ci_low": None, "difference_ci_high": None,
        "verdict": INSUFFICIENT, "reason": reason,
    }


def clean(x) -> float | None:
    """JSON-safe number: NaN and infinities become None."""
    x = float(x)
    return x if np.isfinite(x) else None
