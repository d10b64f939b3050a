"""The cohort (everyone aged 10 to 18 and known by an as-of date), the data's ends, and checks on options."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._base import NEVER, Clock, People, day_of
from ._known import AVAILABLE_FROM, SOURCE_TABLES, Known

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


def cohort_frame(people: People, clock: Clock, known: Known) -> pd.DataFrame:
    """``person_id``, ``as_of``, ``age_years`` and ``_position`` (row in ``people``) of everyone
    aged 10 to 18 (in completed years) on the as-of date who is known to some source by then
    (:class:`Known`), in people order."""
    months = people.age_months(clock)
    position = np.flatnonzero(in_age_range(months) & known.by(clock))
    return pd.DataFrame(
        {
            "person_id": pd.array(people.index.to_numpy(object)[position], dtype="string"),
            "as_of": pd.Series(np.repeat(clock.as_of.to_datetime64(), len(position))).astype("datetime64[ns]"),
            "age_years": (months[position] / 12.0).astype(np.float64),
            "_position": position,
        }
    )


def in_age_range(age_months: np.ndarray) -> np.ndarray:
    """Aged 10 to 18 in completed years (False where the month of birth is unknown)."""
    years = np.floor(age_months / 12)
    return (years >= MIN_AGE) & (years <= MAX_AGE)


NOT_IN_COHORT = {
    "no_birth_month": "no month of birth is recorded in any source, so their age on {date} is unknown "
                      "and they cannot be placed in the cohort; the data owner can add it",
    "not_yet_known": "no source held a record of them available by {date} (their first record came "
                     "later), so the authority could not have scored them then",
    "outside_age_range": "they are not aged 10 to 18 on {date}; only young people of that age are scored",
}
"""Why a young person in the people index is not in an as-of date's cohort, by the reason
:func:`cohort_status` gives; ``{date}`` is the as-of date ("the date" in counts over dates)."""

UNPLACED_REASONS = ("no_birth_month", "not_yet_known")
"""The reasons counted in ``FeatureSet.unplaced``: those that are not simply a young person's age."""


def unplaced_counts(people: People, clock: Clock, known: Known) -> dict[str, int]:
    """How many young people :func:`cohort_status` leaves out of the date's cohort, by each
    reason of :data:`UNPLACED_REASONS`."""
    status = cohort_status(people, clock, known)
    return {reason: int((status == reason).sum()) for reason in UNPLACED_REASONS}


def cohort_status(people: People, clock: Clock, known: Known) -> np.ndarray:
    """Per person, why they are or are not in the as-of date's cohort.

    ``"outside_age_range"`` (a known month of birth, not aged 10 to 18, whether or not
    known to a source by then: their age alone keeps them out); ``"not_yet_known"`` (no
    source held a record available by the date, and aged 10 to 18 or of unknown age);
    ``"no_birth_month"`` (known by then, but no month of birth anywhere); or ``"in_cohort"``.
    So a count of ``"not_yet_known"`` counts only those the date's records alone keep out.
    """
    months = people.age_months(clock)
    unknown_age = np.isnan(months)
    return np.select(
        [~unknown_age & ~in_age_range(months), ~known.by(clock), unknown_age],
        ["outside_age_range", "not_yet_known", "no_birth_month"],
        default="in_cohort",
    ).astype(object)


SNAPSHOTS = {
    "pupils": "census_date",
    "attendance": "term_start",
    "nccis_activity": "month_end",
    "ap_placements": "census_date",
}
"""Collections taken at regular dates from the first extract on."""

DEFAULT_RECORDING_LAG_MONTHS = 3
"""Months by which a label window must end before the youth justice extract's end: an
offence committed in the last weeks before an extract is often not yet recorded
(``docs/point-in-time-rules.md`` justifies the default)."""

MAX_RECORDING_LAG = 24


