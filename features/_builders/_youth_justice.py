"""Youth justice: prior offences, violence, weapons and knives, outcomes, recency and onset.

An offence counts only once the youth justice service has recorded it
(``recorded_date``), even though its window position is its ``offence_date``: on the
as-of date nobody yet knows of an offence recorded later. Where ``recorded_date`` is
blank, the offence counts from its first outcome date, else from its offence date (see
:func:`known_from`). An outcome counts from its ``outcome_date``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from ._base import Clock, People, Records, Trace, count, decoder, earliest, in_codes, latest

SOURCES = ("yj_offences", "yj_outcomes")
VIOLENCE_CATEGORIES = ("VAP", "ROB")
# Home Office possession-of-weapons classes (firearms with intent, firearms, other
# weapons, article with blade or point). 8M is racially or religiously aggravated
# harassment and is not a weapon class.
WEAPON_CLASSES = ("10A", "10B", "10C", "10D")


def known_from(offences: pd.DataFrame, outcomes: pd.DataFrame) -> pd.Series:
    """When each offence became known: its ``recorded_date``; where that is blank, the
    first outcome date of the offence (the service knew it by then); else its
    ``offence_date``. Never before the offence itself."""
    key = offences["person_id"].astype("string") + "|" + offences["offence_ref"].astype("string")
    outcome_key = outcomes["person_id"].astype("string") + "|" + outcomes["offence_ref"].astype("string")
    first_outcome = pd.to_datetime(outcomes["outcome_date"]).groupby(outcome_key.to_numpy()).min()
    offence_date = pd.to_datetime(offences["offence_date"])
    fallback = pd.Series(key.map(first_outcome).to_numpy(), index=offences.index).fillna(offence_date)
    fallback = fallback.where(fallback >= offence_date, offence_date)
    return pd.to_datetime(offences["recorded_date"]).fillna(fallback)


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    table = tables["yj_offences"]
    if table["recorded_date"].isna().any():
        table = table.assign(recorded_date=known_from(table, tables["yj_outcomes"]))
    offences = Records.from_table(
        table,
        people,
        dates=("offence_date", "recorded_date"),
        values={
            "violent": lambda t: in_codes(t["yjb_category"], VIOLENCE_CATEGORIES),
            "weapon": lambda t: (
                in_codes(t["ho_class"], WEAPON_CLASSES)
                | in_codes(t["yjb_category"], ("WEAP",))
                | t["knife_flag"].astype("boolean").fillna(False).to_numpy(bool)
            ),
        },
    )
    outcomes = Records.from_table(
        tables["yj_outcomes"],
        people,
        dates=("outcome_date",),
        values={"tier_rank": lambda t: pd.to_numeric(t["tier_rank"], errors="coerce").fillna(0).to_numpy(float)},
    )
    return {"yj_offences": offences, "yj_outcomes": outcomes}


def _known(r: Records, clock: Clock) -> np.ndarray:
    return (r["recorded_date"] <= clock.day) & (r["offence_date"] <= clock.day)


def _offences(months: int, column: str | None = None):
    def select(r: Records, clock: Clock) -> np.ndarray:
        mask = _known(r, clock) & (r["offence_date"] > clock.since(months))
        return mask if column is None else mask & r[column]

    return select


def _outcomes(r: Records, clock: Clock) -> np.ndarray:
    return (r["outcome_date"] <= clock.day) & (r["outcome_date"] > clock.since(24))


SELECT = {
    "offences_12m": ("yj_offences", _offences(12)),
    "offences_24m": ("yj_offences", _offences(24)),
    "violent_offences_24m": ("yj_offences", _offences(24, "violent")),
    "weapon_or_knife_offences_24m": ("yj_offences", _offences(24, "weapon")),
    "max_outcome_tier_24m": ("yj_outcomes", _outcomes),
    "days_since_last_offence": ("yj_offences", _known),
    "age_at_first_offence": ("yj_offences", _known),
}


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    offences, outcomes, n = prepared["yj_offences"], prepared["yj_outcomes"], people.n
    out = {
        name: count(offences, select(offences, clock), n)
        for name, (table, select) in SELECT.items()
        if name.startswith(("offences", "violent", "weapon"))
    }
    tier = latest(outcomes, outcomes["tier_rank"], _outcomes(outcomes, clock), n)
    out["max_outcome_tier_24m"] = np.nan_to_num(tier, nan=0.0)
    known = _known(offences, clock)
    out["days_since_last_offence"] = clock.day - latest(offences, offences["offence_date"], known, n)
    first = earliest(offences, offences["offence_date"], known, n)
    out["age_at_first_offence"] = _age_at(first, people)
    return out


def _age_at(days: np.ndarray, people: People) -> np.ndarray:
    """Age in years (to the month) on the given day numbers; NaN stays NaN."""
    safe = np.where(np.isnan(days), 0, days).astype("int64").astype("datetime64[D]")
    months = safe.astype("datetime64[M]").astype(np.int64)  # months since 1970-01
    born = (people.birth_year - 1970) * 12 + (people.birth_month - 1)
    return np.where(np.isnan(days), np.nan, (months - born) / 12.0)


def _offence_detail(rows: pd.DataFrame) -> pd.Series:
    category = rows["yjb_category"].map(decoder(_codes.YJB_CATEGORY))
    flag = rows["knife_flag"].astype("boolean")
    knife = pd.Series(np.where(flag.isna(), "; knife flag not recorded",
                               np.where(flag.fillna(False), "; knife flagged", "")), index=rows.index)
    return category.astype("string") + knife.astype("string")


def _outcome_detail(rows: pd.DataFrame) -> pd.Series:
    return rows["tier"].astype("string").str.lower().str.replace("_", "-") + " outcome"


TRACES = {
    name: (
        Trace(
            table=table,
            select=select,
            date="outcome_date",
            code="outcome_type",
            decode=decoder(_codes.OUTCOME_TYPE),
            detail=_outcome_detail,
        )
        if table == "yj_outcomes"
        else Trace(
            table=table,
            select=select,
            date="offence_date",
            code="ho_class",
            decode=decoder(_codes.HO_CLASS, unknown=_codes.HO_CLASS_UNKNOWN),
            detail=_offence_detail,
            pick={"days_since_last_offence": "latest", "age_at_first_offence": "earliest"}.get(name, "all"),
        )
    )
    for name, (table, select) in SELECT.items()
}

NAMES = tuple(SELECT)
