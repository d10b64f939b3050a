"""Weighted logistic fits on one predictor, vectorised over many weightings at once.

Used twice: to fit the sigmoid calibrator (one weighting) and to compute calibration slope
and intercept in every bootstrap replicate (one weighting per replicate, one matrix).
"""

from __future__ import annotations

import numpy as np

from riskmodel._model import sigmoid

_EPS = 1e-6


def logit(p: np.ndarray) -> np.ndarray:
    """Log-odds of probabilities clipped away from 0 and 1."""
    p = np.clip(np.asarray(p, dtype=float), _EPS, 1 - _EPS)
    return np.log(p) - np.log1p(-p)


def fit_line(W: np.ndarray, y: np.ndarray, z: np.ndarray, *, iterations: int = 25) -> tuple[np.ndarray, np.ndarray]:
    """Weighted logistic regression ``y ~ intercept + slope * z`` for each row of ``W``.

    Parameters
    ----------
    W : ndarray of shape (n_fits, n_samples)
        Sample weights, one row per fit.
    y : ndarray of shape (n_samples,)
        0/1 outcomes.
    z : ndarray of shape (n_samples,)
        The predictor (log-odds).

    Returns
    -------
    intercept, slope : ndarray of shape (n_fits,)
        NaN where a fit has no positive or no negative weight.
    """
    a = np.zeros(W.shape[0])
    b = np.ones(W.shape[0])
    for _ in range(iterations):
        mu = sigmoid(a[:, None] + b[:, None] * z)
        r = W * (y - mu)
        v = W * mu * (1 - mu)
        g0, g1 = r.sum(1), r @ z
        h00, h01, h11 = v.sum(1), v @ z, v @ (z * z)
        det = h00 * h11 - h01 * h01
        det = np.where(np.abs(det) < 1e-12, np.nan, det)
        step_a = (h11 * g0 - h01 * g1) / det
        step_b = (h00 * g1 - h01 * g0) / det
        a, b = a + step_a, b + step_b
        if np.nanmax(np.abs(np.r_[step_a, step_b]), initial=0.0) < 1e-8:
            break
    return _degenerate_to_nan(W, y, a), _degenerate_to_nan(W, y, b)


def fit_offset(W: np.ndarray, y: np.ndarray, z: np.ndarray, *, iterations: int = 25) -> np.ndarray:
    """Calibration-in-the-large: intercept of ``y ~ intercept + offset(z)`` for each row of ``W``."""
    a = np.zeros(W.shape[0])
    for _ in range(iterations):
        mu = sigmoid(a[:, None] + z)
        step = (W * (y - mu)).sum(1) / np.maximum((W * mu * (1 - mu)).sum(1), 1e-12)
        a = a + step
        if np.nanmax(np.abs(step), initial=0.0) < 1e-8:
            break
    return _degenerate_to_nan(W, y, a)


def _degenerate_to_nan(W: np.ndarray, y: np.ndarray, values: np.ndarray) -> np.ndarray:
    positive, negative = W @ y, W @ (1 - y)
    return np.where((positive > 0) & (negative > 0) & np.isfinite(values), values, np.nan)
