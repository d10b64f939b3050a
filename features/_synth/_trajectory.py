"""Latent risk over time: one row per person per academic year of life.

A single yearly loop (vectorised across people, never per person) turns each person's
latent components into correlated states: school absence, suspensions, permanent
exclusion, free school meals, referrals to children's social care, periods looked after,
exploitation and true (not necessarily recorded) offending. Hazards use last year's
states, so risk factors mostly precede the offending they predict; most people with any
one risk factor still never offend because every state carries its own noise.

Year ``k`` is the national-curriculum year the person would be in: ``k = 0`` is
reception (aged 4 to 5), ``k = 7`` is year 7, ``k = 11`` year 11 (aged 15 to 16).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dates import days_of

FIRST_K = -4  # aged 0 to 1
# Children never on a state school's roll: about 6% of pupils in England attend independent
# schools and about 1% are electively home educated (DfE, "Schools, pupils and their
# characteristics" and "Elective home education", 2023/24). The school census never sees
# them, so the authority knows them only through another service.
NOT_IN_STATE_SCHOOL = 0.07
LAST_K = 13   # aged 17 to 18: the last year of youth offending

# Offending: base log-rate and relative rate by curriculum year (peak aged 15 to 16).
OFFENDING_BASE = -4.9
OFFENDING_AGE = {5: 0.02, 6: 0.06, 7: 0.15, 8: 0.35, 9: 0.65, 10: 1.0, 11: 1.1, 12: 0.95, 13: 0.75}
OFFENDING_LATENT = 0.8
OFFENDING_TRANSIENT = 1.0  # this year's circumstances, invisible to any record (SD of the log-rate)
OFFENDING_MALE = 1.35
OFFENDING_PRIOR = 0.9
OFFENDING_ABSENT = 0.7
OFFENDING_SUSPENDED = 0.8
OFFENDING_LOOKED_AFTER = 0.7
OFFENDING_EXPLOITED = 0.6
OFFENDING_CAP = np.log(4.0)  # at most four offences a year on average
# Consequences of offending for school (exclusion for it, disengagement after a first
# offence): they raise the published "share of offenders with the factor" without making
# the factor foretell a first offence.
ABSENT_AFTER_OFFENDING = 0.9
SUSPENDED_AFTER_OFFENDING = 2.0


def expit(x):
    """Logistic function."""
    return 1.0 / (1.0 + np.exp(-x))


def simulate_years(people, rng):
    """Simulate yearly states for every person.

    Parameters
    ----------
    people : pandas.DataFrame
        Output of :func:`make_people`.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    pandas.DataFrame
        One row per person per year ``k`` from -4 to 13 with columns ``person``, ``k``,
        ``ay`` (year the academic year starts), ``ay_start`` and ``ay_end`` (day numbers),
        ``in_school``, ``absence``, ``persistent_absence``, ``suspensions``,
        ``permanent``, ``fsm``, ``referrals``, ``lac_start``, ``lac_end`` (day numbers of
        a new period looked after, -1 when none), ``looked_after`` (at any time in the
        year), ``exploited``, ``disengaged`` (persistently absent, suspended or
        excluded before the year) and ``offences`` (true count).
    """
    n = len(people)
    state = _State(n)
    person = _person_terms(people, rng)
    frames = []
    for k in range(FIRST_K, LAST_K + 1):
        frames.append(_one_year(k, people, person, state, rng))
    return pd.concat(frames, ignore_index=True)


class _State:
    """What carries over from one year to the next."""

    def __init__(self, n):
        self.prior_offences = np.zeros(n, dtype=np.int64)
        self.last_pa = np.zeros(n, dtype=bool)
        self.last_suspended = np.zeros(n, dtype=bool)
        self.permanently_excluded = np.zeros(n, dtype=bool)
        self.referrals = np.zeros(n, dtype=np.int64)
        self.lac_until = np.full(n, -(10**6), dtype=np.int64)
        self.exploited = np.zeros(n, dtype=bool)


def _person_terms(people, rng):
    latent = people["latent"].to_numpy()
    return {
        "latent": latent,
        "male": people["male"].to_numpy(),
        "birth_ay": people["birth_ay"].to_numpy(),
        "absence": 0.72 * latent + 0.69 * people["u_absence"].to_numpy(),
        "behaviour": 0.78 * latent + 0.63 * people["u_behaviour"].to_numpy(),
        "poverty": 0.08 * latent + 0.3 * people["deprivation"].to_numpy() + 0.9 * people["u_poverty"].to_numpy(),
        "care": 0.75 * latent + 0.66 * people["u_care"].to_numpy(),
        "sixth_form": rng.random(len(people)) < expit(-0.2 - 0.9 * latent),
        "state_school": rng.random(len(people)) >= NOT_IN_STATE_SCHOOL,
    }


def _one_year(k, people, p, s, rng):
    n = len(people)
    ay = p["birth_ay"] + 5 + k
    ay_start = days_of(ay, 9, 1)
    ay_end = days_of(ay + 1, 8, 31)
    in_school = (((k >= 0) & (k <= 11)) | ((k >= 12) & p["sixth_form"])) & p["state_school"]
    in_school = np.broadcast_to(in_school, (n,)).copy()
    looked_after = s.lac_until >= ay_start
    absence, pa = _absence(k, ay, p, s, looked_after, in_school, rng)
    suspensions, permanent = _exclusions(k, p, s, pa, in_school, rng)
    fsm = p["poverty"] + 0.3 * rng.standard_normal(n) > 0.95
    referrals = rng.poisson(np.exp(_referral_log_rate(k) + 0.95 * p["care"] + 0.5 * s.last_suspended
                                   + 0.6 * (s.prior_offences > 0)))
    lac_start, lac_end = _looked_after(k, ay_start, p, s, referrals, looked_after, rng)
    looked_after |= lac_start >= 0
    offences = _offending(k, p, s, pa, looked_after, rng)
    frame = pd.DataFrame({
        "person": np.arange(n), "k": k, "ay": ay, "ay_start": ay_start, "ay_end": ay_end,
        "in_school": in_school, "absence": absence, "persistent_absence": pa,
        "suspensions": suspensions, "permanent": permanent, "fsm": fsm,
        "referrals": referrals, "lac_start": lac_start, "lac_end": lac_end,
        "looked_after": looked_after, "exploited": s.exploited.copy(),
        "disengaged": s.last_pa | s.last_suspended | s.permanently_excluded, "offences": offences,
    })
    _carry_over(k, p, s, pa, suspensions, permanent, referrals, offences, rng)
    return frame


def _absence(k, ay, p, s, looked_after, in_school, rng):
    n = len(ay)
    covid = np.isin(ay, (2020, 2021)) * 0.15
    logit = (-4.0 + 1.15 * p["absence"] + 0.3 * rng.standard_normal(n) + 0.09 * max(k - 6, 0)
             + covid + 0.9 * s.permanently_excluded + 0.3 * looked_after + ABSENT_AFTER_OFFENDING * (s.prior_offences > 0))
    absence = np.where(in_school, expit(logit), 0.0)
    return absence, in_school & (absence >= 0.1)


def _exclusions(k, p, s, pa, in_school, rng):
    n = len(pa)
    stage = (0.0 if k >= 7 else -2.2) + (0.35 if k in (9, 10) else 0.0)  # secondary, peaking in years 9-10
    log_rate = (-5.8 + stage + 1.8 * p["behaviour"] + 0.8 * p["male"] + 0.9 * pa
                + 0.6 * s.last_suspended + SUSPENDED_AFTER_OFFENDING * (s.prior_offences > 0))
    suspensions = np.where(in_school & (k >= 1), rng.poisson(np.exp(log_rate)), 0)
    perm_logit = -7.6 + 1.2 * p["behaviour"] + 0.7 * np.log1p(suspensions) + 1.5 * (s.prior_offences > 0)
    permanent = in_school & (k >= 5) & (k <= 11) & ~s.permanently_excluded & (rng.random(n) < expit(perm_logit))
    return suspensions, permanent


def _referral_log_rate(k):
    age = k + 4
    return -4.4 + (0.6 if age <= 1 else 0.0) + (0.35 if 12 <= age <= 16 else 0.0)


def _looked_after(k, ay_start, p, s, referrals, looked_after, rng):
    n = len(ay_start)
    age = k + 4
    logit = (-7.6 + 1.1 * p["care"] + 0.9 * (referrals > 0) + 0.6 * (s.referrals > 0)
             + (0.5 if 12 <= age <= 16 else 0.0) + 0.1 * (s.prior_offences > 0))
    starts = ~looked_after & (rng.random(n) < expit(logit))
    start_day = ay_start + rng.integers(0, 365, size=n)
    stay = np.exp(rng.normal(np.log(420), 1.0, size=n)).astype(np.int64) + 7
    lac_start = np.where(starts, start_day, -1)
    lac_end = np.where(starts, start_day + stay, -1)
    s.lac_until = np.where(starts, lac_end, s.lac_until)
    return lac_start, lac_end


def _offending(k, p, s, pa, looked_after, rng):
    n = len(pa)
    if k not in OFFENDING_AGE:
        return np.zeros(n, dtype=np.int64)
    log_rate = (OFFENDING_BASE + np.log(OFFENDING_AGE[k]) + OFFENDING_LATENT * p["latent"]
                + OFFENDING_MALE * p["male"] + OFFENDING_PRIOR * (s.prior_offences > 0)
                + OFFENDING_ABSENT * s.last_pa + OFFENDING_SUSPENDED * s.last_suspended
                + OFFENDING_LOOKED_AFTER * looked_after + OFFENDING_EXPLOITED * s.exploited
                + OFFENDING_TRANSIENT * rng.standard_normal(n))
    return rng.poisson(np.exp(np.minimum(log_rate, OFFENDING_CAP)))


def _carry_over(k, p, s, pa, suspensions, permanent, referrals, offences, rng):
    n = len(pa)
    exploit_logit = -6.2 + 1.2 * p["latent"] + 1.3 * (s.prior_offences > 0) + 0.8 * s.last_suspended
    s.exploited |= (k >= 7) & (referrals > 0) & (rng.random(n) < expit(exploit_logit + 2.5))
    s.prior_offences += offences
    s.last_pa = pa
    s.last_suspended = suspensions > 0
    s.permanently_excluded |= permanent
    s.referrals += referrals
