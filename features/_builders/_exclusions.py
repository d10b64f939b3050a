"""School exclusions: suspensions, sessions lost, violent and weapon reasons, permanent exclusion.

An exclusion counts from its start date: the school records it when it happens.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from ._base import (
    Clock, People, Records, Trace, count, decoder, flag, has_code, in_codes, latest, within,
)

SOURCES = ("exclusions",)


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    table = tables["exclusions"]
    return {
        "exclusions": Records.from_table(
            table,
            people,
            dates=("start_date",),
            values={
                "suspension": lambda t: in_codes(t["category"], ("SUSP",)),
                "permanent": lambda t: in_codes(t["category"], ("PERM",)),
                "violent": lambda t: has_code(t["reasons"], _codes.VIOLENCE_EXCLUSION_REASONS),
                "weapon": lambda t: has_code(t["reasons"], _codes.WEAPON_EXCLUSION_REASONS),
                "sessions": lambda t: pd.to_numeric(t["sessions"], errors="coerce").fillna(0).to_numpy(float),
            },
        )
    }


def _suspensions(months: int):
    return lambda r, clock: r["suspension"] & within(r["start_date"], clock, months)


def _with_reason(reason: str, months: int):
    return lambda r, clock: (r["suspension"] | r["permanent"]) & r[reason] & within(r["start_date"], clock, months)


def _permanent(months: int | None):
    if months is None:
        return lambda r, clock: r["permanent"] & (r["start_date"] <= clock.day)
    return lambda r, clock: r["permanent"] & within(r["start_date"], clock, months)


SELECT = {
    "suspensions_3m": _suspensions(3),
    "suspensions_12m": _suspensions(12),
    "suspension_sessions_12m": _suspensions(12),
    "violent_exclusions_24m": _with_reason("violent", 24),
    "weapon_exclusions_24m": _with_reason("weapon", 24),
    "permanent_exclusion_24m": _permanent(24),
    "days_since_permanent_exclusion": _permanent(None),
}


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    r, n = prepared["exclusions"], people.n
    mask = {name: select(r, clock) for name, select in SELECT.items()}
    last_permanent = latest(r, r["start_date"], mask["days_since_permanent_exclusion"], n)
    return {
        "suspensions_3m": count(r, mask["suspensions_3m"], n),
        "suspensions_12m": count(r, mask["suspensions_12m"], n),
        "suspension_sessions_12m": count(r, mask["suspension_sessions_12m"], n, r["sessions"]),
        "violent_exclusions_24m": count(r, mask["violent_exclusions_24m"], n),
        "weapon_exclusions_24m": count(r, mask["weapon_exclusions_24m"], n),
        "permanent_exclusion_24m": flag(r, mask["permanent_exclusion_24m"], n),
        "days_since_permanent_exclusion": clock.day - last_permanent,
    }


def _detail(rows: pd.DataFrame) -> pd.Series:
    category = rows["category"].map(decoder(_codes.EXCLUSION_CATEGORY))
    sessions = pd.to_numeric(rows["sessions"], errors="coerce")
    lost = sessions.map(lambda s: "" if pd.isna(s) else f", {s:g} sessions")
    return category + lost


TRACES = {
    name: Trace(
        table="exclusions",
        select=select,
        date="start_date",
        code="reasons",
        decode=decoder(_codes.EXCLUSION_REASON, many=True),
        detail=_detail,
        pick="latest" if name.startswith("days_since") else "all",
    )
    for name, select in SELECT.items()
}

NAMES = tuple(SELECT)
