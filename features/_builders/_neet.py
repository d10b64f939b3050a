"""Not in education, employment or training (NCCIS), for young people aged 16 and over.

Only the NEET codes of young people available for education, employment or training
count as NEET (``_codes.NEET_AVAILABLE_ACTIVITY``: 540 and 610-619); the "not available"
codes 620-680 (young carer, teenage parent, illness, pregnancy, ...) do not, so caring,
parenthood or illness never raises a score through these features.

A monthly snapshot is known at its ``month_end``. Under 16, or with no snapshot in the
window, the values are NaN: the young person is not tracked, which is not the same as
never NEET.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from ._base import Clock, People, Records, Trace, count, decoder, in_codes, latest, within

SOURCES = ("nccis_activity",)
TRACKED_FROM_AGE = 16
NOW_MONTHS = 3


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    return {
        "nccis_activity": Records.from_table(
            tables["nccis_activity"],
            people,
            dates=("month_end",),
            values={
                "neet": lambda t: _neet_available(t["activity_code"]),
                "not_known": lambda t: in_codes(t["activity_group"], ("NOT_KNOWN",)),
            },
        )
    }


def _neet_available(codes: pd.Series) -> np.ndarray:
    """True where the activity code is one of the counted NEET codes."""
    numbers = pd.to_numeric(codes, errors="coerce")
    return numbers.isin(_codes.NEET_AVAILABLE_ACTIVITY).to_numpy(bool)


def _group(name: str | None, months: int):
    if name is None:
        return lambda r, clock: within(r["month_end"], clock, months)
    return lambda r, clock: r[name] & within(r["month_end"], clock, months)


def _latest_snapshot(r: Records, clock: Clock) -> np.ndarray:
    return within(r["month_end"], clock, NOW_MONTHS)


SELECT = {
    "neet_months_12m": _group("neet", 12),
    "not_known_months_12m": _group("not_known", 12),
    "neet_now": _latest_snapshot,
}


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    r, n = prepared["nccis_activity"], people.n
    tracked = count(r, _group(None, 12)(r, clock), n) > 0
    too_young = people.age_months(clock) < TRACKED_FROM_AGE * 12
    recent = _latest_snapshot(r, clock)
    # latest snapshot's state: encode month_end * 2 + (NEET or not known), take the max
    state = r["month_end"].astype(np.float64) * 2 + (r["neet"] | r["not_known"])
    last = latest(r, state, recent, n)
    values = {
        "neet_months_12m": np.where(tracked, count(r, SELECT["neet_months_12m"](r, clock), n), np.nan),
        "not_known_months_12m": np.where(tracked, count(r, SELECT["not_known_months_12m"](r, clock), n), np.nan),
        "neet_now": np.where(np.isnan(last), np.nan, np.mod(last, 2)),
    }
    return {name: np.where(too_young, np.nan, value) for name, value in values.items()}


TRACES = {
    name: Trace(
        table="nccis_activity",
        select=select,
        date="month_end",
        code="activity_code",
        decode=decoder(_codes.NCCIS_ACTIVITY),
        pick="latest" if name == "neet_now" else "all",
    )
    for name, select in SELECT.items()
}

NAMES = tuple(SELECT)
