"""Suspensions and permanent exclusions, including those that follow a knife offence.

Yearly counts from the trajectory become dated records on school days with reason
codes of their era (legacy ``FIXD`` and ``PD``/``OT`` in the early years). Some knife
offences by pupils are followed within 30 days by an exclusion for it: the reverse
causation that features must not mistake for a warning sign.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._schools import school_day
from ._dates import next_weekday
from ._draw import draw_codes

LEGACY_REASONS = {"PD": 0.30, "VA": 0.12, "VP": 0.10, "PP": 0.12, "PA": 0.04, "DR": 0.05, "DA": 0.03,
                  "OW": 0.01, "BW": 0.01, "BU": 0.04, "DM": 0.04, "TH": 0.03, "RA": 0.02, "SM": 0.01,
                  "OT": 0.08}
CURRENT_REASONS = {"DB": 0.16, "CB": 0.12, "LD": 0.08, "VA": 0.12, "VP": 0.10, "PP": 0.12, "PA": 0.04,
                   "DR": 0.05, "DA": 0.03, "OW": 0.015, "BW": 0.015, "BU": 0.03, "TB": 0.01, "DM": 0.03,
                   "TH": 0.02, "RA": 0.02, "SM": 0.01, "SB": 0.005, "VR": 0.02, "MP": 0.02, "OS": 0.02,
                   "AR": 0.01, "SR": 0.005, "MT": 0.01, "LG": 0.003, "DS": 0.002, "MB": 0.002, "AB": 0.001}
LAST_LEGACY_YEAR = 2019       # reason codes changed from 2020/21
LAST_FIXD_YEAR = 2018         # some systems still wrote FIXD up to 2018/19
AFTER_KNIFE_CHANCE = {True: 0.35, False: 0.12}  # by whether the police recorded the offence
AFTER_KNIFE_PERMANENT = 0.2
_SESSIONS = np.array([1, 2, 2, 2, 2, 2, 3, 4, 4, 5, 6, 8, 10])


def make_exclusions(years, offences, rng):
    """Dated exclusions for every pupil.

    Parameters
    ----------
    years : pandas.DataFrame
        The yearly trajectory.
    offences : pandas.DataFrame
        True offences (knife offences by pupils can lead to an exclusion).
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    pandas.DataFrame
        ``person``, ``day``, ``ay``, ``category``, ``reasons``, ``sessions`` (NaN for
        permanent) and ``after_offence``; at most one permanent exclusion per person.
    """
    planned = pd.concat([_suspensions(years, rng), _permanent(years, rng)], ignore_index=True)
    reactive = _after_knife_offence(years, offences, rng)
    exclusions = pd.concat([planned, reactive], ignore_index=True)
    exclusions["rank"] = (exclusions["category"] != "PERM").astype(int)
    exclusions = exclusions.sort_values(["person", "day", "rank"], kind="stable", ignore_index=True)
    exclusions = exclusions.drop_duplicates(["person", "day"], ignore_index=True).drop(columns="rank")
    perm = exclusions["category"] == "PERM"
    later_perm = exclusions.loc[perm, "person"].duplicated().reindex(exclusions.index, fill_value=False)
    return exclusions[~later_perm].reset_index(drop=True)


def _suspensions(years, rng):
    rows = years.loc[years["suspensions"] > 0, ["person", "ay", "ay_start", "suspensions"]]
    person = np.repeat(rows["person"].to_numpy(), rows["suspensions"].to_numpy())
    ay = np.repeat(rows["ay"].to_numpy(), rows["suspensions"].to_numpy())
    day = school_day(np.repeat(rows["ay_start"].to_numpy(), rows["suspensions"].to_numpy()), rng)
    n = len(person)
    lunchtime = rng.random(n) < 0.03
    category = np.where(lunchtime, "LNCH", "SUSP").astype(object)
    category[(category == "SUSP") & (ay <= LAST_FIXD_YEAR) & (rng.random(n) < 0.8)] = "FIXD"
    sessions = np.where(lunchtime, 1, _SESSIONS[rng.integers(0, len(_SESSIONS), n)]).astype(float)
    return pd.DataFrame({"person": person, "day": day, "ay": ay, "category": category,
                         "reasons": _reasons(ay, rng), "sessions": sessions, "after_offence": False})


def _permanent(years, rng):
    rows = years.loc[years["permanent"], ["person", "ay", "ay_start"]]
    n = len(rows)
    return pd.DataFrame({"person": rows["person"].to_numpy(), "day": school_day(rows["ay_start"].to_numpy(), rng),
                         "ay": rows["ay"].to_numpy(), "category": "PERM", "reasons": _reasons(rows["ay"].to_numpy(), rng),
                         "sessions": np.full(n, np.nan), "after_offence": False})


def _after_knife_offence(years, offences, rng):
    knife = offences[offences["knife"]]
    school = years.loc[years["in_school"], ["person", "ay_start", "ay_end", "ay"]]
    merged = knife[["person", "offence_day", "recorded"]].merge(school, on="person")
    merged = merged[(merged["offence_day"] >= merged["ay_start"]) & (merged["offence_day"] <= merged["ay_end"])]
    chance = np.where(merged["recorded"], AFTER_KNIFE_CHANCE[True], AFTER_KNIFE_CHANCE[False])
    merged = merged[rng.random(len(merged)) < chance]
    n = len(merged)
    day = next_weekday(merged["offence_day"].to_numpy() + rng.integers(1, 29, size=n))
    permanent = rng.random(n) < AFTER_KNIFE_PERMANENT
    reasons = np.array(["BW", "OW", "OS", "BW;VA"], dtype=object)[rng.integers(0, 4, n)]
    return pd.DataFrame({"person": merged["person"].to_numpy(), "day": day, "ay": merged["ay"].to_numpy(),
                         "category": np.where(permanent, "PERM", "SUSP").astype(object), "reasons": reasons,
                         "sessions": np.where(permanent, np.nan, rng.choice([6.0, 8.0, 10.0], size=n)),
                         "after_offence": True})


def _reasons(ay, rng):
    n = len(ay)
    legacy = ay <= LAST_LEGACY_YEAR
    first = np.where(legacy, draw_codes(LEGACY_REASONS, n, rng), draw_codes(CURRENT_REASONS, n, rng))
    second = np.where(legacy, draw_codes(LEGACY_REASONS, n, rng), draw_codes(CURRENT_REASONS, n, rng))
    both = (rng.random(n) < 0.12) & (first != second)
    return np.where(both, np.strings.add(np.strings.add(first.astype(str), ";"), second.astype(str)), first).astype(object)
