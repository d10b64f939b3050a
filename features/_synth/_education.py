"""Pupils at the January census, termly attendance and alternative provision.

Built from the yearly trajectory: which school a pupil is on roll at (the pupil referral
unit after a permanent exclusion), their SEN provision and free-school-meal status on
census day, absence split across the three terms, and alternative provision placements
after a permanent exclusion or for pupils at risk of one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dates import days_of, year_month_day
from ._schools import PRU_URN, TERMS, census_day, school_day
from ._trajectory import expit

COVID_MISSING_TERM = (2019, "SUM")  # attendance was not collected in summer 2020
_SEN_TYPES_EHCP = (np.array(["ASD", "SLD", "SEMH", "SLCN", "MLD", "PMLD", "PD", "HI"]),
                   np.array([0.32, 0.10, 0.16, 0.14, 0.12, 0.05, 0.06, 0.05]))
_SEN_TYPES_SUPPORT = (np.array(["SLCN", "MLD", "SEMH", "SPLD", "ASD", "OTH", "NSA", "VI"]),
                      np.array([0.22, 0.18, 0.18, 0.15, 0.08, 0.09, 0.07, 0.03]))


def school_rolls(people, years, schools, placement, perm_day):
    """One row per pupil per in-school year with the school on roll and census details.

    Returns
    -------
    pandas.DataFrame
        The in-school rows of ``years`` plus ``urn`` (at the January census),
        ``census_day``, ``sen_provision``, ``sen_type``.
    """
    rolls = years.loc[years["in_school"], ["person", "k", "ay", "ay_start", "ay_end", "absence", "fsm"]].copy()
    person = rolls["person"].to_numpy()
    primary, secondary = placement
    urn = np.where(rolls["k"].to_numpy() <= 6, schools["primary_urn"][primary[person]],
                   schools["secondary_urn"][secondary[person]])
    rolls["census_day"] = census_day(rolls["ay"].to_numpy() + 1)
    rolls["urn"] = np.where(perm_day[person] < rolls["census_day"].to_numpy(), PRU_URN, urn)
    rolls["home_urn"] = urn
    return _add_sen(rolls, people)


def _add_sen(rolls, people):
    person = rolls["person"].to_numpy()
    need = 0.35 * people["latent"].to_numpy() + 0.94 * people["u_sen"].to_numpy()
    k = rolls["k"].to_numpy()
    level = need[person] + 0.15 * np.minimum(k, 6) / 6
    provision = np.select([level > 2.05, level > 1.2], ["E", "K"], "N").astype(object)
    rolls["sen_provision"] = provision
    behaviour = people["u_behaviour"].to_numpy()[person] + people["latent"].to_numpy()[person] > 1.5
    rolls["sen_type"] = _sen_types(provision, behaviour, person)
    return rolls


def _sen_types(provision, behaviour, person):
    # A pupil's type is fixed by a per-person hash so it does not flicker year to year.
    u = ((person * 2654435761) % 4294967296) / 4294967296
    out = np.full(len(provision), "", dtype=object)
    for level, (codes, p) in (("E", _SEN_TYPES_EHCP), ("K", _SEN_TYPES_SUPPORT)):
        pick = codes[np.searchsorted(np.cumsum(p / p.sum()), u, side="right").clip(0, len(codes) - 1)]
        out = np.where(provision == level, np.where(behaviour, "SEMH", pick), out)
    return out


def make_attendance(rolls, perm_day, rng):
    """Sessions possible and absent per pupil per term, split authorised/unauthorised."""
    n = len(rolls)
    frames = []
    for term, (m0, d0), (m1, d1), sessions in TERMS:
        year = rolls["ay"].to_numpy() + (term != "AUT")
        start, end = days_of(year, m0, d0), days_of(year, m1, d1)
        possible = sessions + rng.integers(-4, 5, size=n)
        rate = np.clip(rolls["absence"].to_numpy() * rng.gamma(20.0, 1 / 20.0, size=n), 0.0, 0.95)
        absent = np.round(possible * rate).astype(np.int64)
        unauth_share = expit(-1.4 + 14.0 * rolls["absence"].to_numpy() + 0.3 * rng.standard_normal(n))
        unauthorised = np.round(absent * unauth_share).astype(np.int64)
        urn = np.where(perm_day[rolls["person"].to_numpy()] < start, PRU_URN, rolls["home_urn"].to_numpy())
        frames.append(pd.DataFrame({
            "person": rolls["person"].to_numpy(), "urn": urn, "ay": rolls["ay"].to_numpy(), "term": term,
            "term_start": start, "term_end": end, "possible": possible,
            "authorised": absent - unauthorised, "unauthorised": unauthorised,
        }))
    attendance = pd.concat(frames, ignore_index=True)
    covid = (attendance["ay"] == COVID_MISSING_TERM[0]) & (attendance["term"] == COVID_MISSING_TERM[1])
    return attendance[~covid].sort_values(["person", "term_start"], kind="stable", ignore_index=True)


def make_ap_placements(years, exclusions, rng):
    """Alternative provision placements: after permanent exclusion, or to avert one."""
    perm = exclusions[exclusions["category"] == "PERM"]
    n = len(perm)
    entry = perm["day"].to_numpy() + rng.integers(1, 15, size=n)
    after_perm = pd.DataFrame({
        "person": perm["person"].to_numpy(), "entry": entry,
        "leaving": entry + np.exp(rng.normal(np.log(260), 0.6, size=n)).astype(np.int64),
        "setting": "SCH", "urn": PRU_URN, "reason": "PEX", "sessions_per_week": 10,
    })
    placements = pd.concat([after_perm, _preventive(years, rng)], ignore_index=True)
    return placements.drop_duplicates(["person", "entry"], ignore_index=True)


def _preventive(years, rng):
    at_risk = years[years["in_school"] & (years["k"] >= 7) & (years["k"] <= 11)
                    & ((years["suspensions"] >= 2) | years["persistent_absence"])]
    at_risk = at_risk[rng.random(len(at_risk)) < 0.12]
    n = len(at_risk)
    entry = school_day(at_risk["ay_start"].to_numpy(), rng)
    older = at_risk["k"].to_numpy() >= 10
    setting = np.array(["NFE", "OOT", "OTH", "WBP"], dtype=object)[
        np.where(older, rng.integers(0, 4, n), rng.integers(0, 3, n))]
    reason = np.array(["SUS", "SUS", "SEM", "SEM", "MED", "OTH"], dtype=object)[rng.integers(0, 6, n)]
    return pd.DataFrame({
        "person": at_risk["person"].to_numpy(), "entry": entry, "leaving": entry + rng.integers(40, 260, n),
        "setting": setting, "urn": -1, "reason": reason, "sessions_per_week": rng.integers(1, 11, n),
    })


def ap_census_rows(placements, first_day, last_day):
    """One row per placement per January AP census from the one after entry to the one after leaving."""
    first_census = _census_on_or_after(placements["entry"].to_numpy())
    last_census = _census_on_or_after(placements["leaving"].to_numpy())
    count = last_census - first_census + 1
    idx = np.repeat(np.arange(len(placements)), count)
    offset = np.arange(len(idx)) - np.repeat(np.cumsum(count) - count, count)
    rows = placements.iloc[idx].reset_index(drop=True)
    rows["census_day"] = census_day(first_census[idx] + offset)
    rows = rows[(rows["census_day"] >= first_day) & (rows["census_day"] <= last_day)].reset_index(drop=True)
    rows["left"] = rows["leaving"] <= rows["census_day"]
    return rows


def _census_on_or_after(days):
    year, _, _ = year_month_day(days)
    return np.where(days <= census_day(year), year, year + 1)
