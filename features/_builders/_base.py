"""Shared machinery of the point-in-time builders: records as arrays, the clock, reducers.

Every builder turns one or more tidy tables into :class:`Records` once per call (person
positions and dates as whole days), then, for each as-of date, selects rows with boolean
masks and reduces them per person with ``numpy.bincount`` or ``ufunc.at``. Nothing loops
over people, and every reduction depends only on a person's own rows, so the same code
runs on any partition of people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

NEVER = np.iinfo(np.int64).max // 4
"""Day number standing for a missing date: a record without it is never available, and
an episode without an end date is still open."""


def to_days(values) -> np.ndarray:
    """Whole days since 1970-01-01 as int64; missing dates become :data:`NEVER`."""
    stamps = pd.to_datetime(pd.Series(values), errors="coerce").to_numpy()
    days = stamps.astype("datetime64[D]").astype(np.int64)
    days[np.isnat(stamps)] = NEVER
    return days


def day_of(when) -> int:
    """Day number of one date-like value."""
    return int(np.datetime64(pd.Timestamp(when).normalize().to_datetime64(), "D").astype(np.int64))


@dataclass(frozen=True)
class Clock:
    """One as-of date, with the start days of the look-back windows.

    A window of ``m`` months is ``(as_of - m months, as_of]``: a record dated exactly
    ``m`` calendar months before the as-of date falls outside it.
    """

    as_of: pd.Timestamp

    @property
    def day(self) -> int:
        return day_of(self.as_of)

    def since(self, months: int) -> int:
        """Day number of ``as_of`` minus ``months`` calendar months (excluded from the window)."""
        return day_of(self.as_of - pd.DateOffset(months=months))

    def until(self, months: int) -> int:
        """Day number of ``as_of`` plus ``months`` calendar months (included in a label window)."""
        return day_of(self.as_of + pd.DateOffset(months=months))


@dataclass
class Records:
    """One tidy table as arrays: ``person`` positions, source ``row`` numbers and columns.

    Rows whose person is not in the people index are dropped (they cannot be in any
    cohort). Date columns are whole days (:func:`to_days`); other columns keep their
    values as numpy arrays.
    """

    person: np.ndarray
    row: np.ndarray
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __len__(self) -> int:
        return len(self.person)

    @classmethod
    def from_table(
        cls,
        table: pd.DataFrame,
        index: People,
        *,
        dates: tuple[str, ...] = (),
        values: dict[str, Callable[[pd.DataFrame], object]] | None = None,
    ) -> Records:
        """Prepare ``table`` against the people ``index``.

        Parameters
        ----------
        table : DataFrame
            A tidy table with a ``person_id`` column.
        index : People
            The people, in the order of the output arrays.
        dates : tuple of str, default=()
            Date columns to turn into day numbers.
        values : dict, default=None
            Derived columns: name to a function of the table returning an array-like.
        """
        position = person_positions(table["person_id"], index)
        keep = position >= 0
        kept = table.loc[keep] if not keep.all() else table
        columns = {name: to_days(kept[name]) for name in dates}
        for name, derive in (values or {}).items():
            columns[name] = np.asarray(derive(kept))
        return cls(
            person=position[keep].astype(np.int64),
            row=np.flatnonzero(keep),
            columns=columns,
        )


def person_positions(ids: pd.Series, people: People) -> np.ndarray:
    """Position of each id in ``people`` (-1 where absent), hashed in Arrow without Python objects.

    The result is remembered for the same column object, since several builders read
    the same table.
    """
    if len(ids) == 0:
        return np.empty(0, np.int64)
    key = id(ids.array)
    cached = people.positions.get(key)
    if cached is not None and cached[0] is ids.array:
        return cached[1]
    found = pc.index_in(_arrow_ids(ids), value_set=people.arrow_ids)
    position = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    people.positions[key] = (ids.array, position)
    return position


def _arrow_ids(ids: pd.Series):
    """The ids as Arrow large strings; a column already held in Arrow is used as it is."""
    array = ids.array
    if isinstance(array, pd.arrays.ArrowStringArray) and pa.types.is_large_string(array._pa_array.type):
        return array._pa_array
    return pa.array(ids.astype("string"), type=pa.large_string())


def count(records: Records, mask: np.ndarray, n: int, weights: np.ndarray | None = None) -> np.ndarray:
    """Per-person count (or weighted sum) of the masked rows; zero for none."""
    w = None if weights is None else np.asarray(weights, dtype=np.float64)[mask]
    return np.bincount(records.person[mask], weights=w, minlength=n).astype(np.float64)


def flag(records: Records, mask: np.ndarray, n: int) -> np.ndarray:
    """1.0 where a person has any masked row, else 0.0."""
    return (count(records, mask, n) > 0).astype(np.float64)


def latest(records: Records, values: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per-person maximum of ``values`` over the masked rows; NaN for none."""
    out = np.full(n, -np.inf)
    np.maximum.at(out, records.person[mask], np.asarray(values, dtype=np.float64)[mask])
    out[np.isneginf(out)] = np.nan
    return out


