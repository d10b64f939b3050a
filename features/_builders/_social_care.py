"""Children's social care: referrals, open CIN episodes, section 47 enquiries, child
protection plans and the factors identified at assessment.

The authority's own case system holds these live, so each event counts from its own
date. Assessment factors count from ``assessment_authorised``: until the assessment is
authorised its factors are not settled.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from ._base import (
    Clock, People, Records, Trace, count, decoder, flag, in_codes, known_end, open_at, within,
)

SOURCES = ("cin_referrals", "cin_assessment_factors", "cin_section47", "cin_cp_plans")

ASSESSMENT_FACTORS = {
    "af_gangs_24m": ("13A",),
    "af_criminal_exploitation_24m": ("24A",),
    "af_sexual_exploitation_24m": ("11A",),
    "af_missing_24m": ("10A",),
    "af_domestic_violence_24m": ("3A", "3B", "3C"),
    "af_drug_misuse_24m": ("2A",),
    "af_child_on_child_abuse_24m": ("18B", "19B"),
}
FACTOR_MONTHS = 24


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    index = people
    factors = {
        name: (lambda t, codes=codes: in_codes(t["factor"], codes))
        for name, codes in ASSESSMENT_FACTORS.items()
    }
    return {
        "cin_referrals": Records.from_table(
            tables["cin_referrals"], index, dates=("referral_date", "closure_date")
        ),
        "cin_assessment_factors": Records.from_table(
            tables["cin_assessment_factors"], index, dates=("assessment_authorised",), values=factors
        ),
        "cin_section47": Records.from_table(tables["cin_section47"], index, dates=("s47_start",)),
        "cin_cp_plans": Records.from_table(tables["cin_cp_plans"], index, dates=("cpp_start", "cpp_end")),
    }


def _factor(name: str):
    return lambda r, clock: r[name] & within(r["assessment_authorised"], clock, FACTOR_MONTHS)


def _plan_ended(r: Records, clock: Clock) -> np.ndarray:
    ended = known_end(r["cpp_end"], clock)
    return (r["cpp_start"] <= clock.day) & within(ended, clock, 24)


SELECT = {
    "cin_referrals_12m": ("cin_referrals", lambda r, clock: within(r["referral_date"], clock, 12)),
    "cin_open_now": ("cin_referrals", lambda r, clock: open_at(r["referral_date"], r["closure_date"], clock)),
    "s47_enquiries_24m": ("cin_section47", lambda r, clock: within(r["s47_start"], clock, 24)),
    "cp_plan_now": ("cin_cp_plans", lambda r, clock: open_at(r["cpp_start"], r["cpp_end"], clock)),
    "cp_plan_ended_24m": ("cin_cp_plans", _plan_ended),
    **{name: ("cin_assessment_factors", _factor(name)) for name in ASSESSMENT_FACTORS},
}
COUNTS = ("cin_referrals_12m", "s47_enquiries_24m")


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    out = {}
    for name, (table, select) in SELECT.items():
        r = prepared[table]
        reduce = count if name in COUNTS else flag
        out[name] = reduce(r, select(r, clock), people.n)
    out["cp_plan_ended_24m"] = np.where(out["cp_plan_now"] > 0, 0.0, out["cp_plan_ended_24m"])
    return out


_DISPLAY = {
    "cin_referrals": ("referral_date", "referral_source", decoder(_codes.REFERRAL_SOURCE)),
    "cin_section47": ("s47_start", None, None),
    "cin_cp_plans": ("cpp_start", "latest_category", decoder(_codes.ABUSE_CATEGORY)),
    "cin_assessment_factors": ("assessment_authorised", "factor", decoder(_codes.ASSESSMENT_FACTOR)),
}
_DETAIL = {
    "cin_referrals": lambda rows: "referral, primary need " + rows["primary_need"].astype("string").fillna(""),
    "cin_section47": lambda rows: pd.Series("section 47 enquiry", index=rows.index),
    "cin_cp_plans": lambda rows: pd.Series("child protection plan", index=rows.index),
    "cin_assessment_factors": lambda rows: pd.Series("factor identified at assessment", index=rows.index),
}

TRACES = {
    name: Trace(
        table=table,
        select=select,
        date=_DISPLAY[table][0],
        code=_DISPLAY[table][1],
        decode=_DISPLAY[table][2],
        detail=_DETAIL[table],
    )
    for name, (table, select) in SELECT.items()
}

NAMES = tuple(SELECT)
