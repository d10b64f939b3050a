"""Drift measures for monitoring a scoring batch against a stored training reference.

Pure functions on arrays and frames (nothing else from the library):

- :func:`fixed_bins` chooses cut points once, from the reference (training) values, so no
  later batch can move them; :func:`bin_shares` counts any values into those bins plus a
  separate bin for missing values.
- :func:`population_stability_index` compares two sets of shares:
  ``PSI = sum_i (a_i - e_i) * ln(a_i / e_i)``, with every share floored at ``1e-4`` so an
  empty bin gives a large but finite value (the usual convention).
- record volumes and the code mix are checked in :mod:`evaluation._arrivals`.
- :func:`status_of` turns a measure into ``ok`` / ``watch`` / ``alert`` against declared
  thresholds (:data:`THRESHOLDS`).

PSI thresholds 0.1 and 0.25 are the conventional ones from credit scoring (below 0.1 no
material shift; 0.1-0.25 a moderate shift worth watching; above 0.25 a major shift).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = [
    "THRESHOLDS",
    "STATUSES",
    "fixed_bins",
    "bin_shares",
    "population_stability_index",
    "status_of",
    "feature_reference",
    "feature_drift",
    "worst_status",
]

STATUSES = ("ok", "watch", "alert")
SHARE_FLOOR = 1e-4
#: Declared thresholds: (watch at or above, alert at or above) for rising measures, and
#: (watch below, alert below) for the volume ratio.
THRESHOLDS = {
    "psi": (0.10, 0.25),
    "missing_share_increase": (0.05, 0.10),
    "volume_ratio_low": (0.75, 0.50),
}
#: A low month counts only when so few records would arise by chance less often than this
#: (Poisson with the usual volume as its mean), so a small source's ordinary variation is
#: not reported as a late return.
CHANCE_LEVEL = 0.01
MIN_CODE_RECORDS = 30


def fixed_bins(values, *, n_bins: int = 10) -> list[float]:
    """Cut points for up to ``n_bins`` bins of roughly equal reference counts.

    Bins are ``(-inf, c0], (c0, c1], ..., (c_last, inf)``; missing values are counted apart.
    A discrete feature (a count that is mostly 0) gets fewer, wider bins because repeated
    quantiles collapse to one cut.

    Parameters
    ----------
    values : array-like
        Reference values; missing values are ignored.
    n_bins : int, default=10

    Returns
    -------
    list of float
        Sorted, distinct cut points (possibly empty: one bin holds every value).

    Examples
    --------
    >>> fixed_bins([0, 0, 0, 0, 1, 1, 2, 5], n_bins=4)
    [0.0, 1.0]
    """
    if not isinstance(n_bins, int) or n_bins < 2:
        raise ValueError(f"The 'n_bins' option must be a whole number of at least 2; got {n_bins!r}.")
    v = _finite(values)
    if v.size == 0:
        return []
    cuts = np.unique(np.quantile(v, np.linspace(0, 1, n_bins + 1)[1:-1], method="inverted_cdf"))
    return [float(c) for c in cuts if c < v.max()]


def bin_shares(values, cuts) -> np.ndarray:
    """Share of ``values`` in each bin of ``cuts``, then the missing share, summing to 1.

    Returns
    -------
    ndarray of shape (len(cuts) + 2,)
        Zeros when there are no values.
    """
    x = np.asarray(values, dtype=float)
    missing = ~np.isfinite(x)
    index = np.searchsorted(np.asarray(cuts, dtype=float), x[~missing], side="left")
    counts = np.bincount(index, minlength=len(cuts) + 1).astype(float)
    counts = np.append(counts, missing.sum())
    return counts / counts.sum() if counts.sum() else counts


def population_stability_index(expected, actual) -> float:
    """PSI between reference shares ``expected`` and batch shares ``actual``.

    Examples
    --------
    >>> population_stability_index([0.5, 0.5], [0.5, 0.5])
    0.0
    >>> round(population_stability_index([0.5, 0.5], [0.9, 0.1]), 3)
    0.879
    """
    e = np.clip(np.asarray(expected, dtype=float), SHARE_FLOOR, None)
    a = np.clip(np.asarray(actual, dtype=float), SHARE_FLOOR, None)
    if e.shape != a.shape:
        raise ValueError(f"PSI needs shares over the same bins; got {e.size} and {a.size} bins.")
    return float(np.sum((a - e) * np.log(a / e)))


def status_of(measure: str, value) -> str:
    """``ok``, ``watch`` or ``alert`` for one measure under :data:`THRESHOLDS`.

    A missing value (no reference to compare with) is ``ok``: the report says why.

    Examples
    --------
    >>> status_of("psi", 0.05), status_of("psi", 0.1), status_of("psi", 0.3)
    ('ok', 'watch', 'alert')
    >>> status_of("volume_ratio_low", 0.4)
    'alert'
    """
    if measure not in THRESHOLDS:
        raise ValueError(f"Unknown drift measure {measure!r}; known: {', '.join(THRESHOLDS)}.")
    if value is None or not np.isfinite(value):
        return "ok"
    watch, alert = THRESHOLDS[measure]
    if measure == "volume_ratio_low":
        return "alert" if value < alert else "watch" if value < watch else "ok"
    return "alert" if value >= alert else "watch" if value >= watch else "ok"


def worst_status(statuses) -> str:
    """The most serious of several statuses (``ok`` for none)."""
    ranks = [STATUSES.index(s) for s in statuses]
    return STATUSES[max(ranks)] if ranks else "ok"


def feature_reference(frame: pd.DataFrame, columns, *, n_bins: int = 10) -> dict:
    """Fixed bins, shares and missing share of each column: the stored training reference.

    Returns
    -------
    dict
        ``{column: {"cuts": [...], "shares": [...], "missing_share": float}}``, JSON-ready.
    """
    reference = {}
    for column in columns:
        values = frame[column].to_numpy(dtype="float64", na_value=np.nan)
        cuts = fixed_bins(values, n_bins=n_bins)
        shares = bin_shares(values, cuts)
        reference[column] = {"cuts": cuts, "shares": shares.round(6).tolist(), "missing_share": float(shares[-1])}
    return reference


def feature_drift(reference: Mapping, frame: pd.DataFrame) -> pd.DataFrame:
    """PSI and missing share of each referenced column of ``frame`` against ``reference``.

    Returns
    -------
    DataFrame
        One row per column: ``feature``, ``psi``, ``psi_status``, ``missing_share_reference``,
        ``missing_share_batch``, ``missing_status``, ``status`` (the worse of the two) and
        ``largest_shift`` (the bin whose share moved most, in words), sorted by PSI.
    """
    missing = [c for c in reference if c not in frame.columns]
    if missing:
        raise ValueError(
            f"The batch lacks {len(missing)} column(s) the reference describes: {', '.join(missing)}. "
            "Build the batch's features with the model's feature registry."
        )
    rows = [_drift_row(column, entry, frame[column].to_numpy(dtype="float64", na_value=np.nan))
            for column, entry in reference.items()]
    columns = ["feature", "psi", "psi_status", "missing_share_reference", "missing_share_batch",
               "missing_status", "status", "largest_shift"]
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values("psi", ascending=False, kind="stable").reset_index(drop=True)


# --- helpers ---------------------------------------------------------------------------


def _finite(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[np.isfinite(v)]


def _drift_row(column: str, entry: Mapping, values: np.ndarray) -> dict:
    expected = np.asarray(entry["shares"], dtype=float)
    actual = bin_shares(values, entry["cuts"])
    psi = population_stability_index(expected, actual) if len(values) else float("nan")
    missing_ref, missing_now = float(entry["missing_share"]), float(actual[-1]) if len(values) else float("nan")
    psi_status = status_of("psi", psi)
    missing_status = status_of("missing_share_increase", missing_now - missing_ref)
    return {"feature": column, "psi": psi, "psi_status": psi_status,
            "missing_share_reference": missing_ref, "missing_share_batch": missing_now,
            "missing_status": missing_status, "status": worst_status([psi_status, missing_status]),
            "largest_shift": _largest_shift(entry["cuts"], expected, actual)}


def _largest_shift(cuts, expected: np.ndarray, actual: np.ndarray) -> str:
    if actual.sum() == 0:
        return "no rows in the batch"
    i = int(np.argmax(np.abs(actual - expected)))
    return f"{_bin_words(cuts, i)}: {expected[i]:.1%} in training, {actual[i]:.1%} now"


def _bin_words(cuts, i: int) -> str:
    if i == len(cuts) + 1:
        return "missing"
    if not cuts:
        return "all values"
    if i == 0:
        return f"at most {cuts[0]:g}"
    if i == len(cuts):
        return f"above {cuts[-1]:g}"
    return f"above {cuts[i - 1]:g} up to {cuts[i]:g}"
