"""True offences, which of them the police record, and the youth justice outcomes.

Yearly true offence counts from the trajectory become dated offences of a Home Office
class. Each is recorded with a class-specific probability; possession of a bladed
article (10D) committed by the biased group in the biased areas is recorded ``factor``
times as often, as targeted stop and search does. Recorded offences reach the youth
justice service days to weeks later and end in an outcome whose tier rises with gravity
and with the number of earlier recorded offences.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._codes import OUTCOME_TYPE
from ._dates import add_years, day

# One row per offence type: Home Office class and code, text, YJB category, gravity,
# chance that a knife was used or threatened, selection weight and its slope in latent
# risk, the chance the police record it, its log-rate per year of age from 14 (serious
# offences become more common with age, minor ones less) and whether being out of school
# raises it (carrying or threatening with a blade). Classes are the Home Office ones
# (features/_codes.py); threatening with a blade is counted in 10D, as the Counting Rules
# do. Four common classes are written that the library does not list (92D, 28E, 58A, 17),
# so every synthetic extract exercises the path for a well-formed unlisted class: kept,
# counted, decoded as "unknown offence class" and warned about in validation.
OFFENCE_TYPES = pd.DataFrame([
    ("54", "05400", "Handling stolen goods", "THEFT", 2, 0.0, 0.17, -0.2, 0.30, -0.15, False),
    ("39", "03900", "Theft from the person", "THEFT", 3, 0.0, 0.04, 0.0, 0.30, 0.0, False),
    ("8N", "00803", "Assault with minor injury", "VAP", 3, 0.0, 0.15, -0.1, 0.40, 0.0, False),
    ("8N", "00801", "Assault occasioning actual bodily harm", "VAP", 4, 0.08, 0.05, 0.2, 0.55, 0.2, False),
    ("5A", "00501", "Wounding with intent to do grievous bodily harm", "VAP", 7, 0.45, 0.005, 0.3, 0.85, 0.3, False),
    ("3B", "00302", "Threats to kill", "VAP", 6, 0.25, 0.006, 0.2, 0.60, 0.25, False),
    ("10D", "01012", "Threatening a person with a blade or sharply pointed article", "WEAP", 5, 0.0, 0.012,
     0.3, 0.50, 0.3, True),
    ("8L", "00804", "Harassment", "VAP", 3, 0.0, 0.04, 0.0, 0.40, 0.0, False),
    ("8M", "00805", "Racially or religiously aggravated harassment", "VAP", 3, 0.0, 0.004, 0.0, 0.40, 0.0, False),
    ("34B", "03401", "Robbery of personal property", "ROB", 6, 0.3, 0.015, 0.3, 0.50, 0.3, False),
    ("10D", "01010", "Possession of an article with a blade or point", "WEAP", 4, 0.0, 0.07, 0.3, 0.35, 0.25, True),
    ("10C", "01005", "Possession of an offensive weapon", "WEAP", 4, 0.0, 0.02, 0.3, 0.35, 0.0, False),
    ("92D", "09200", "Possession of a controlled drug", "DRUG", 2, 0.0, 0.09, 0.2, 0.35, 0.0, False),
    ("92A", "09201", "Possession with intent to supply a controlled drug", "DRUG", 6, 0.0, 0.02, 0.3, 0.50, 0.35,
     False),
    ("28E", "02800", "Burglary", "BURG", 5, 0.0, 0.04, 0.2, 0.40, 0.0, False),
    ("48", "04801", "Theft of a motor vehicle", "MOTOR", 4, 0.0, 0.035, 0.2, 0.40, 0.0, False),
    ("58A", "05800", "Criminal damage", "CDAM", 2, 0.0, 0.08, -0.2, 0.30, -0.2, False),
    ("9A", "12509", "Causing intentional harassment, alarm or distress", "PUBO", 2, 0.0, 0.07, -0.1, 0.40, -0.1,
     False),
    ("17", "01700", "Sexual offence", "SEX", 6, 0.0, 0.008, 0.0, 0.50, 0.0, False),
    ("99", "09900", "Other notifiable offence", "OTH", 2, 0.0, 0.04, -0.2, 0.30, 0.0, False),
    ("1", "00101", "Murder", "VAP", 8, 0.7, 0.0001, 0.4, 1.00, 0.3, False),
    ("2", "00200", "Attempted murder", "VAP", 8, 0.7, 0.0002, 0.4, 0.95, 0.3, False),
], columns=["ho_class", "ho_code", "description", "yjb_category", "gravity", "knife_prob",
            "weight", "latent_slope", "record_prob", "age_slope", "disengaged_knife"])

# Young people out of school (persistently absent, suspended or excluded last year) are
# more likely to carry or threaten with a blade: log-weight added to those 10D types.
DISENGAGED_KNIFE = 0.6
FEMALE_CATEGORY_FACTOR = {"WEAP": 0.35, "ROB": 0.35, "BURG": 0.5, "MOTOR": 0.4, "SEX": 0.1}
SERIOUS_VIOLENCE_CATEGORIES = ("VAP", "ROB", "WEAP")
SERIOUS_VIOLENCE_GRAVITY = 6


def make_offences(people, years, rng, *, bias_members):
    """Dated true offences with their recording.

    Parameters
    ----------
    people : pandas.DataFrame
        The population.
    years : pandas.DataFrame
        The yearly trajectory.
    rng : numpy.random.Generator
        Source of randomness.
    bias_members : tuple of (numpy.ndarray, float)
        Per-person flag of who the recording bias applies to, and its factor.

    Returns
    -------
    pandas.DataFrame
        One row per true offence, sorted by person and date, with the offence type,
        ``knife``, ``serious_violence``, ``recorded`` and ``recorded_day``.
    """
    rows = years.loc[years["offences"] > 0, ["person", "ay_start", "offences", "disengaged"]]
    person = np.repeat(rows["person"].to_numpy(), rows["offences"].to_numpy())
    disengaged = np.repeat(rows["disengaged"].to_numpy(), rows["offences"].to_numpy())
    offence_day = np.repeat(rows["ay_start"].to_numpy(), rows["offences"].to_numpy())
    offence_day = offence_day + rng.integers(0, 365, size=len(person))
    dob = people["dob"].to_numpy()
    keep = (offence_day >= add_years(dob[person], 10)) & (offence_day < add_years(dob[person], 18))
    person, offence_day, disengaged = person[keep], offence_day[keep], disengaged[keep]
    order = np.lexsort((offence_day, person))
    offences = pd.DataFrame({"person": person[order], "offence_day": offence_day[order]})
    offences = _assign_types(offences, people, disengaged[order], rng)
    return _record(offences, rng, *bias_members)


def _assign_types(offences, people, disengaged, rng):
    person = offences["person"].to_numpy()
    latent = people["latent"].to_numpy()[person]
    male = people["male"].to_numpy()[person]
    age = (offences["offence_day"].to_numpy() - people["dob"].to_numpy()[person]) / 365.25
    types = OFFENCE_TYPES
    female_factor = types["yjb_category"].map(FEMALE_CATEGORY_FACTOR).fillna(1.0).to_numpy()
    age_slope = types["age_slope"].to_numpy()
    knife_class = types["disengaged_knife"].to_numpy(bool)
    log_weight = (np.outer(latent, types["latent_slope"].to_numpy()) + np.outer(age - 14.0, age_slope)
                  + np.outer(disengaged, knife_class * DISENGAGED_KNIFE))
    weights = types["weight"].to_numpy()[None, :] * np.exp(log_weight)
    weights = np.where(male[:, None], weights, weights * female_factor[None, :])
    cumulative = np.cumsum(weights, axis=1)
    draw = rng.random(len(offences)) * cumulative[:, -1]
    chosen = (cumulative < draw[:, None]).sum(axis=1)
    chosen_types = types.iloc[chosen].reset_index(drop=True)
    offences = pd.concat([offences, chosen_types[["ho_class", "ho_code", "description", "yjb_category"]]], axis=1)
    knife_flag = rng.random(len(offences)) < chosen_types["knife_prob"].to_numpy()
    offences["knife_flag"] = knife_flag
    offences["knife"] = knife_flag | (offences["ho_class"] == "10D").to_numpy()
    gravity = chosen_types["gravity"].to_numpy() + knife_flag
    offences["gravity"] = np.clip(gravity + rng.choice([-1, 0, 0, 0, 1], size=len(offences)), 1, 8)
    offences["serious_violence"] = (offences["yjb_category"].isin(SERIOUS_VIOLENCE_CATEGORIES)
                                    & (offences["gravity"] >= SERIOUS_VIOLENCE_GRAVITY))
    offences["record_prob"] = chosen_types["record_prob"].to_numpy()
    return offences


def _record(offences, rng, bias_member, factor):
    person = offences["person"].to_numpy()
    prob = offences.pop("record_prob").to_numpy()
    biased = bias_member[person] & (offences["ho_class"] == "10D").to_numpy()
    prob = np.where(biased, np.minimum(1.0, prob * factor), prob)
    offences["bias_applied"] = biased
    offences["recorded"] = rng.random(len(offences)) < prob
    lag = np.minimum(np.exp(rng.normal(np.log(10), 0.8, size=len(offences))).astype(np.int64), 90)
    offences["recorded_day"] = offences["offence_day"].to_numpy() + lag
    return offences


def make_outcomes(offences, rng):
    """One outcome per recorded offence; the tier rises with gravity and prior record.

    Parameters
    ----------
    offences : pandas.DataFrame
        Output of :func:`make_offences`.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    pandas.DataFrame
        ``offence_row`` (index into ``offences``), ``outcome_day``, ``outcome_type``,
        ``tier`` and ``length_months`` (NaN where none).
    """
    recorded = offences[offences["recorded"]]
    prior = recorded.groupby("person").cumcount().to_numpy()
    score = (recorded["gravity"].to_numpy() + 0.9 * np.minimum(prior, 4)
             + rng.normal(0.0, 1.0, size=len(recorded)))
    tier_index = np.digitize(score, [4.0, 5.6, 7.6, 9.6])
    outcome_type = _outcome_types(tier_index, recorded, rng)
    tier = pd.Series(outcome_type).map({k: v[0] for k, v in OUTCOME_TYPE.items()}).to_numpy()
    lag = np.array([21, 35, 75, 90, 100])[tier_index] + rng.integers(0, 40, size=len(recorded))
    return pd.DataFrame({
        "offence_row": recorded.index.to_numpy(),
        "outcome_day": recorded["recorded_day"].to_numpy() + lag,
        "outcome_type": outcome_type,
        "tier": tier,
        "length_months": _lengths(outcome_type, rng),
    })


def _outcome_types(tier_index, recorded, rng):
    n = len(tier_index)
    pick = rng.random(n)
    o22_exists = recorded["offence_day"].to_numpy() >= day("2019-01-01")  # Outcome 22 introduced
    diversion = np.where(o22_exists & (pick < 0.45), "O22", "CR")
    precourt = np.where(pick < 0.55, "YC", "YCC")
    first_tier = np.select([pick < 0.72, pick < 0.82, pick < 0.90, pick < 0.96], ["RO", "CD", "FINE", "COMP"], "AD")
    custody = np.where(recorded["gravity"].to_numpy() >= 8, "LTD", "DTO")
    return np.select([tier_index == 0, tier_index == 1, tier_index == 2, tier_index == 3],
                     [diversion, precourt, first_tier, np.full(n, "YRO")], custody).astype(object)


def _lengths(outcome_type, rng):
    n = len(outcome_type)
    ranges = {"RO": (3, 12), "YRO": (6, 36), "DTO": (4, 24), "LTD": (24, 96)}
    length = np.full(n, np.nan)
    for code, (low, high) in ranges.items():
        hit = outcome_type == code
        length[hit] = rng.integers(low, high + 1, size=int(hit.sum()))
    return length
