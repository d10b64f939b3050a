"""Schools and each pupil's school year by year, census dates and term calendars.

The authority has primary and secondary schools in every district and one pupil
referral unit (PRU). A pupil attends a primary in their district, then a secondary
(mostly in their district), and after a permanent exclusion the PRU.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dates import days_of, weekday

PRU_URN = 990901
_MOST_PRIMARIES = 1999  # four-digit establishment numbers 2001-3999, below the secondaries' 4001-

TERMS = (  # name, first month/day, last month/day, typical sessions possible
    ("AUT", (9, 1), (12, 31), 140),
    ("SPR", (1, 1), (3, 31), 118),
    ("SUM", (4, 1), (7, 31), 122),
)


def make_schools(n_people, districts):
    """School lists sized so no school allocates 1,000 UPNs in one year.

    Returns
    -------
    dict of numpy.ndarray
        ``primary_urn``, ``primary_estab``, ``primary_district`` and the same for
        ``secondary``.
    """
    per_district = max(2, int(np.ceil(n_people / 15 / len(districts) / 150)))
    primary_district = np.repeat(np.arange(len(districts)), per_district)
    secondary_district = np.arange(len(districts))
    if len(primary_district) > _MOST_PRIMARIES:
        raise ValueError(f"The synthetic authority has at most {_MOST_PRIMARIES:,} primary schools "
                         f"(about {_MOST_PRIMARIES * 150 * 15:,} young people); generate fewer.")
    primary = np.arange(len(primary_district))
    return {
        # 990101-990500, then from 991001: clear of the secondaries (990501-) and the PRU
        "primary_urn": 990101 + primary + np.where(primary >= 400, 500, 0),
        "primary_estab": 2001 + np.arange(len(primary_district)),
        "primary_district": primary_district,
        "secondary_urn": 990501 + np.arange(len(secondary_district)),
        "secondary_estab": 4001 + np.arange(len(secondary_district)),
        "secondary_district": secondary_district,
    }


def assign_schools(people, schools, rng):
    """Primary and secondary school (row positions into ``schools``) per person."""
    district = people["district_idx"].to_numpy()
    n = len(district)
    per = np.bincount(schools["primary_district"], minlength=district.max() + 1)
    first = np.r_[0, np.cumsum(per)[:-1]]
    primary = first[district] + (rng.random(n) * per[district]).astype(np.int64)
    n_sec = len(schools["secondary_urn"])
    elsewhere = rng.random(n) < 0.2
    secondary = np.where(elsewhere, rng.integers(0, n_sec, size=n), district % n_sec)
    return primary, secondary


def census_day(year):
    """Third Thursday of January of ``year`` (array)."""
    first = days_of(year, 1, 1)
    to_thursday = (3 - weekday(first)) % 7
    return first + to_thursday + 14


def school_day(ay_start, rng):
    """Random weekday in term time (early September to mid-July) of each academic year."""
    offset = rng.integers(4, 318, size=len(ay_start))
    offset = np.where((offset > 108) & (offset < 124), offset + 16, offset)  # skip Christmas
    day = ay_start + offset
    wd = weekday(day)
    return day + np.where(wd >= 5, 7 - wd, 0)


def academic_year_label(ay):
    """``2023`` -> ``"2023/24"``."""
    ay = pd.Series(ay).astype(int)
    return (ay.astype(str) + "/" + ((ay + 1) % 100).astype(str).str.zfill(2)).to_numpy(dtype=object)
