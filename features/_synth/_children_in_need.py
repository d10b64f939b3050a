"""Referrals to children's social care: assessments with factors, s47 enquiries, plans.

Yearly referral counts from the trajectory, plus one referral ahead of every period
looked after, become referral episodes. Assessment factors follow the child's latent
risk, age and sex; a child being criminally exploited (the trajectory's ``exploited``
state) is assessed with gangs (13A), criminal exploitation (24A), going missing (10A)
and drug misuse (2A) far more often.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._population import academic_year_of
from ._trajectory import expit
from ._draw import draw_codes

# factor: (base logit, latent slope, teenager shift, female shift, exploited shift)
FACTORS = {
    "3B": (-1.2, 0.2, -0.3, 0.0, 0.0), "4B": (-1.2, 0.1, 0.0, 0.0, 0.0), "1B": (-2.3, 0.2, 0.0, 0.0, 0.0),
    "2B": (-2.1, 0.3, 0.0, 0.0, 0.0), "16A": (-1.6, 0.2, -0.8, 0.0, 0.0), "17A": (-1.7, 0.1, 0.0, 0.0, 0.0),
    "18C": (-2.8, 0.1, 0.0, 0.0, 0.0), "19C": (-3.6, 0.0, 0.0, 0.4, 0.0), "3A": (-4.0, 0.4, 1.2, 0.0, 0.0),
    "4A": (-3.6, 0.2, 1.6, 0.4, 0.0), "15A": (-5.0, 0.2, 2.0, 0.8, 0.0), "14A": (-5.2, 0.7, 2.2, -0.5, 0.8),
    "2A": (-5.8, 0.6, 2.0, -0.3, 1.6), "10A": (-5.6, 0.6, 2.0, 0.0, 1.8), "11A": (-6.8, 0.5, 2.2, 1.8, 0.8),
    "13A": (-7.6, 0.8, 2.2, -1.0, 3.4), "24A": (-7.2, 0.8, 2.2, -0.8, 3.8), "18B": (-4.8, 0.4, 1.4, -0.3, 0.6),
    "7A": (-4.0, 0.0, 0.8, 0.2, 0.0), "5A": (-3.6, 0.0, 0.0, -0.3, 0.0), "6B": (-3.4, 0.0, 0.0, 0.0, 0.0),
    "20": (-3.0, 0.0, 0.0, 0.0, 0.0),
}
SOURCES = {"6": 0.22, "2A": 0.18, "3F": 0.07, "3A": 0.04, "3B": 0.04, "3E": 0.03, "1A": 0.07,
           "1C": 0.02, "1D": 0.02, "4": 0.03, "5A": 0.06, "5B": 0.04, "5C": 0.03, "5D": 0.07,
           "7": 0.02, "8": 0.04, "9": 0.01, "10": 0.01}
NEEDS = {"N1": 0.52, "N2": 0.05, "N3": 0.05, "N4": 0.12, "N5": 0.12, "N6": 0.07, "N7": 0.01,
         "N8": 0.04, "N9": 0.02}
ABUSE = {"NEG": 0.48, "EMO": 0.35, "PHY": 0.08, "SAB": 0.04, "MUL": 0.05}


def make_referrals(people, years, lac_periods, rng):
    """Referral episodes with their assessment, s47 and plan dates.

    Returns
    -------
    pandas.DataFrame
        One row per referral: ``person``, ``referral_day``, ``source``, ``need``,
        ``nfa``, ``closure_day``, ``closure_reason``, ``assess_start``,
        ``assess_auth`` (-1 when none), ``factors`` (``;``-joined), ``plan_start``,
        ``plan_end``, ``s47_day``, ``icpc_day``, ``cpp_start``, ``cpp_end`` (-1 when
        none) and ``cpp_category``.
    """
    rows = years.loc[years["referrals"] > 0, ["person", "k", "ay_start", "referrals", "exploited"]]
    count = rows["referrals"].to_numpy()
    person = np.repeat(rows["person"].to_numpy(), count)
    day = np.repeat(rows["ay_start"].to_numpy(), count) + rng.integers(0, 365, size=count.sum())
    k = np.repeat(rows["k"].to_numpy(), count)
    exploited = np.repeat(_exploited_by_year_end(years, rows), count)
    before_lac = lac_periods[["person", "start"]]
    lac_day = before_lac["start"].to_numpy() - rng.integers(0, 60, size=len(before_lac))
    lac_k = _k_of(people, before_lac["person"].to_numpy(), lac_day)
    referrals = pd.DataFrame({
        "person": np.r_[person, before_lac["person"].to_numpy()],
        "referral_day": np.r_[day, lac_day],
        "k": np.r_[k, lac_k],
        "exploited": np.r_[exploited, np.zeros(len(before_lac), dtype=bool)],
        "care_end": np.r_[np.full(len(person), -1), lac_periods["end"].to_numpy()],
    })
    referrals = referrals.sort_values(["person", "referral_day"], kind="stable", ignore_index=True)
    referrals = _codes(referrals, people, rng)
    referrals = _assessment(referrals, people, rng)
    return _closure(_protection(referrals, rng), rng)


def _exploited_by_year_end(years, rows):
    nxt = years[["person", "k", "exploited"]].assign(k=lambda f: f["k"] - 1)
    merged = rows[["person", "k"]].merge(nxt, on=["person", "k"], how="left")
    return merged["exploited"].fillna(False).to_numpy(dtype=bool)


def _k_of(people, person, day):
    return academic_year_of(day) - people["birth_ay"].to_numpy()[person] - 5


def _codes(referrals, people, rng):
    n = len(referrals)
    referrals["source"] = draw_codes(SOURCES, n, rng)
    referrals["need"] = draw_codes(NEEDS, n, rng)
    teen_behaviour = (referrals["k"].to_numpy() >= 8) & (people["latent"].to_numpy()[referrals["person"]] > 1.2)
    referrals.loc[teen_behaviour & (rng.random(n) < 0.4), "need"] = "N6"
    caring = referrals["care_end"].to_numpy() >= 0
    referrals["nfa"] = ~caring & (rng.random(n) < 0.08)
    return referrals


def _assessment(referrals, people, rng):
    n = len(referrals)
    person = referrals["person"].to_numpy()
    assessed = ~referrals["nfa"].to_numpy()
    start = referrals["referral_day"].to_numpy() + rng.integers(0, 8, size=n)
    referrals["assess_start"] = np.where(assessed, start, -1)
    referrals["assess_auth"] = np.where(assessed, start + rng.integers(10, 46, size=n), -1)
    teen = (referrals["k"].to_numpy() >= 6).astype(float)
    female = ~people["male"].to_numpy()[person]
    latent = people["latent"].to_numpy()[person]
    exploited = referrals["exploited"].to_numpy()
    chosen = []
    for code, (base, slope, teen_shift, female_shift, exploit_shift) in FACTORS.items():
        logit = base + slope * latent + teen_shift * teen + female_shift * female + exploit_shift * exploited
        chosen.append(np.where(rng.random(n) < expit(logit), code + ";", ""))
    joined = chosen[0].astype(str)
    for column in chosen[1:]:
        joined = np.strings.add(joined, column)
    joined = np.where(joined == "", "21", np.strings.rstrip(joined, ";"))
    referrals["factors"] = np.where(assessed, joined, "").astype(object)
    return referrals


def _protection(referrals, rng):
    n = len(referrals)
    assessed = referrals["assess_start"].to_numpy() >= 0
    abuse = referrals["need"].isin(("N1",)).to_numpy()
    s47 = assessed & (rng.random(n) < np.where(abuse, 0.3, 0.05))
    s47_day = referrals["assess_start"].to_numpy() + rng.integers(0, 15, size=n)
    icpc = s47 & (rng.random(n) < 0.6)
    icpc_day = s47_day + rng.integers(10, 16, size=n)
    cpp = icpc & (rng.random(n) < 0.8)
    cpp_end = icpc_day + np.exp(rng.normal(np.log(300), 0.6, size=n)).astype(np.int64)
    referrals["s47_day"] = np.where(s47, s47_day, -1)
    referrals["icpc_day"] = np.where(icpc, icpc_day, -1)
    referrals["cpp_start"] = np.where(cpp, icpc_day, -1)
    referrals["cpp_end"] = np.where(cpp, cpp_end, -1)
    referrals["cpp_category"] = np.where(cpp, draw_codes(ABUSE, n, rng), "")
    return referrals


def _closure(referrals, rng):
    n = len(referrals)
    auth = referrals["assess_auth"].to_numpy()
    pick = rng.random(n)
    nfa = referrals["nfa"].to_numpy()
    plan = (auth >= 0) & (pick >= 0.55)
    plan_start = auth + rng.integers(0, 15, size=n)
    plan_end = plan_start + np.exp(rng.normal(np.log(220), 0.6, size=n)).astype(np.int64)
    end = np.select([nfa, ~plan], [referrals["referral_day"].to_numpy(), auth + rng.integers(0, 15, size=n)], plan_end)
    end = np.maximum(end, referrals["cpp_end"].to_numpy())
    caring = referrals["care_end"].to_numpy() >= 0
    end = np.where(caring, np.maximum(end, referrals["care_end"].to_numpy() + rng.integers(0, 30, size=n)), end)
    reason = np.select([nfa, ~plan & (pick < 0.4), ~plan], ["RC8", "RC8", "RC9"], "RC7").astype(object)
    referrals["plan_start"] = np.where(plan, plan_start, -1)
    referrals["plan_end"] = np.where(plan, plan_end, -1)
    referrals["closure_day"] = end
    referrals["closure_reason"] = reason
    return referrals.drop(columns=["k", "exploited", "care_end"])