def record_span(tables: dict[str, pd.DataFrame]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last dates the extracts cover, over every source.

    The start is the first regular collection (:data:`SNAPSHOTS`), or else the first
    record: event tables reach back before the extracts begin (an episode that started
    years earlier). The end is the latest recording date (:data:`AVAILABLE_FROM`). Each
    source's own span is :func:`source_spans`.

    Raises
    ------
    ValueError
        If the tables hold no dated records.
    """
    starts = _dated(tables, SNAPSHOTS) or _dated(tables, AVAILABLE_FROM)
    ends = _dated(tables, AVAILABLE_FROM)
    if not ends:
        raise ValueError("The extracts hold no dated records, so no as-of dates can be chosen.")
    return min(d.min() for d in starts), max(d.max() for d in ends)


def source_spans(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Each source's first and last recording date, as :func:`record_span` reads them.

    Returns
    -------
    DataFrame
        Indexed by source (``ssda903``, ``cin``, ``school_census``, ``ap_census``,
        ``nccis``, ``youth_justice``), columns ``start`` and ``end``; ``NaT`` for a source
        with no dated record.
    """
    rows = {}
    for source, names in SOURCE_TABLES.items():
        own = {name: tables[name] for name in names if name in tables}
        starts = _dated(own, SNAPSHOTS) or _dated(own, AVAILABLE_FROM)
        ends = _dated(own, AVAILABLE_FROM)
        rows[source] = (min((d.min() for d in starts), default=pd.NaT),
                        max((d.max() for d in ends), default=pd.NaT))
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=["start", "end"]).astype("datetime64[ns]")
    frame.index.name = "source"
    return frame


def _dated(tables: dict[str, pd.DataFrame], columns: dict[str, str]) -> list[pd.Series]:
    return [
        pd.to_datetime(tables[name][column]).dropna()
        for name, column in columns.items()
        if name in tables and column in tables[name].columns and tables[name][column].notna().any()
    ]


def data_end_day(tables: dict[str, pd.DataFrame], data_end=None, *, spans: pd.DataFrame | None = None) -> int:
    """Day number of the last date the extracts cover: ``data_end`` if given, else the
    latest recording date (:data:`AVAILABLE_FROM`) in any table.

    End dates (closures, episode ends) do not count: a planned end is not a record.
    ``spans``, the tables' :func:`source_spans` when already known, saves reading them again.
    """
    if data_end is not None:
        return _day_option(data_end, "data_end")
    end = (source_spans(tables) if spans is None else spans)["end"].max()
    return day_of(end) if pd.notna(end) else -NEVER


def check_recording_lag(months) -> int:
    """``recording_lag_months`` as an int, or a ValueError saying what is allowed."""
    whole = isinstance(months, (int, np.integer)) and not isinstance(months, bool)
    if not whole or not 0 <= months <= MAX_RECORDING_LAG:
        raise ValueError(
            f"The 'recording_lag_months' option must be a whole number of months between 0 and "
            f"{MAX_RECORDING_LAG}; got {months!r}."
        )
    return int(months)


def label_end_day(tables: dict[str, pd.DataFrame], *, data_end=None,
                  recording_lag_months: int = DEFAULT_RECORDING_LAG_MONTHS,
                  spans: pd.DataFrame | None = None) -> int:
    """Day number of the last day a label window may end.

    That is the youth justice extract's own end minus the recording lag. The extract's end
    is the latest recording date in ``yj_offences`` and ``yj_outcomes``, or ``data_end``
    when that is earlier (an extract taken on a known date); other sources' ends do not
    count, since the label reads youth justice records only. ``spans``, the tables'
    :func:`source_spans` when already known, saves reading them again.

    Raises
    ------
    ValueError
        If ``data_end`` is not a date or ``recording_lag_months`` is out of range.
    """
    lag = check_recording_lag(recording_lag_months)
    spans = source_spans(tables) if spans is None else spans
    ends = [day_of(end) for end in (spans.loc["youth_justice", "end"],) if pd.notna(end)]
    if data_end is not None:
        ends.append(_day_option(data_end, "data_end"))
    if not ends:
        return -NEVER
    end = pd.Timestamp(np.datetime64(min(ends), "D"))
    return day_of(end - pd.DateOffset(months=lag))


def _day_option(value, option: str) -> int:
    try:
        return day_of(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"The '{option}' option must be a date such as '2025-03-31'.") from error


def label_cut_off(tables: dict[str, pd.DataFrame], *, data_end=None,
                  recording_lag_months: int = DEFAULT_RECORDING_LAG_MONTHS) -> pd.Timestamp | None:
    """The label cut-off as a date (:func:`label_end_day`); None without youth justice records.

    Examples
    --------
    >>> from features._builders._sample import sample_tables
    >>> tables = sample_tables(200, seed=1)
    >>> cut = label_cut_off(tables)
    >>> cut == source_spans(tables).loc["youth_justice", "end"] - pd.DateOffset(months=3)
    True
    """
    day = label_end_day(tables, data_end=data_end, recording_lag_months=recording_lag_months)
    return pd.Timestamp(np.datetime64(day, "D")) if day > -NEVER else None
