"""Alternative provision: a placement now and in the last 12 months.

The AP census records placements once a year, so a placement is known only from the
``census_date`` of the census that holds it. A placement counts as current only if a
census in the last 13 months shows it open (an older open placement may have ended
without a later census saying so).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from ._base import Clock, People, Records, Trace, decoder, flag, open_at, overlaps, within

SOURCES = ("ap_placements",)
CURRENT_CENSUS_MONTHS = 13


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    return {
        "ap_placements": Records.from_table(
            tables["ap_placements"],
            people,
            dates=("census_date", "entry_date", "leaving_date"),
        )
    }


def _known(r: Records, clock: Clock) -> np.ndarray:
    return r["census_date"] <= clock.day


def _now(r: Records, clock: Clock) -> np.ndarray:
    current = within(r["census_date"], clock, CURRENT_CENSUS_MONTHS)
    return current & open_at(r["entry_date"], r["leaving_date"], clock)


def _last_year(r: Records, clock: Clock) -> np.ndarray:
    return _known(r, clock) & overlaps(r["entry_date"], r["leaving_date"], clock, 12)


SELECT = {"ap_now": _now, "ap_12m": _last_year}


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    r, n = prepared["ap_placements"], people.n
    return {name: flag(r, select(r, clock), n) for name, select in SELECT.items()}


def _detail(rows: pd.DataFrame) -> pd.Series:
    return rows["setting_type"].map(decoder(_codes.AP_SETTING_TYPE))


TRACES = {
    name: Trace(
        table="ap_placements",
        select=select,
        date="entry_date",
        code="primary_reason",
        decode=decoder(_codes.AP_PRIMARY_REASON),
        detail=_detail,
    )
    for name, select in SELECT.items()
}

NAMES = tuple(SELECT)
