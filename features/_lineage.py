"""Lineage: the source records behind one person's value of one feature.

Each builder declares, next to the code that computes a feature, which rows make its
value (a :class:`~features._builders._base.Trace`). Tracing runs that same selection on
the one person's rows, so the records listed are exactly the records counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._builders import BUILDERS, Clock, People
from ._builders._cohort import as_of_dates
from ._loaders._schemas import check_tables
from ._matrix import partition_tables

LINEAGE_COLUMNS = ("table", "record_ref", "date", "code", "meaning", "detail")


def trace_feature(tables: dict[str, pd.DataFrame], person_id: str, as_of, feature_name: str) -> pd.DataFrame:
    """The source records behind ``person_id``'s value of ``feature_name`` on ``as_of``.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables (``Extracts.tables``).
    person_id : str
        The person's pseudonym.
    as_of : date-like
        The as-of date of the value.
    feature_name : str
        A feature name from the registry.

    Returns
    -------
    DataFrame
        ``table``, ``record_ref``, ``date``, ``code``, ``meaning`` (the code decoded),
        ``detail``; latest first. Empty (same columns) when no record is behind the value,
        when the feature has no record-level lineage, or when the person is unknown.

    Raises
    ------
    ValueError
        If ``feature_name`` is not a feature any builder makes.

    Examples
    --------
    >>> from features._builders._sample import make_table, empty_tables
    >>> tables = empty_tables()
    >>> tables["people"] = make_table("people", [{"person_id": "p1", "birth_month": "2010-05-01"}])
    >>> tables["exclusions"] = make_table("exclusions", [{"person_id": "p1", "start_date": "2024-03-14",
    ...     "category": "SUSP", "reasons": "PP", "sessions": 4, "record_ref": "school_census/exclusions.csv:row 7"}])
    >>> trace_feature(tables, "p1", "2024-03-31", "suspensions_12m")[["record_ref", "meaning"]].values.tolist()
    [['school_census/exclusions.csv:row 7', 'physical assault against a pupil']]
    """
    traced = trace_features(tables, [person_id], as_of, [feature_name])
    return traced.drop(columns=["person_id", "feature"]).reset_index(drop=True)


def trace_features(tables: dict[str, pd.DataFrame], person_ids, as_of, feature_names) -> pd.DataFrame:
    """The source records behind many people's values of some features, in one pass each.

    Runs each feature's declared trace (the same selection its builder counts) over all
    ``person_ids`` at once, so case pages for hundreds of people cost one pass per feature.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables (``Extracts.tables``).
    person_ids : sequence of str
        The people's pseudonyms.
    as_of : date-like
        The as-of date of the values.
    feature_names : sequence of str
        Feature names from the registry.

    Returns
    -------
    DataFrame
        ``person_id``, ``feature`` and the lineage columns (``table``, ``record_ref``,
        ``date``, ``code``, ``meaning``, ``detail``), latest first within each person and
        feature. Features without record-level lineage contribute no rows.

    Raises
    ------
    ValueError
        If a name is not a feature any builder makes, or the tables break the builders'
        contract (as for :func:`build_features`).
    """
    check_tables(tables)
    wanted = list(dict.fromkeys(feature_names))
    builders = {name: _builder_of(name) for name in wanted}
    own = partition_tables(tables, person_ids)
    people = People.from_table(_people_rows(own["people"], person_ids))
    clock = Clock(as_of_dates(as_of)[0])
    frames = [_empty_traced()]
    for builder in dict.fromkeys(builders.values()):
        names = [n for n in wanted if builders[n] is builder and n in getattr(builder, "TRACES", {})]
        if names:
            prepared = builder.prepare(own, people)
            frames += [_traced(name, builder.TRACES[name], prepared, own, people, clock) for name in names]
    return pd.concat(frames, ignore_index=True)


def _traced(name, trace, prepared, own, people, clock) -> pd.DataFrame:
    records = prepared[trace.table]
    mask = trace.select(records, clock)
    rows = own[trace.table].iloc[records.row[mask]].copy()
    rows["_person"] = people.index[records.person[mask]]
    if trace.pick != "all" and len(rows):
        rows = rows.sort_values(trace.date, ascending=trace.pick == "earliest", kind="stable")
        rows = rows.drop_duplicates("_person", keep="first")
    rows = rows.sort_values(trace.date, ascending=False, kind="stable").reset_index(drop=True)
    frame = _lineage(rows.drop(columns="_person"), trace)
    frame.insert(0, "feature", pd.Series(name, index=frame.index, dtype="string"))
    frame.insert(0, "person_id", rows["_person"].astype("string"))
    return frame


def _empty_traced() -> pd.DataFrame:
    frame = empty_lineage()
    frame.insert(0, "feature", pd.Series(dtype="string"))
    frame.insert(0, "person_id", pd.Series(dtype="string"))
    return frame


def _people_rows(people: pd.DataFrame, person_ids) -> pd.DataFrame:
    """The people rows of ``person_ids``; an unknown person gets an undated row."""
    rows = people.drop_duplicates("person_id")
    missing = pd.Index(pd.unique(np.asarray(person_ids, dtype=object))).difference(rows["person_id"])
    if len(missing):
        unknown = pd.DataFrame({"person_id": missing.astype("str"),
                                "birth_month": pd.Series(pd.NaT, index=range(len(missing)), dtype="datetime64[ns]")})
        rows = pd.concat([rows, unknown], ignore_index=True)
    return rows


def empty_lineage() -> pd.DataFrame:
    """The lineage frame with no rows."""
    frame = pd.DataFrame({c: pd.Series(dtype="string") for c in LINEAGE_COLUMNS})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    return frame


def _builder_of(feature_name: str):
    for builder in BUILDERS:
        if feature_name in builder.NAMES:
            return builder
    raise ValueError(
        f"There is no feature named '{feature_name}'; use a name from the feature registry "
        "(riskmodel features --list, or docs/feature-registry.md)."
    )


def _lineage(rows: pd.DataFrame, trace) -> pd.DataFrame:
    """The lineage columns of ``rows``, in their order and with their index."""
    if len(rows) == 0:
        return empty_lineage()
    index = rows.index
    code = rows[trace.code].astype("string") if trace.code else pd.Series(pd.NA, index=index, dtype="string")
    meaning = rows[trace.code].map(trace.decode) if trace.code and trace.decode else pd.Series("", index=index)
    detail = trace.detail(rows) if trace.detail else pd.Series("", index=index)
    ref = rows["record_ref"] if "record_ref" in rows else pd.Series(trace.table, index=index)
    frame = pd.DataFrame({
        "table": pd.Series(trace.table, index=index, dtype="string"),
        "record_ref": ref.astype("string"),
        "date": pd.to_datetime(rows[trace.date]).astype("datetime64[ns]"),
        "code": code,
        "meaning": meaning.astype("string"),
        "detail": pd.Series(detail, index=index).astype("string"),
    })
    return frame