def earliest(records: Records, values: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per-person minimum of ``values`` over the masked rows; NaN for none."""
    return -latest(records, -np.asarray(values, dtype=np.float64), mask, n)


def known_end(end: np.ndarray, clock: Clock) -> np.ndarray:
    """End days as known on the as-of date: an end after it is not yet known (open)."""
    return np.where(end <= clock.day, end, NEVER)


def open_at(start: np.ndarray, end: np.ndarray, clock: Clock) -> np.ndarray:
    """Episodes open on the as-of date: started on or before it, not ended by it."""
    return (start <= clock.day) & (end > clock.day)


def overlaps(start: np.ndarray, end: np.ndarray, clock: Clock, months: int) -> np.ndarray:
    """Episodes open at any time in the window ``(as_of - months, as_of]``."""
    return (start <= clock.day) & (known_end(end, clock) > clock.since(months))


def within(dates: np.ndarray, clock: Clock, months: int) -> np.ndarray:
    """Dates in the window ``(as_of - months, as_of]``."""
    return (dates <= clock.day) & (dates > clock.since(months))


def has_code(series: pd.Series, codes: tuple[str, ...]) -> np.ndarray:
    """Whether each ``;``-joined code list holds any of ``codes`` (whole codes, any case)."""
    if len(series) == 0:
        return np.zeros(0, bool)
    text = pa.array(_arrow_text(series).str.upper())
    parts = pc.split_pattern(text, ";")
    found = pc.is_in(pc.utf8_trim_whitespace(pc.list_flatten(parts)), value_set=pa.array(list(codes)))
    owner = pc.list_parent_indices(parts).to_numpy()
    hits = found.fill_null(False).to_numpy(zero_copy_only=False)
    return np.bincount(owner[hits], minlength=len(series)) > 0


def in_codes(series: pd.Series, codes) -> np.ndarray:
    """Whether each value is one of ``codes`` (missing values are not)."""
    text = _arrow_text(series).str.upper()
    return text.isin([str(c).upper() for c in codes]).fillna(False).to_numpy(bool)


def _arrow_text(series: pd.Series) -> pd.Series:
    """The values as Arrow-backed strings, so string operations run in Arrow, not Python."""
    return series.astype(pd.StringDtype("pyarrow"))


@dataclass(frozen=True)
class People:
    """The people every builder reports on, in index order, with their months of birth."""

    index: pd.Index
    birth_year: np.ndarray
    birth_month: np.ndarray
    positions: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def n(self) -> int:
        return len(self.index)

    @cached_property
    def arrow_ids(self) -> pa.Array:
        """The ids as an Arrow array, for hashing record ids against."""
        return pa.array(self.index.to_numpy(object), type=pa.large_string())

    @classmethod
    def from_table(cls, people: pd.DataFrame) -> People:
        born = pd.to_datetime(people["birth_month"], errors="coerce")
        return cls(
            index=pd.Index(people["person_id"].astype("string").to_numpy(object)),
            birth_year=born.dt.year.to_numpy(np.float64, na_value=np.nan),
            birth_month=born.dt.month.to_numpy(np.float64, na_value=np.nan),
        )

    def age_months(self, clock: Clock) -> np.ndarray:
        """Completed months of age on the as-of date (NaN where the month of birth is unknown).

        Only the month of birth is known, so a child counts as a month older from the
        first day of each month after the month of birth.
        """
        return (clock.as_of.year - self.birth_year) * 12 + (clock.as_of.month - self.birth_month)


@dataclass(frozen=True)
class Trace:
    """How to list the records behind one feature (see :mod:`features._lineage`).

    Parameters
    ----------
    table : str
        Tidy table holding the records.
    select : callable
        ``select(records, clock) -> bool array``: the rows that make the value.
    date : str
        Tidy column shown as the record's date.
    code : str or None, default=None
        Tidy column holding the code to decode.
    decode : callable or None, default=None
        Code to plain-English meaning.
    detail : callable or None, default=None
        ``detail(rows) -> Series`` of short plain-English details.
    pick : {"all", "latest", "earliest"}, default="all"
        Keep every selected row, or only the latest or earliest by ``date``.
    """

    table: str
    select: Callable[[Records, Clock], np.ndarray]
    date: str
    code: str | None = None
    decode: Callable[[object], str] | None = None
    detail: Callable[[pd.DataFrame], pd.Series] | None = None
    pick: str = "all"


def decoder(codes: dict, *, many: bool = False, unknown: str = "unknown code") -> Callable[[object], str]:
    """A function decoding one code (or a ``;``-joined list) with the ``codes`` mapping;
    a code not in it reads as ``unknown``."""

    def meaning(code) -> str:
        if code is None or (not isinstance(code, str) and pd.isna(code)):
            return ""
        parts = str(code).split(";") if many else [code]
        found = []
        for part in parts:
            key = part.strip().upper() if isinstance(part, str) else part
            value = codes.get(key, codes.get(str(key), unknown))
            found.append(value[1] if isinstance(value, tuple) else value)
        return "; ".join(found)

    return meaning


def latest_row(records: Records, dates: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Per person, the position (in ``records``) of the masked row with the latest date; -1 for none.

    Ties go to the row that comes last in the source table.
    """
    rows = np.flatnonzero(mask)
    order = rows[np.lexsort((rows, dates[rows], records.person[rows]))]
    person = records.person[order]
    last = np.ones(len(order), bool)
    last[:-1] = person[1:] != person[:-1]
    out = np.full(n, -1, np.int64)
    out[person[last]] = order[last]
    return out


def take(values: np.ndarray, positions: np.ndarray, missing=np.nan) -> np.ndarray:
    """``values[positions]`` with ``missing`` where the position is -1."""
    if len(values) == 0:
        return np.full(len(positions), missing, dtype=object if not isinstance(missing, float) else float)
    picked = values[np.maximum(positions, 0)]
    if picked.dtype.kind in "fi" and isinstance(missing, float):
        picked = picked.astype(np.float64)
    else:
        picked = picked.astype(object)
    picked[positions < 0] = missing
    return picked
