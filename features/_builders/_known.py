"""Being known: the first day each young person has a record the authority could read.

A young person enters the cohort of an as-of date only once some source holds a record
of them that is *available* on that date under the point-in-time rules
(``docs/point-in-time-rules.md``): the same availability date the feature builders use
(:data:`AVAILABLE_FROM`). Nobody can score a child the authority had no record of yet,
so nobody is trained on for that date either. A row of the person index (linkage) is
not a record of being known: it is how records are joined, not a contact.

:class:`Known` holds, per person and source, the first available day, prepared once
per call; each as-of date is then one comparison.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._base import NEVER, Clock, People, Records
from ._youth_justice import known_from

SOURCE_TABLES = {
    "ssda903": ("cla_episodes", "cla_missing", "cla_oc2"),
    "cin": ("cin_referrals", "cin_assessment_factors", "cin_section47", "cin_cp_plans"),
    "school_census": ("pupils", "exclusions", "attendance"),
    "ap_census": ("ap_placements",),
    "nccis": ("nccis_activity",),
    "youth_justice": ("yj_offences", "yj_outcomes"),
}
"""The tidy tables of each source, under the source names of ``people.sources``."""

AVAILABLE_FROM = {
    "pupils": "census_date",
    "exclusions": "start_date",
    "attendance": "term_end",
    "ap_placements": "census_date",
    "nccis_activity": "month_end",
    "cin_referrals": "referral_date",
    "cin_assessment_factors": "assessment_authorised",
    "cin_section47": "s47_start",
    "cin_cp_plans": "cpp_start",
    "cla_episodes": "decom",
    "cla_missing": "start",
    "cla_oc2": "year_end",
    "yj_offences": "recorded_date",
    "yj_outcomes": "outcome_date",
}
"""Each table's availability date: the day a record enters what the authority knows
(a term's attendance at its end, OC2 after 31 March, an offence once recorded)."""

SOURCES = tuple(SOURCE_TABLES)


def available_dates(tables: dict[str, pd.DataFrame], name: str) -> pd.Series:
    """The availability date of each row of table ``name`` (:data:`AVAILABLE_FROM`).

    An offence with no ``recorded_date`` is known from its first outcome, else its
    offence date (:func:`features._builders._youth_justice.known_from`).
    """
    table = tables[name]
    if name == "yj_offences" and table["recorded_date"].isna().any():
        return known_from(table, tables["yj_outcomes"])
    return pd.to_datetime(table[AVAILABLE_FROM[name]])


@dataclass(frozen=True)
class Known:
    """Per person (rows, in people order) and source (columns, :data:`SOURCES`), the
    first day a record is available; :data:`NEVER` where the source holds none."""

    first_day: np.ndarray

    @classmethod
    def prepare(cls, tables: dict[str, pd.DataFrame], people: People) -> Known:
        """Read every table's availability dates once.

        Raises
        ------
        ValueError
            If a table of :data:`AVAILABLE_FROM` or its availability column is missing.
        """
        _check(tables)
        first = np.full((people.n, len(SOURCES)), NEVER, dtype=np.int64)
        for column, source in enumerate(SOURCES):
            for name in SOURCE_TABLES[source]:
                table = tables[name].assign(_available=available_dates(tables, name))
                records = Records.from_table(table, people, dates=("_available",))
                np.minimum.at(first[:, column], records.person, records["_available"])
        return cls(first_day=first)

    def sources_by(self, clock: Clock) -> np.ndarray:
        """Boolean (people x sources): the source holds a record available on the as-of date."""
        return self.first_day <= clock.day

    def by(self, clock: Clock) -> np.ndarray:
        """Boolean per person: some source holds a record available on the as-of date."""
        return self.sources_by(clock).any(axis=1)


def _check(tables: dict[str, pd.DataFrame]) -> None:
    missing = [
        f"{name}.{column}" for name, column in AVAILABLE_FROM.items()
        if name not in tables or column not in tables[name].columns
    ]
    if missing:
        raise ValueError(
            f"The tables lack the availability dates that say when a young person became known "
            f"({', '.join(missing)}); pass Extracts.tables from features.load_extracts "
            "(see docs/tidy-tables.md)."
        )


def known_sources(tables: dict[str, pd.DataFrame], as_of) -> pd.DataFrame:
    """Which sources held a record of each young person available on ``as_of``.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables (``Extracts.tables``).
    as_of : date-like
        One as-of date.

    Returns
    -------
    DataFrame
        Indexed by ``person_id`` (people order), one boolean column per source
        (:data:`SOURCES`): the as-of view, never what the source holds by the extract's end.

    Examples
    --------
    >>> from features._builders._sample import sample_tables
    >>> list(known_sources(sample_tables(50, seed=1), "2023-03-31").columns)[:2]
    ['ssda903', 'cin']
    """
    people = People.from_table(tables["people"])
    held = Known.prepare(tables, people).sources_by(Clock(pd.Timestamp(as_of).normalize()))
    return pd.DataFrame(held, index=pd.Index(people.index, name="person_id"), columns=list(SOURCES))
