"""Column declarations and their vectorised parsers.

Each source table is declared as a tuple of :class:`Column` objects (its schema);
:func:`parse_columns` turns the raw strings into typed columns and records every
row-level problem in a :class:`~._problems.RowProblems` collector, all at once.
Reasons name the column and the rule, never the offending value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._text import TEXT

UPN_PATTERN = r"^[A-Z]\d{12}$|^[A-Z]\d{11}[A-Z]$"
UPN_UNKNOWN_CODES = tuple(f"UN{i}" for i in range(1, 8))
TRUE_VALUES = frozenset({"1", "Y", "YES", "TRUE", "T"})
FALSE_VALUES = frozenset({"0", "N", "NO", "FALSE", "F"})
FIRST_YEAR, LAST_YEAR = 1900, 2099
DATE_RULE = "use DD/MM/YYYY or YYYY-MM-DD"
MAX_WHOLE = 2.0**53  # the largest whole number a float64 (and so an Int64 column) holds exactly


@dataclass(frozen=True)
class Column:
    """One column of a source table.

    Parameters
    ----------
    name : str
        Canonical header name.
    kind : {"str", "code", "codes", "date", "month", "int", "number", "flag", "upn"}
        How the cell is parsed. ``"codes"`` is a ``;``-separated list of codes;
        ``"month"`` is ``YYYY-MM`` and parses to the month's last day.
    required : bool, default=False
        The column must be in the header and every row must have a value.
    codes : collection of str, optional
        Allowed codes (after upper-casing and ``aliases``) for ``"code"``/``"codes"``.
    aliases : mapping, optional
        Older or alternative codes mapped to the current ones, e.g. ``FIXD`` to ``SUSP``.
    low, high : float, optional
        Inclusive bounds for ``"int"`` and ``"number"``.
    unknown_upn : bool, default=False
        For ``"upn"``: also accept the ``UN1``-``UN7`` reasons a UPN is unknown
        (they parse to missing).
    pattern : str, optional
        For ``"code"``: a regular expression every well-formed code matches. A value
        that does not match is a row problem.
    keep_unknown : bool, default=False
        For ``"code"`` with a ``pattern``: keep a well-formed code that is not in
        ``codes`` and count it as a warning (the row is not quarantined). Used where
        dropping the row would drop a real event, such as an offence of a class the
        library does not list.
    """

    name: str
    kind: str = "str"
    required: bool = False
    codes: frozenset | tuple | None = None
    aliases: dict | None = None
    low: float | None = None
    high: float | None = None
    unknown_upn: bool = False
    pattern: str | None = None
    keep_unknown: bool = False


def required_names(columns):
    """Names of the columns that must be present in the header."""
    return tuple(c.name for c in columns if c.required)


def optional_names(columns):
    """Names of the columns that may be absent from the header."""
    return tuple(c.name for c in columns if not c.required)


def parse_columns(raw, columns, problems):
    """Parse the declared columns of ``raw``; record each bad cell in ``problems``.

    Parameters
    ----------
    raw : pandas.DataFrame
        Stripped strings, blanks as missing (see :func:`~._csv.read_extract`).
    columns : sequence of Column
        The table's declaration.
    problems : RowProblems
        Collector for row-level problems.

    Returns
    -------
    pandas.DataFrame
        The parsed columns, same index as ``raw``.
    """
    parsed = {}
    for column in columns:
        values = raw[column.name]
        if column.required:
            problems.add(values.isna(), column.name, "missing required value")
        parsed[column.name] = _parse_unique_values(values, column, problems)
    return pd.DataFrame(parsed, index=raw.index)


class _Found:
    """Problem (and warning) collector over the distinct values of one column."""

    def __init__(self):
        self.found = []
        self.warned = []

    def add(self, mask, column, reason):
        self.found.append((_as_mask(mask), column, reason))

    def warn(self, mask, column, reason):
        self.warned.append((_as_mask(mask), column, reason))


def _as_mask(mask):
    if isinstance(mask, pd.Series):
        mask = mask.to_numpy(dtype=bool, na_value=False)
    return np.asarray(mask, dtype=bool)


def _parse_unique_values(values, column, problems):
    """Parse each distinct value once, then spread results and problems to the rows.

    A ``"str"`` column already held as text is kept as it is: it has nothing to parse.
    """
    if column.kind == "str" and values.dtype == TEXT:
        return values
    codes, uniques = pd.factorize(values)
    distinct = _distinct_text(uniques)
    found = _Found()
    parsed = _PARSERS[column.kind](distinct, column, found)
    present = codes >= 0
    for record, collected in ((problems.add, found.found), (problems.warn, found.warned)):
        for mask, name, reason in collected:
            rows = np.zeros(len(codes), dtype=bool)
            rows[present] = mask[codes[present]]
            record(rows, name, reason)
    return pd.Series(parsed.array.take(codes, allow_fill=True), index=values.index)


def by_unique(values, func):
    """Apply a Series-to-Series ``func`` to the distinct values only, then spread back.

    Examples
    --------
    >>> by_unique(pd.Series(["a", "b", "a", None]), lambda s: s.str.upper()).tolist()
    ['A', 'B', 'A', nan]
    """
    codes, uniques = pd.factorize(values)
    out = func(_distinct_text(uniques))
    return pd.Series(out.array.take(codes, allow_fill=True), index=values.index)


def parse_dates(values):
    """Parse ``DD/MM/YYYY`` or ``YYYY-MM-DD`` strings; anything else becomes ``NaT``.

    Unique strings are parsed once, so long columns of repeated dates are cheap.

    Examples
    --------
    >>> parse_dates(pd.Series(["05/01/2024", "2024-01-05", "31/02/2024", None])).tolist()
    [Timestamp('2024-01-05 00:00:00'), Timestamp('2024-01-05 00:00:00'), NaT, NaT]
    """
    codes, uniques = pd.factorize(values)
    text = _distinct_text(uniques)
    if (text.str.len() > 10).any():
        text = text.str.replace(r"[T ]00:00(:00(\.0+)?)?$", "", regex=True)
    iso = text.str.match(r"\d{4}-").to_numpy(dtype=bool, na_value=False)
    parsed = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[ns]")
    for rows, form in ((~iso, "%d/%m/%Y"), (iso, "%Y-%m-%d")):
        if rows.any():
            found = pd.to_datetime(text[rows], format=form, errors="coerce")
            parsed[rows] = found.to_numpy().astype("datetime64[ns]")
    years = parsed.astype("datetime64[Y]").astype("float64") + 1970
    parsed[(years < FIRST_YEAR) | (years > LAST_YEAR)] = np.datetime64("NaT")
    out = parsed[codes] if len(parsed) else np.full(len(codes), np.datetime64("NaT"), "M8[ns]")
    out = np.where(codes < 0, np.datetime64("NaT"), out).astype("datetime64[ns]")
    return pd.Series(out, index=values.index)


def _parse_str(values, column, problems):
    return values


def _parse_code(values, column, problems):
    codes = values.str.upper()
    if column.aliases:
        codes = codes.replace(column.aliases)
    unknown = codes.notna() & ~codes.isin(list(column.codes))
    if column.pattern is None:
        problems.add(unknown, column.name, f"unknown {column.name} code; see {_codes_doc(column)}")
        return codes.mask(unknown)
    malformed = codes.notna() & ~codes.str.fullmatch(column.pattern).fillna(False).astype(bool)
    problems.add(malformed, column.name, f"not a well-formed {column.name} code; see {_codes_doc(column)}")
    unlisted = unknown & ~malformed
    if column.keep_unknown:
        problems.warn(unlisted, column.name,
                      f"well-formed but unlisted {column.name} code: kept, decoded as unknown; "
                      f"see {_codes_doc(column)}")
        return codes.mask(malformed)
    problems.add(unlisted, column.name, f"unknown {column.name} code; see {_codes_doc(column)}")
    return codes.mask(unknown)


def _parse_codes(values, column, problems):
    codes = values.str.upper().str.replace(r"\s*[;,]+\s*", ";", regex=True).str.strip("; ")
    exploded = codes.str.split(";").explode()
    exploded = exploded.replace(column.aliases) if column.aliases else exploded
    bad_part = exploded.notna() & ~exploded.isin(list(column.codes))
    bad = bad_part.groupby(level=0).any().reindex(values.index, fill_value=False)
    problems.add(bad, column.name, f"unknown {column.name} code; see {_codes_doc(column)}")
    kept = exploded.dropna()
    joined = kept.groupby(level=0).agg(";".join) if len(kept) else pd.Series(dtype="str")
    joined = joined.reindex(values.index).astype("str")
    return joined.mask(bad | values.isna())


def _parse_date(values, column, problems):
    dates = parse_dates(values)
    problems.add(values.notna() & dates.isna(), column.name, f"not a real date ({DATE_RULE})")
    return dates


def _parse_month(values, column, problems):
    text = values.str.replace(r"^(\d{1,2})/(\d{4})$", r"\2-\1", regex=True)
    text = text.str.extract(r"^(\d{4}-\d{1,2})(?:-\d{1,2})?$", expand=False)
    months = pd.to_datetime(text, format="%Y-%m", errors="coerce")
    bad = values.notna() & months.isna()
    problems.add(bad, column.name, "not a real month (use YYYY-MM)")
    return (months + pd.offsets.MonthEnd(0)).astype("datetime64[ns]")


def _parse_number(values, column, problems, *, whole=False):
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    bad = values.notna() & numbers.isna()
    rule = "not a whole number" if whole else "not a number"
    if whole:
        bad |= numbers.notna() & (numbers != np.round(numbers))
    problems.add(bad, column.name, rule)
    huge = numbers.notna() & ~bad & ~(numbers.abs() <= (MAX_WHOLE if whole else np.finfo("float64").max))
    problems.add(huge, column.name, "too large a number (more digits than any valid value has)")
    bad |= huge
    out_of_range = pd.Series(False, index=values.index)
    if column.low is not None:
        out_of_range |= numbers < column.low
    if column.high is not None:
        out_of_range |= numbers > column.high
    if column.low is not None or column.high is not None:
        problems.add(out_of_range & ~bad, column.name, f"outside the allowed range {_range(column)}")
    return numbers.mask(bad | out_of_range)


def _parse_int(values, column, problems):
    return _parse_number(values, column, problems, whole=True).astype("Int64")


def _parse_flag(values, column, problems):
    upper = values.str.upper()
    is_true, is_false = upper.isin(list(TRUE_VALUES)), upper.isin(list(FALSE_VALUES))
    bad = values.notna() & ~is_true & ~is_false
    problems.add(bad, column.name, "not a yes/no value (use 1/0, Y/N or true/false)")
    flags = pd.Series(pd.NA, index=values.index, dtype="boolean")
    return flags.mask(is_true, True).mask(is_false, False)


def _parse_upn(values, column, problems):
    upn = values.str.upper()
    unknown = upn.isin(list(UPN_UNKNOWN_CODES)) if column.unknown_upn else upn.isna() & False
    valid = upn.str.fullmatch(UPN_PATTERN).fillna(False).astype(bool)
    bad = upn.notna() & ~valid & ~unknown
    allowed = "a letter then 12 digits, or a letter, 11 digits and a letter"
    if column.unknown_upn:
        allowed += ", or UN1 to UN7"
    problems.add(bad, column.name, f"not a valid UPN ({allowed})")
    return upn.where(valid)


def _codes_doc(column):
    return "features/_codes.py" if len(column.codes) > 12 else "allowed: " + ", ".join(sorted(column.codes))


def _range(column):
    if column.high is None:
        return f"at least {column.low:g}"
    if column.low is None:
        return f"at most {column.high:g}"
    return f"{column.low:g} to {column.high:g}"


_PARSERS = {
    "str": _parse_str, "code": _parse_code, "codes": _parse_codes, "date": _parse_date,
    "month": _parse_month, "int": _parse_int, "number": _parse_number, "flag": _parse_flag,
    "upn": _parse_upn,
}

__all__ = ["Column", "parse_columns", "parse_dates", "required_names", "optional_names"]


def _distinct_text(uniques):
    """The distinct values from :func:`pandas.factorize` as a ``str`` Series (kept in Arrow
    when they are text already)."""
    if isinstance(uniques.dtype, pd.StringDtype):
        return pd.Series(uniques, copy=False).astype("str")
    return pd.Series(np.asarray(uniques, dtype=object), dtype="str")
