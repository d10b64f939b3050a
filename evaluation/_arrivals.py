"""Record volumes and code mix: is each source arriving, and coded as it was?

Pure functions on frames (nothing else from the library), beside :mod:`evaluation._drift`:

- :func:`monthly_volume` counts records per source per calendar month;
  :func:`volume_checks` compares recent months with the same calendar month in the
  reference period, so a termly census is not mistaken for a source that stopped;
- :func:`code_checks` compares the mix of codes in a coded field, for the whole authority
  and for each area, so a changed code list or one area's changed recording practice is
  named with its area and code.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.stats import poisson

from ._drift import CHANCE_LEVEL, MIN_CODE_RECORDS, population_stability_index, status_of

__all__ = ["month_range", "monthly_volume", "volume_checks", "code_checks"]


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
