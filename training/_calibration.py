"""Calibration on the validation period, with the method chosen by cross-fitting.

The booster's raw output is log-odds from a model trained with up-weighted positives, so
its probabilities are too high; a calibrator fitted on the validation period restores true
probabilities. The isotonic calibrator is the centred version (strictly increasing), so it
never ties scores the model tells apart. Each candidate method (isotonic, sigmoid) is scored honestly: the validation
rows are split into person-grouped folds, each fold is predicted by a calibrator fitted on
the other folds, and the method with the better held-out score (log loss or Brier) wins.
Only then is the winner refitted on the whole validation period. The test period is never
seen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.isotonic import IsotonicRegression

from riskmodel._model import IsotonicCalibrator, SigmoidCalibrator

from ._logit import fit_line


def choose_calibrator(logodds, y_true, *, person, methods=("isotonic", "sigmoid"),
                      score="log_loss", n_folds=5, random_state=0):
    """Fit the calibration method with the best cross-fitted validation score.

    Parameters
    ----------
    logodds : ndarray of shape (n_samples,)
        Raw booster output on the validation period.
    y_true : ndarray of shape (n_samples,)
    person : array-like of shape (n_samples,)
        Person of each row; folds never split a person.
    methods : tuple of str, default=("isotonic", "sigmoid")
    score : {"log_loss", "brier"}, default="log_loss"
    n_folds : int, default=5
    random_state : int, default=0

    Returns
    -------
    calibrator : IsotonicCalibrator or SigmoidCalibrator
        The chosen method, refitted on all validation rows.
    scores : dict
        Cross-fitted validation score of each method (lower is better).
    """
    z, y = np.asarray(logodds, dtype=float), np.asarray(y_true, dtype=float)
    folds = person_folds(person, n_folds=n_folds, random_state=random_state)
    scores = {method: _cross_fitted_score(method, z, y, folds, score) for method in methods}
    best = min(methods, key=lambda m: (scores[m], methods.index(m)))
    return fit_calibrator(best, z, y), scores


def fit_calibrator(method: str, logodds: np.ndarray, y_true: np.ndarray):
    """Fit one calibration method on log-odds and 0/1 outcomes."""
    if method == "isotonic":
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(logodds, y_true)
        centres, rates = _block_centres(iso.X_thresholds_, iso.y_thresholds_)
        return IsotonicCalibrator(tuple(map(float, centres)), tuple(map(float, rates)))
    intercept, slope = fit_line(np.ones((1, len(y_true))), y_true, logodds)
    return SigmoidCalibrator(slope=float(slope[0]), intercept=float(intercept[0]))


def _block_centres(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One point per isotonic block (its centre and rate): the centred isotonic regression.

    The step function's flat blocks would tie every score inside a block; interpolating
    between block centres keeps the map strictly increasing, so calibration never erases the
    model's ranking (Oron and Flournoy, 2017).
    """
    rates, block = np.unique(np.asarray(y, dtype=float), return_inverse=True)
    lows = np.full(len(rates), np.inf)
    highs = np.full(len(rates), -np.inf)
    np.minimum.at(lows, block, x)
    np.maximum.at(highs, block, x)
    return (lows + highs) / 2, rates


def person_folds(person, *, n_folds: int, random_state: int) -> np.ndarray:
    """Fold number of each row, with all rows of one person in the same fold."""
    codes, uniques = pd.factorize(pd.Series(person), sort=True)
    shuffled = np.random.default_rng(random_state).permutation(len(uniques))
    return shuffled[codes] % n_folds


def _cross_fitted_score(method, z, y, folds, score) -> float:
    predicted = np.empty_like(z)
    for fold in np.unique(folds):
        held = folds == fold
        predicted[held] = fit_calibrator(method, z[~held], y[~held]).predict(z[held])
    if score == "brier":
        return float(np.mean((predicted - y) ** 2))
    return float(-np.mean(y * np.log(predicted) + (1 - y) * np.log1p(-predicted)))
