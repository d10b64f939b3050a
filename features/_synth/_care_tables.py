"""SSDA903 returns and CIN census children, one collection year at a time.

A collection year ``Y`` runs from 1 April ``Y-1`` to 31 March ``Y``. An episode or
referral open across 31 March appears in both years' returns, open (no end) in the
first. SEX is ``1``/``2`` up to the 2023-24 return and ``M``/``F`` from 2024-25.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dates import add_years, day, dmy
from ._looked_after import substance_misuse_chance

HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
EPISODE_COLUMNS = ["CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
                   "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN"]
MISSING_COLUMNS = ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]
OC2_COLUMNS = ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS",
               "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED",
               "INTERVENTION_OFFERED"]
MF_SEX_FROM_YEAR = 2025


def collection_years(window):
    """Collection years (ending 31 March) that lie wholly inside the window."""
    first = int(np.datetime_as_string(np.int64(window[0]).astype("datetime64[D]"))[:4]) + 1
    last = int(np.datetime_as_string(np.int64(window[1]).astype("datetime64[D]"))[:4])
    return [y for y in range(first, last + 1) if day(f"{y - 1}-04-01") >= window[0] and day(f"{y}-03-31") <= window[1]]


def year_bounds(year):
    """First and last day number of collection year ``year``."""
    return day(f"{year - 1}-04-01"), day(f"{year}-03-31")


def ssda903_tables(year, episodes, missing, periods, convictions, people, rng):
    """The four SSDA903 tables of one collection year.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``header``, ``episodes``, ``missing`` and ``oc2``.
    """
    start, end = year_bounds(year)
    ep = episodes[(episodes["decom"] <= end) & (episodes["dec"] >= start)]
    children = np.unique(ep["person"].to_numpy())
    return {
        "header": _header(year, children, people, start),
        "episodes": _episodes(ep, people, end),
        "missing": _missing(missing, people, start, end),
        "oc2": _oc2(periods, convictions, people, start, end, rng),
    }


def upn_or_unknown(people, person, on_day):
    """The child's UPN, or ``UN1`` while under five (not yet of school age)."""
    under_five = on_day < add_years(people["dob"].to_numpy()[person], 5)
    return np.where(under_five, "UN1", people["upn"].to_numpy()[person]).astype(object)


def _header(year, children, people, start):
    p = people.iloc[children]
    male = p["male"].to_numpy()
    if year >= MF_SEX_FROM_YEAR:
        sex = np.where(male, "M", "F")
    else:
        sex = np.where(male, "1", "2")
    return pd.DataFrame({
        "CHILD": p["la_child_id"].to_numpy(), "SEX": sex, "DOB": dmy(p["dob"].to_numpy()),
        "ETHNIC": p["ethnicity"].to_numpy(), "UPN": upn_or_unknown(people, children, np.full(len(children), start)),
        "MOTHER": np.where(male, "", "0"), "MC_DOB": "",
    }, columns=HEADER_COLUMNS)


def _episodes(ep, people, end):
    closed = ep["dec"].to_numpy() <= end
    return pd.DataFrame({
        "CHILD": people["la_child_id"].to_numpy()[ep["person"].to_numpy()], "DECOM": dmy(ep["decom"].to_numpy()),
        "RNE": ep["rne"].to_numpy(), "LS": ep["ls"].to_numpy(), "CIN": ep["cin"].to_numpy(),
        "PLACE": ep["place"].to_numpy(), "PLACE_PROVIDER": ep["provider"].to_numpy(),
        "DEC": dmy(ep["dec"].to_numpy(), mask=closed), "REC": np.where(closed, ep["rec"].to_numpy(), ""),
        "REASON_PLACE_CHANGE": ep["place_change"].to_numpy(), "HOME_POST": ep["home_post"].to_numpy(),
        "PL_POST": ep["pl_post"].to_numpy(), "URN": ep["urn"].to_numpy(),
    }, columns=EPISODE_COLUMNS)


def _missing(missing, people, start, end):
    rows = missing[(missing["start"] >= start) & (missing["start"] <= end)]
    person = rows["person"].to_numpy()
    return pd.DataFrame({
        "CHILD": people["la_child_id"].to_numpy()[person], "DOB": dmy(people["dob"].to_numpy()[person]),
        "MISSING": rows["type"].to_numpy(), "MIS_START": dmy(rows["start"].to_numpy()),
        "MIS_END": dmy(rows["end"].to_numpy(), mask=rows["end"].to_numpy() <= end),
    }, columns=MISSING_COLUMNS)


def _oc2(periods, convictions, people, start, end, rng):
    long_stay = periods[(periods["start"] <= end - 365) & (periods["end"] > end)]
    person = long_stay["person"].to_numpy()
    n = len(person)
    dob = people["dob"].to_numpy()[person]
    age = (end - dob) / 365.25
    latent = people["latent"].to_numpy()[person]
    sdq_age = (age >= 4) & (age < 17)
    scored = sdq_age & (rng.random(n) < 0.8)
    score = np.clip(np.round(rng.normal(14 + 4 * latent, 5)), 0, 40).astype(np.int64)
    reason = np.where(~sdq_age, "SDQ1", np.array(["SDQ2", "SDQ4", "SDQ5"])[rng.integers(0, 3, n)])
    convicted = np.isin(person, convictions[(convictions["day"] >= start) & (convictions["day"] <= end)]["person"])
    misuse = rng.random(n) < substance_misuse_chance(latent, age)
    received = misuse & (rng.random(n) < 0.6)
    offered = misuse & ~received & (rng.random(n) < 0.5)
    flag = lambda x: np.where(x, "1", "0")  # noqa: E731
    return pd.DataFrame({
        "CHILD": people["la_child_id"].to_numpy()[person], "DOB": dmy(dob),
        "SDQ_SCORE": np.where(scored, score.astype(str), ""), "SDQ_REASON": np.where(scored, "", reason),
        "CONVICTED": flag(convicted & (age >= 10)), "HEALTH_CHECK": flag(rng.random(n) < 0.9),
        "IMMUNISATIONS": flag(rng.random(n) < 0.85), "TEETH_CHECK": flag(rng.random(n) < 0.8),
        "HEALTH_ASSESSMENT": flag(rng.random(n) < 0.88), "SUBSTANCE_MISUSE": flag(misuse),
        "INTERVENTION_RECEIVED": np.where(misuse, flag(received), ""),
        "INTERVENTION_OFFERED": np.where(misuse, flag(offered), ""),
    }, columns=OC2_COLUMNS)


def cin_children(referrals, people, year):
    """Per-child identifiers and characteristics for the CIN census of ``year``."""
    children = np.unique(referrals["person"].to_numpy())
    p = people.iloc[children]
    start, _ = year_bounds(year)
    upn = upn_or_unknown(people, children, np.full(len(children), start))
    return pd.DataFrame({
        "person": children, "la_child_id": p["la_child_id"].to_numpy(), "upn": np.where(upn == "UN1", "", upn),
        "dob": p["dob"].to_numpy(), "sex": p["sex"].to_numpy(), "ethnicity": p["ethnicity"].to_numpy(),
        "disability": p["disability"].to_numpy(),
    })
