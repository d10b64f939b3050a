"""The synthetic population: who the young people are and how much latent risk they carry.

Each person gets a date of birth, sex, ethnicity, a home postcode in one of a handful of
fictional districts, and a set of latent standard-normal components. ``latent`` is the
propensity that drives every adverse event; the other components add person-level noise
so that risk factors are correlated but far from identical. Ethnicity plays no part in
``latent``: any difference between groups in recorded offending comes from area
deprivation or from the recording bias alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._codes import ETHNICITY_GROUP
from ._dates import day, year_month_day
from ._draw import draw_codes

# Aged 10 to 18 at some point between the first and last as-of dates later work uses.
AS_OF_FIRST = "2019-04-01"
AS_OF_LAST = "2025-03-31"

# Fictional postcode districts ("ZZ" is no real postcode area) with a deprivation score
# (standardised) and a share of the population.
DISTRICTS = pd.DataFrame({
    "district": [f"ZZ{i}" for i in range(1, 13)],
    "deprivation": [1.6, 1.2, 0.9, 0.6, 0.35, 0.1, -0.1, -0.35, -0.6, -0.9, -1.2, -1.5],
    "share": [0.10, 0.11, 0.10, 0.09, 0.09, 0.08, 0.08, 0.08, 0.07, 0.07, 0.07, 0.06],
})

# A diverse English city's school-age population.
ETHNIC_MIX = {
    "WBRI": 0.50, "WIRI": 0.005, "WIRT": 0.003, "WOTH": 0.05, "WROM": 0.006,
    "MWBC": 0.035, "MWBA": 0.012, "MWAS": 0.012, "MOTH": 0.025,
    "AIND": 0.03, "APKN": 0.07, "ABAN": 0.012, "AOTH": 0.02,
    "BCRB": 0.045, "BAFR": 0.06, "BOTH": 0.02, "CHNE": 0.01, "OOTH": 0.025,
    "REFU": 0.006, "NOBT": 0.004,
}

AREA_LOADING = 0.35  # share of latent risk variance's square root carried by the area

_FORENAMES_M = np.array(["Arlo", "Bram", "Cato", "Dax", "Eli", "Finn", "Gus", "Huw", "Ivo", "Jory",
                         "Kit", "Lyle", "Milo", "Nico", "Olly", "Pax", "Rafe", "Sol", "Tam", "Zed"])
_FORENAMES_F = np.array(["Ada", "Bea", "Cleo", "Dot", "Edie", "Fay", "Gwen", "Hope", "Isla", "Jude",
                         "Kaya", "Lark", "Mae", "Nell", "Opal", "Pip", "Rue", "Skye", "Tess", "Wren"])
_SURNAME_HEAD = np.array(["Ash", "Bram", "Cor", "Dun", "Elm", "Fen", "Gor", "Hal", "Ket", "Lon",
                          "Mar", "Nor", "Orm", "Pel", "Quen", "Ros", "Sel", "Tarn", "Wex", "Yar"])
_SURNAME_TAIL = np.array(["beck", "by", "cott", "dale", "field", "gate", "hurst", "ley", "mere",
                          "ridge", "stead", "thorpe", "ton", "well", "wick", "worth"])
_INWARD_LETTERS = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))


def make_people(n, rng):
    """Draw ``n`` young people with demographics and latent risk components.

    Parameters
    ----------
    n : int
        Number of young people.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    pandas.DataFrame
        One row per person, indexed 0 to n-1.
    """
    dob = _dates_of_birth(n, rng)
    male = rng.random(n) < 0.51
    ethnicity = draw_codes(ETHNIC_MIX, n, rng)
    district_idx = rng.choice(len(DISTRICTS), size=n, p=DISTRICTS["share"].to_numpy())
    deprivation = DISTRICTS["deprivation"].to_numpy()[district_idx]
    components = rng.standard_normal((6, n))
    latent = AREA_LOADING * deprivation + np.sqrt(1 - AREA_LOADING**2) * components[0]
    people = pd.DataFrame({
        "dob": dob,
        "male": male,
        "sex": np.where(male, "M", "F"),
        "ethnicity": ethnicity,
        "ethnicity_group": pd.Series(ethnicity).map(ETHNICITY_GROUP).to_numpy(),
        "district": DISTRICTS["district"].to_numpy()[district_idx],
        "district_idx": district_idx,
        "deprivation": deprivation,
        "latent": latent,
        "u_absence": components[1],
        "u_behaviour": components[2],
        "u_poverty": components[3],
        "u_sen": components[4],
        "u_care": components[5],
    })
    people["birth_ay"] = academic_year_of(dob)
    people["postcode"] = _postcodes(people["district"].to_numpy(), rng)
    people["forename"], people["surname"] = _names(male, rng)
    return people


def _dates_of_birth(n, rng):
    """Births spread evenly so each as-of date has a full 10 to 18 cohort."""
    first = day(AS_OF_FIRST)
    last = day(AS_OF_LAST)
    earliest = int(first - 19 * 365.25) + 2
    latest = int(last - 10 * 365.25) - 1
    return rng.integers(earliest, latest + 1, size=n)


def academic_year_of(days):
    """Year in which the academic year (1 September to 31 August) of each date starts."""
    year, month, _ = year_month_day(days)
    return year - (month < 9)


def _postcodes(districts, rng):
    n = len(districts)
    sector = rng.integers(1, 10, size=n).astype(str)
    letters = _INWARD_LETTERS[rng.integers(0, len(_INWARD_LETTERS), size=(2, n))]
    inward = np.strings.add(np.strings.add(sector, letters[0]), letters[1])
    return np.strings.add(np.strings.add(districts.astype(str), " "), inward).astype(object)


def _names(male, rng):
    n = len(male)
    first = np.where(male, _FORENAMES_M[rng.integers(0, 20, n)], _FORENAMES_F[rng.integers(0, 20, n)])
    surname = np.strings.add(_SURNAME_HEAD[rng.integers(0, len(_SURNAME_HEAD), n)],
                             _SURNAME_TAIL[rng.integers(0, len(_SURNAME_TAIL), n)])
    return first.astype(object), surname.astype(object)
