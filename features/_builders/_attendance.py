"""Attendance over the terms that ended in the last 12 months.

A term's attendance is known only once the term has ended, so a term counts from its
``term_end``. A child with no such term (not in the school census) has no attendance:
every attendance feature is NaN for them, never perfect attendance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from ._base import Clock, People, Records, Trace, count, decoder, within

SOURCES = ("attendance",)
PERSISTENT_ABSENCE = 0.10
SEVERE_ABSENCE = 0.50


def _number(column: str):
    return lambda t: pd.to_numeric(t[column], errors="coerce").fillna(0).to_numpy(float)


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    return {
        "attendance": Records.from_table(
            tables["attendance"],
            people,
            dates=("term_end",),
            values={
                "possible": _number("sessions_possible"),
                "authorised": _number("sessions_authorised"),
                "unauthorised": _number("sessions_unauthorised"),
            },
        )
    }


def _last_year(r: Records, clock: Clock) -> np.ndarray:
    return within(r["term_end"], clock, 12)


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    r, n = prepared["attendance"], people.n
    mask = _last_year(r, clock)
    possible = count(r, mask, n, r["possible"])
    absent = count(r, mask, n, r["authorised"] + r["unauthorised"])
    unauthorised = count(r, mask, n, r["unauthorised"])
    with np.errstate(divide="ignore", invalid="ignore"):
        absence = np.where(possible > 0, absent / possible, np.nan)
        unauthorised_rate = np.where(possible > 0, unauthorised / possible, np.nan)
    return {
        "attendance_rate_12m": 1.0 - absence,
        "unauthorised_absence_rate_12m": unauthorised_rate,
        "persistent_absence_12m": _threshold(absence, PERSISTENT_ABSENCE),
        "severe_absence_12m": _threshold(absence, SEVERE_ABSENCE),
    }


def _threshold(rate: np.ndarray, cut: float) -> np.ndarray:
    return np.where(np.isnan(rate), np.nan, (rate >= cut).astype(np.float64))


def _detail(rows: pd.DataFrame) -> pd.Series:
    possible = pd.to_numeric(rows["sessions_possible"], errors="coerce")
    absent = pd.to_numeric(rows["sessions_authorised"], errors="coerce") + pd.to_numeric(
        rows["sessions_unauthorised"], errors="coerce"
    )
    unauthorised = pd.to_numeric(rows["sessions_unauthorised"], errors="coerce")
    return (
        "academic year " + _academic_year(rows["academic_year"]) + ": absent "
        + absent.astype("string") + " of " + possible.astype("string")
        + " sessions (" + unauthorised.astype("string") + " unauthorised)"
    )


TRACES = {
    name: Trace(
        table="attendance",
        select=_last_year,
        date="term_end",
        code="term",
        decode=decoder(_codes.TERMS),
        detail=_detail,
    )
    for name in (
        "attendance_rate_12m",
        "unauthorised_absence_rate_12m",
        "persistent_absence_12m",
        "severe_absence_12m",
    )
}

NAMES = tuple(TRACES)


def _academic_year(start: pd.Series) -> pd.Series:
    """``2023`` -> ``"2023/24"``."""
    year = pd.to_numeric(start, errors="coerce").astype("Int64")
    return year.astype("string") + "/" + ((year + 1) % 100).astype("string").str.zfill(2)
