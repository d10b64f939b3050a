"""Looked after (SSDA903): in care now or recently, placement moves, residential or
secure placements, remand, and substance misuse noted in the annual OC2 return.

Episodes count from their start (``decom``) and end (``dec``) dates: the authority's
case system holds them live. An end date after the as-of date is not yet known, so the
episode is still open then. The OC2 outcomes are a return for the year to 31 March and
count only from that ``year_end``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from ._base import (
    Clock, People, Records, Trace, count, decoder, flag, in_codes, open_at, overlaps, within,
)

SOURCES = ("cla_episodes", "cla_oc2")
PLACEMENT_CHANGES = ("P", "T", "B", "U")


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    episodes = Records.from_table(
        tables["cla_episodes"],
        people,
        dates=("decom", "dec"),
        values={
            "move": lambda t: in_codes(t["rne"], PLACEMENT_CHANGES),
            "residential": lambda t: in_codes(t["place"], _codes.RESIDENTIAL_OR_SECURE_PLACEMENTS),
            "remand": lambda t: in_codes(t["legal_status"], _codes.REMAND_LEGAL_STATUS),
        },
    )
    oc2 = Records.from_table(
        tables["cla_oc2"],
        people,
        dates=("year_end",),
        values={"substance": lambda t: t["substance_misuse"].astype("boolean").fillna(False).to_numpy(bool)},
    )
    return {"cla_episodes": episodes, "cla_oc2": oc2}


def _now(r: Records, clock: Clock) -> np.ndarray:
    return open_at(r["decom"], r["dec"], clock)


def _in_window(months: int, column: str | None = None):
    def select(r: Records, clock: Clock) -> np.ndarray:
        mask = overlaps(r["decom"], r["dec"], clock, months)
        return mask if column is None else mask & r[column]

    return select


SELECT = {
    "looked_after_now": ("cla_episodes", _now),
    "looked_after_past_24m": ("cla_episodes", _in_window(24)),
    "placement_moves_12m": ("cla_episodes", lambda r, clock: r["move"] & within(r["decom"], clock, 12)),
    "residential_placement_12m": ("cla_episodes", _in_window(12, "residential")),
    "remand_12m": ("cla_episodes", _in_window(12, "remand")),
    "substance_misuse_oc2_24m": ("cla_oc2", lambda r, clock: r["substance"] & within(r["year_end"], clock, 24)),
}


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    out = {}
    for name, (table, select) in SELECT.items():
        r = prepared[table]
        reduce = count if name == "placement_moves_12m" else flag
        out[name] = reduce(r, select(r, clock), people.n)
    out["looked_after_past_24m"] = np.where(out["looked_after_now"] > 0, 0.0, out["looked_after_past_24m"])
    return out


def _episode_detail(rows: pd.DataFrame) -> pd.Series:
    place = rows["place"].map(decoder(_codes.PLACEMENT))
    return "placement: " + place.astype("string") + "; start reason: " + rows["rne"].map(decoder(_codes.RNE))


TRACES = {
    name: (
        Trace(
            table="cla_oc2",
            select=select,
            date="year_end",
            detail=lambda rows: pd.Series("substance misuse noted in the year's OC2 return", index=rows.index),
        )
        if table == "cla_oc2"
        else Trace(
            table=table,
            select=select,
            date="decom",
            code="legal_status",
            decode=decoder(_codes.LEGAL_STATUS),
            detail=_episode_detail,
        )
    )
    for name, (table, select) in SELECT.items()
}

NAMES = tuple(SELECT)
