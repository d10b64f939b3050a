"""Missing and away-without-authorisation episodes of looked-after children.

An episode counts from its start date.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from ._base import Clock, People, Records, Trace, count, decoder, in_codes, within

SOURCES = ("cla_missing",)


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    return {
        "cla_missing": Records.from_table(
            tables["cla_missing"],
            people,
            dates=("start",),
            values={
                "missing": lambda t: in_codes(t["missing_type"], ("M",)),
                "away": lambda t: in_codes(t["missing_type"], ("A",)),
            },
        )
    }


def _episodes(kind: str | None, months: int):
    if kind is None:
        return lambda r, clock: within(r["start"], clock, months)
    return lambda r, clock: r[kind] & within(r["start"], clock, months)


SELECT = {
    "missing_episodes_12m": _episodes("missing", 12),
    "away_episodes_12m": _episodes("away", 12),
    "missing_or_away_3m": _episodes(None, 3),
}


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    r = prepared["cla_missing"]
    return {name: count(r, select(r, clock), people.n) for name, select in SELECT.items()}


TRACES = {
    name: Trace(
        table="cla_missing",
        select=select,
        date="start",
        code="missing_type",
        decode=decoder(_codes.MISSING_TYPE),
    )
    for name, select in SELECT.items()
}

NAMES = tuple(SELECT)
