"""The one module that imports ``shap``: reference SHAP values for the tests and benchmarks.

Scoring computes exact tree SHAP itself (:mod:`riskmodel._treeshap`, equal to LightGBM's
``Booster.predict(..., pred_contrib=True)``), which needs no extra dependency and is fast.
The ``shap`` library's ``TreeExplainer`` computes the same quantity independently; tests
use it to verify both and the benchmark to time it.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd


def tree_shap_values(booster, X: pd.DataFrame | np.ndarray) -> tuple[np.ndarray, float]:
    """Exact tree SHAP values of a LightGBM booster in log-odds, by ``shap.TreeExplainer``.

    Parameters
    ----------
    booster : lightgbm.Booster
        A binary-objective booster.
    X : DataFrame or ndarray of shape (n_samples, n_features)
        Feature values in the booster's column order.

    Returns
    -------
    values : ndarray of shape (n_samples, n_features)
        SHAP value of each feature for each row, in raw (log-odds) units.
    base : float
        The explainer's expected value; ``values.sum(axis=1) + base`` is the raw output.
    """
    matrix = X.to_numpy(dtype="float64", na_value=np.nan) if isinstance(X, pd.DataFrame) else np.asarray(X, float)
    with warnings.catch_warnings():
        # shap's import and its note on LightGBM output shapes are not for our users.
        warnings.simplefilter("ignore")
        import shap

        explainer = shap.TreeExplainer(booster)
        values = explainer.shap_values(matrix, check_additivity=False)
    base = explainer.expected_value
    if isinstance(values, list):
        values, base = values[-1], np.ravel(base)[-1]
    return np.asarray(values, dtype=float), float(np.ravel(base)[-1])


def max_difference_from_lightgbm(booster, X: pd.DataFrame | np.ndarray) -> float:
    """Largest absolute gap between ``shap.TreeExplainer`` and LightGBM's ``pred_contrib``.

    Both the per-feature values and the base value are compared.
    """
    matrix = X.to_numpy(dtype="float64", na_value=np.nan) if isinstance(X, pd.DataFrame) else np.asarray(X, float)
    lightgbm_values = booster.predict(matrix, pred_contrib=True)
    values, base = tree_shap_values(booster, matrix)
    gaps = np.abs(lightgbm_values[:, :-1] - values)
    return float(max(gaps.max(initial=0.0), np.abs(lightgbm_values[:, -1] - base).max(initial=0.0)))
