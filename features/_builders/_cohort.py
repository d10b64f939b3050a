"""The cohort (everyone aged 10 to 18 on an as-of date) and checks on the call's options."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._base import NEVER, Clock, People, day_of

MIN_AGE, MAX_AGE = 10, 18
MAX_HORIZON = 36


def as_of_dates(as_of: Sequence | object) -> list[pd.Timestamp]:
    """The as-of dates as midnight timestamps, in the order given, repeats removed.

    Raises
    ------
    ValueError
        If no date is given or one cannot be read as a date.
    """
    many = pd.api.types.is_list_like(as_of)
    values = list(as_of) if many else [as_of]
    if len(values) == 0:
        raise ValueError("The 'as_of' option needs at least one date; got none.")
    try:
        stamps = [pd.Timestamp(v).normalize() for v in values]
    except (TypeError, ValueError) as error:
        raise ValueError(
            "The 'as_of' option must hold dates such as '2024-03-31'; one could not be read as a date."
        ) from error
    if any(pd.isna(s) for s in stamps):
        raise ValueError("The 'as_of' option holds a missing date; give real dates such as '2024-03-31'.")
    return list(dict.fromkeys(stamps))


def check_horizon(horizon_months) -> int:
    """``horizon_months`` as an int, or a ValueError saying what is allowed."""
    try:
        whole = not isinstance(horizon_months, (bool, str)) and float(horizon_months).is_integer()
    except (TypeError, ValueError):
        whole = False
    if not whole or not 1 <= horizon_months <= MAX_HORIZON:
        raise ValueError(
            f"The 'horizon_months' option must be a whole number of months between 1 and {MAX_HORIZON}; "
            f"got {horizon_months!r}."
        )
    return int(horizon_months)


def cohort_frame(people: People, clock: Clock) -> pd.DataFrame:
    """``person_id``, ``as_of``, ``age_years`` and ``_position`` (row in ``people``) of everyone
    aged 10 to 18 (in completed years) on the as-of date, in people order."""
    months = people.age_months(clock)
    years = np.floor(months / 12)
    position = np.flatnonzero((years >= MIN_AGE) & (years <= MAX_AGE))
    return pd.DataFrame(
        {
            "person_id": pd.array(people.index.to_numpy(object)[position], dtype="string"),
            "as_of": pd.Series(np.repeat(clock.as_of.to_datetime64(), len(position))).astype("datetime64[ns]"),
            "age_years": (months[position] / 12.0).astype(np.float64),
            "_position": position,
        }
    )


RECORD_DATES = {
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
"""Each table's recording date: the date a record enters the extracts."""

SNAPSHOTS = {
    "pupils": "census_date",
    "attendance": "term_start",
    "nccis_activity": "month_end",
    "ap_placements": "census_date",
}
"""Collections taken at regular dates from the first extract on."""


def record_span(tables: dict[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last dates the extracts cover.

    The start is the first regular collection (:data:`SNAPSHOTS`), or else the first
    record: event tables reach back before the extracts begin (an episode that started
    years earlier). The end is the latest recording date (:data:`RECORD_DATES`).

    Raises
    ------
    ValueError
        If the tables hold no dated records.
    """
    starts = _dated(tables, SNAPSHOTS) or _dated(tables, RECORD_DATES)
    ends = _dated(tables, RECORD_DATES)
    if not ends:
        raise ValueError("The extracts hold no dated records, so no as-of dates can be chosen.")
    return min(d.min() for d in starts), max(d.max() for d in ends)


def _dated(tables: dict[str, pd.DataFrame], columns: dict[str, str]) -> list[pd.Series]:
    return [
        pd.to_datetime(tables[name][column]).dropna()
        for name, column in columns.items()
        if name in tables and column in tables[name].columns and tables[name][column].notna().any()
    ]


def data_end_day(tables: dict[str, pd.DataFrame], data_end=None) -> int:
    """Day number of the last date the extracts cover: ``data_end`` if given, else the
    latest recording date (:data:`RECORD_DATES`) in any table.

    End dates (closures, episode ends) do not count: a planned end is not a record.
    """
    if data_end is not None:
        try:
            return day_of(data_end)
        except (TypeError, ValueError) as error:
            raise ValueError("The 'data_end' option must be a date such as '2025-03-31'.") from error
    ends = _dated(tables, RECORD_DATES)
    return day_of(max(d.max() for d in ends)) if ends else -NEVER
