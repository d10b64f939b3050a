"""Drift measures for monitoring a scoring batch against a stored training reference.

Pure functions on arrays and frames (nothing else from the library):

- :func:`fixed_bins` chooses cut points once, from the reference (training) values, so no
  later batch can move them; :func:`bin_shares` counts any values into those bins plus a
  separate bin for missing values.
- :func:`population_stability_index` compares two sets of shares:
  ``PSI = sum_i (a_i - e_i) * ln(a_i / e_i)``, with every share floored at ``1e-4`` so an
  empty bin gives a large but finite value (the usual convention).
- :func:`monthly_volume` counts records per source per calendar month;
  :func:`volume_checks` compares recent months with the same calendar month in the
  reference period, so a termly census is not mistaken for a source that stopped.
- :func:`status_of` turns a measure into ``ok`` / ``watch`` / ``alert`` against declared
  thresholds (:data:`THRESHOLDS`).

PSI thresholds 0.1 and 0.25 are the conventional ones from credit scoring (below 0.1 no
material shift; 0.1-0.25 a moderate shift worth watching; above 0.25 a major shift).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import poisson

__all__ = [
    "THRESHOLDS",
    "STATUSES",
    "fixed_bins",
    "bin_shares",
    "population_stability_index",
    "status_of",
    "feature_reference",
    "feature_drift",
    "month_range",
    "monthly_volume",
    "volume_checks",
    "code_checks",
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


def month_range(start, end) -> list[str]:
    """Every calendar month from ``start`` to ``end`` inclusive, as ``YYYY-MM``.

    Examples
    --------
    >>> month_range("2023-11-30", "2024-02-01")
    ['2023-11', '2023-12', '2024-01', '2024-02']
    """
    return [f"{p}" for p in pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="M")]


def monthly_volume(dates: Mapping[str, pd.Series], months) -> pd.DataFrame:
    """Records per source in each of ``months`` (zero where none).

    Parameters
    ----------
    dates : dict of str to Series
        Source name to the record dates of its rows (missing dates are not counted).
    months : list of str
        ``YYYY-MM`` months to count (see :func:`month_range`); records outside are ignored.

    Returns
    -------
    DataFrame
        ``source``, ``month`` and ``records``: one row per source and month.
    """
    months = list(months)
    parts = []
    for source, values in dates.items():
        stamps = pd.to_datetime(pd.Series(values), errors="coerce").dropna()
        counts = stamps.dt.strftime("%Y-%m").value_counts().reindex(months, fill_value=0)
        parts.append(pd.DataFrame({"source": source, "month": months, "records": counts.to_numpy()}))
    if not parts:
        return pd.DataFrame({"source": pd.Series(dtype=str), "month": pd.Series(dtype=str),
                             "records": pd.Series(dtype="int64")})
    return pd.concat(parts, ignore_index=True).astype({"records": "int64"})


def volume_checks(reference: pd.DataFrame, batch: pd.DataFrame, months) -> pd.DataFrame:
    """Each source's records in each of ``months`` against its usual volume for that month.

    The usual volume of a source in a calendar month is its mean over the reference period's
    months of the same name (January with January); a source whose records never fall in that
    calendar month (a termly census) is not expected then. The ratio is batch / usual; a
    low ratio counts only when so few records would arise by chance (Poisson, mean the usual
    volume) with probability below :data:`CHANCE_LEVEL` and the month is lower, as a share of
    usual, than every month of the reference period (records come in clusters, such as
    several assessment factors per assessment, so the reference's own spread is the guard).

    Examples
    --------
    >>> ref = monthly_volume({"cin": pd.Series(pd.to_datetime(["2022-01-05"] * 40 + ["2023-01-09"] * 60))},
    ...                      month_range("2022-01-01", "2023-12-31"))
    >>> now = monthly_volume({"cin": pd.Series(pd.to_datetime(["2024-01-10"] * 10))}, ["2024-01"])
    >>> volume_checks(ref, now, ["2024-01"])[["source", "records", "usual", "status"]].values.tolist()
    [['cin', 10, 50.0, 'alert']]

    Parameters
    ----------
    reference : DataFrame
        :func:`monthly_volume` output over the reference (training) period.
    batch : DataFrame
        :func:`monthly_volume` output covering ``months``.
    months : list of str
        ``YYYY-MM`` months to check.

    Returns
    -------
    DataFrame
        ``source``, ``month``, ``records``, ``usual`` (None when not expected), ``ratio``,
        ``status`` and ``finding`` (plain words naming the source and month).
    """
    usual = _usual_by_calendar_month(reference)
    lowest = _lowest_reference_ratio(reference, usual)
    counts = dict(zip(zip(batch["source"], batch["month"]), batch["records"]))
    rows = []
    for source in sorted(set(reference["source"])):
        for month in months:
            expected = usual.get((source, month[5:]))
            records = int(counts.get((source, month), 0))
            rows.append(_volume_row(source, month, records, expected, lowest.get(source, 0.0)))
    columns = ["source", "month", "records", "usual", "ratio", "status", "finding"]
    return pd.DataFrame(rows, columns=columns)


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


def _usual_by_calendar_month(reference: pd.DataFrame) -> dict:
    if reference.empty:
        return {}
    means = reference.assign(calendar=reference["month"].str[5:]).groupby(["source", "calendar"])["records"].mean()
    return {key: float(mean) for key, mean in means.items() if mean > 0}


def _lowest_reference_ratio(reference: pd.DataFrame, usual: dict) -> dict:
    """Each source's lowest month in the reference period, as a share of its usual volume."""
    expected = [usual.get((s, m[5:])) for s, m in zip(reference["source"], reference["month"])]
    table = reference.assign(expected=pd.array(expected, dtype="Float64")).dropna(subset=["expected"])
    ratios = table["records"] / table["expected"]
    return ratios.groupby(table["source"]).min().astype(float).to_dict()


def _volume_row(source: str, month: str, records: int, expected, lowest: float) -> dict:
    if expected is None:
        status = "ok"
        finding = f"{source}: no records are usually dated in this calendar month."
        return {"source": source, "month": month, "records": records, "usual": None, "ratio": None,
                "status": status, "finding": finding}
    ratio = records / expected if expected else float("nan")
    status = status_of("volume_ratio_low", ratio)
    chance = float(poisson.cdf(records, expected))
    if status != "ok" and (chance >= CHANCE_LEVEL or ratio >= lowest):
        return {"source": source, "month": month, "records": records, "usual": round(expected, 1),
                "ratio": round(ratio, 3), "status": "ok",
                "finding": f"{source}: {records} records dated {month} against a usual {expected:.0f}; the training "
                           "period had months as low, or a shortfall this size happens by chance for a source this small."}
    if records == 0:
        finding = (f"{source}: no records dated {month}, where about {expected:.0f} are usual; the source "
                   "has stopped arriving or its return is late.")
    elif status != "ok":
        finding = (f"{source}: {records} records dated {month}, {ratio:.0%} of the usual {expected:.0f}; "
                   "part of the return may be late or missing.")
    else:
        finding = f"{source}: {records} records dated {month} ({ratio:.0%} of the usual {expected:.0f})."
    return {"source": source, "month": month, "records": records, "usual": round(expected, 1),
            "ratio": round(ratio, 3), "status": status, "finding": finding}


def code_checks(reference: pd.DataFrame, batch: pd.DataFrame) -> pd.DataFrame:
    """Each coded field's mix of codes, overall and per area, against the reference period.

    A code list that changed, or recording practice that shifted in one area (offences
    recorded under another category), moves the shares of codes before it moves any one
    feature. The shares are compared by PSI; a move counts only when a chi-square test of the
    two sets of counts gives a probability below :data:`CHANCE_LEVEL` (divided by the number
    of areas for an area's check, Bonferroni), and both periods hold at least
    :data:`MIN_CODE_RECORDS` records, so a small area's ordinary variation is not reported.

    Parameters
    ----------
    reference, batch : DataFrame
        Counts with columns ``field`` (e.g. ``youth_justice.yjb_category``), ``area``, ``code``
        and ``records``, over the reference period and over the recent period.

    Returns
    -------
    DataFrame
        ``field``, ``area`` (``"all areas"`` for the whole authority), ``psi``, ``p_value``,
        ``status`` and ``finding`` (naming the field, the area and the code that moved most).
    """
    rows = []
    areas = max(int(reference["area"].nunique()), 1) if len(reference) else 1
    for (field_name, area), ref, now in _code_pairs(reference, batch):
        level = CHANCE_LEVEL if area == "all areas" else CHANCE_LEVEL / areas
        rows.append(_code_row(field_name, area, ref, now, level))
    columns = ["field", "area", "psi", "p_value", "status", "finding"]
    return pd.DataFrame(rows, columns=columns)


def _code_pairs(reference: pd.DataFrame, batch: pd.DataFrame):
    def with_total(frame):
        overall = frame.groupby(["field", "code"], as_index=False)["records"].sum().assign(area="all areas")
        return pd.concat([overall, frame], ignore_index=True)

    ref, now = with_total(reference), with_total(batch)
    now_groups = dict(iter(now.groupby(["field", "area"])))
    for key, part in ref.groupby(["field", "area"]):
        yield key, part.groupby("code")["records"].sum(), now_groups.get(key, now.iloc[:0]).groupby("code")["records"].sum()


def _code_row(field_name: str, area: str, ref: pd.Series, now: pd.Series, level: float) -> dict:
    from scipy.stats import chi2_contingency

    codes = sorted(set(ref.index) | set(now.index))
    e = ref.reindex(codes, fill_value=0).to_numpy(dtype=float)
    a = now.reindex(codes, fill_value=0).to_numpy(dtype=float)
    if a.sum() < MIN_CODE_RECORDS or e.sum() < MIN_CODE_RECORDS or len(codes) < 2:
        return {"field": field_name, "area": area, "psi": None, "p_value": None, "status": "ok",
                "finding": f"{field_name} in {area}: too few records to compare (fewer than {MIN_CODE_RECORDS})."}
    psi = population_stability_index(e / e.sum(), a / a.sum())
    table = np.vstack([e, a])
    p_value = float(chi2_contingency(table[:, table.sum(axis=0) > 0])[1])
    status = status_of("psi", psi) if p_value < level else "ok"
    change = a / a.sum() - e / e.sum()
    words = [f"code {codes[i]} {verb} from {e[i] / e.sum():.1%} of records in training to {a[i] / a.sum():.1%} recently"
             for i, verb in ((int(np.argmin(change)), "fell"), (int(np.argmax(change)), "rose")) if change[i] != 0]
    finding = f"{field_name} in {area}: {'; '.join(words) or 'no change'} (PSI {psi:.3f}, chi-square p {p_value:.3g})."
    return {"field": field_name, "area": area, "psi": psi, "p_value": p_value, "status": status, "finding": finding}
