"""NCCIS monthly activity for young people in academic years 12 and 13.

Each young person's 24 months after compulsory school are a few spells of activity.
The first spell starts in September; later spells start in months drawn at random.
Young people with high latent risk, persistent absence or a permanent exclusion are
far more often NEET (not in education, employment or training) or not known.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dates import days_of
from ._trajectory import expit
from ._draw import draw_codes

EET_CODES = {230: 0.45, 220: 0.15, 310: 0.14, 330: 0.05, 360: 0.04, 410: 0.05, 250: 0.03,
             280: 0.02, 340: 0.02, 430: 0.02, 460: 0.01, 240: 0.02}
NEET_CODES = {619: 0.55, 610: 0.15, 615: 0.05, 616: 0.03, 630: 0.05, 640: 0.06, 650: 0.02, 680: 0.06,
              540: 0.03}
NOT_KNOWN_CODES = {810: 0.8, 820: 0.15, 830: 0.05}
MONTHLY_CHANGE = 0.05


def make_activity(people, years, rng):
    """Monthly NCCIS snapshots for every person in years 12 and 13.

    Returns
    -------
    pandas.DataFrame
        ``person``, ``month`` (first day number of the month), ``code`` and
        ``activity_start`` (day number).
    """
    n = len(people)
    first_ay = people["birth_ay"].to_numpy() + 17
    risk = _neet_risk(people, years)
    month_index = np.arange(24)
    person = np.repeat(np.arange(n), 24)
    months = np.tile(month_index, n)
    change = (rng.random(n * 24) < MONTHLY_CHANGE * (1 + expit(risk[person]))) | (months == 0)
    spell = np.cumsum(change) - 1
    n_spells = spell[-1] + 1 if len(spell) else 0
    spell_person = person[change]
    spell_code = _spell_codes(risk[spell_person], rng)
    month_start = days_of(first_ay[person] + (months + 8) // 12, (months + 8) % 12 + 1, 1)
    spell_start = month_start[change] + np.where(months[change] == 0, rng.integers(0, 10, n_spells),
                                                 rng.integers(0, 28, n_spells))
    return pd.DataFrame({"person": person, "month": month_start, "code": spell_code[spell],
                         "activity_start": spell_start[spell]})


def _neet_risk(people, years):
    late = years[(years["k"] >= 9) & (years["k"] <= 11)]
    disengaged = late.groupby("person")["persistent_absence"].any().reindex(range(len(people)), fill_value=False)
    excluded = years.groupby("person")["permanent"].any().reindex(range(len(people)), fill_value=False)
    return (-3.2 + 0.9 * people["latent"].to_numpy() + 0.9 * disengaged.to_numpy()
            + 1.0 * excluded.to_numpy())


def _spell_codes(risk, rng):
    n = len(risk)
    neet = rng.random(n) < expit(risk)
    unknown = ~neet & (rng.random(n) < 0.03 + 0.05 * expit(risk))
    return np.select([neet, unknown], [draw_codes(NEET_CODES, n, rng), draw_codes(NOT_KNOWN_CODES, n, rng)],
                     draw_codes(EET_CODES, n, rng))
