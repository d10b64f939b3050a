"""Dates as whole days since 1970-01-01: construction, random draws and formatting.

The generator keeps every date as an ``int64`` day number so that arithmetic is plain
integer arithmetic on numpy arrays; only the writers turn them into text.
"""

from __future__ import annotations

import numpy as np

_EPOCH = np.datetime64("1970-01-01", "D")


def day(text):
    """Day number of an ISO date string (``"2017-04-01"``) or ``datetime64``."""
    return int((np.datetime64(text, "D") - _EPOCH).astype(np.int64))


def days_of(year, month, dom):
    """Day numbers of whole arrays of years, months and days of the month."""
    year = np.asarray(year, dtype=np.int64)
    month = np.asarray(month, dtype=np.int64)
    months = (year - 1970) * 12 + (month - 1)
    first = months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    return first + np.asarray(dom, dtype=np.int64) - 1


def year_month_day(days):
    """Split day numbers into (year, month, day-of-month) integer arrays."""
    d = np.asarray(days, dtype=np.int64).astype("datetime64[D]")
    months = d.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    dom = (d - months.astype("datetime64[D]")).astype(np.int64) + 1
    return year, month, dom


def add_years(days, years):
    """Same calendar date ``years`` later (29 February becomes 1 March)."""
    y, m, d = year_month_day(days)
    feb29 = (m == 2) & (d == 29)
    return days_of(y + years, np.where(feb29, 3, m), np.where(feb29, 1, d))


def weekday(days):
    """Day of the week, Monday 0 to Sunday 6."""
    return (np.asarray(days, dtype=np.int64) + 3) % 7


def next_weekday(days):
    """Move Saturdays and Sundays forward to the following Monday."""
    wd = weekday(days)
    return np.asarray(days, dtype=np.int64) + np.where(wd >= 5, 7 - wd, 0)


def iso(days, *, mask=None):
    """Format day numbers as ``YYYY-MM-DD``; entries where ``mask`` is False are blank."""
    text = np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), unit="D")
    return _blank(text.astype(object), mask)


def dmy(days, *, mask=None):
    """Format day numbers as ``DD/MM/YYYY``; entries where ``mask`` is False are blank."""
    text = np.datetime_as_string(np.asarray(days, dtype=np.int64).astype("datetime64[D]"), unit="D")
    text = np.asarray(text, dtype="U10")
    out = np.strings.add(np.strings.add(np.strings.slice(text, 8, 10), "/"),
                         np.strings.add(np.strings.slice(text, 5, 7), "/"))
    out = np.strings.add(out, np.strings.slice(text, 0, 4))
    return _blank(out.astype(object), mask)


def _blank(values, mask):
    if mask is not None:
        values[~np.asarray(mask, dtype=bool)] = ""
    return values
