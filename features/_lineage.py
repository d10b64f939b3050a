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
    builder = _builder_of(feature_name)
    trace = getattr(builder, "TRACES", {}).get(feature_name)
    clock = Clock(as_of_dates(as_of)[0])
    if trace is None:
        return empty_lineage()
    mine = {name: _rows_of(tables[name], person_id) for name in builder.SOURCES}
    people = People.from_table(_person_table(mine.get("people", tables["people"]), tables, person_id))
    records = builder.prepare({**tables, **mine}, people)[trace.table]
    rows = mine[trace.table].iloc[records.row[trace.select(records, clock)]]
    return _lineage(_pick(rows, trace), trace)


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


def _rows_of(table: pd.DataFrame, person_id: str) -> pd.DataFrame:
    return table.loc[(table["person_id"] == person_id).fillna(False).to_numpy(bool)].reset_index(drop=True)


def _person_table(people: pd.DataFrame, tables: dict[str, pd.DataFrame], person_id: str) -> pd.DataFrame:
    rows = _rows_of(people, person_id)
    if len(rows):
        return rows
    return pd.DataFrame({"person_id": [person_id], "birth_month": pd.Series([pd.NaT], dtype="datetime64[ns]")})


def _pick(rows: pd.DataFrame, trace) -> pd.DataFrame:
    if trace.pick == "all" or len(rows) == 0:
        return rows
    dates = pd.to_datetime(rows[trace.date])
    position = int(np.argmax(dates.to_numpy())) if trace.pick == "latest" else int(np.argmin(dates.to_numpy()))
    return rows.iloc[[position]]


def _lineage(rows: pd.DataFrame, trace) -> pd.DataFrame:
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
    return frame.sort_values("date", ascending=False, kind="stable").reset_index(drop=True)
