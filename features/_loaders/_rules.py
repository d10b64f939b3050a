"""Row rules that look at more than one cell: order of dates, age, duplicate keys.

Each rule marks failing rows in a :class:`~._report.RowProblems` collector with a
reason naming the columns and the rule, never the values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._text import is_text, reindex_text

MIN_AGE, MAX_AGE = 0, 25
PRE_BIRTH_DAYS = 280


def end_before_start(problems, start, end, *, start_name, end_name):
    """Mark rows whose ``end`` date is before their ``start`` date."""
    problems.add(end < start, end_name, f"ends before it starts ({end_name} before {start_name})")


def age_outside(problems, birth, event, *, event_name, column=None, pre_birth_days=0):
    """Mark rows where the age in whole years at ``event`` is outside 0 to 25.

    Parameters
    ----------
    problems : RowProblems
    birth, event : pandas.Series of datetime64
        Date of birth and date of the event; rows missing either are not checked.
    event_name : str
        Column holding the event date, named in the reason.
    column : str, optional
        Column the problem is reported against (default ``event_name``).
    pre_birth_days : int, default=0
        Days before birth an event may fall (pre-birth social care referrals).
    """
    age = age_in_years(birth, event)
    early = (birth - event).dt.days
    before_birth = (age < MIN_AGE) & ~(early <= pre_birth_days)
    problems.add(
        before_birth | (age > MAX_AGE), column or event_name,
        f"age at {event_name} outside {MIN_AGE} to {MAX_AGE}",
    )


def age_in_years(birth, event):
    """Completed years of age at ``event`` (float, NaN where a date is missing).

    Examples
    --------
    >>> b = pd.Series(pd.to_datetime(["2010-06-15", "2010-06-15"]))
    >>> e = pd.Series(pd.to_datetime(["2020-06-14", "2020-06-15"]))
    >>> age_in_years(b, e).tolist()
    [9.0, 10.0]
    """
    birth, event = pd.Series(birth), pd.Series(event)
    years = event.dt.year - birth.dt.year
    not_yet = (event.dt.month < birth.dt.month) | (
        (event.dt.month == birth.dt.month) & (event.dt.day < birth.dt.day)
    )
    return (years - not_yet.astype("float64")).astype("float64")


def duplicate_keys(problems, frame, keys, *, column=None, within="this file"):
    """Mark every repeat of a key after its first row.

    Rows missing the first key column are not checked (they fail their own rule);
    a blank in any other key column counts as a value. Each key column is factorized
    first, so the repeats are found on whole numbers (blank is one code like any value).
    """
    complete = frame[keys[0]].notna()
    repeated = pd.Series(_key_codes(frame, keys), index=frame.index).duplicated(keep="first") & complete
    problems.add(
        repeated, column or keys[0], f"duplicate key ({', '.join(keys)}) within {within}"
    )


def _key_codes(frame, keys):
    """One whole number per row, equal for two rows exactly when all their keys are equal.

    Each key column is factorized (a blank is a code like any value) and the codes are
    combined in mixed radix; when the radix product would not fit in 63 bits, the codes
    of the combination so far are factorized again first.
    """
    combined = np.zeros(len(frame), dtype=np.int64)
    size = 1
    for key in keys:
        codes, uniques = pd.factorize(frame[key])
        radix = len(uniques) + 1
        if size * radix >= 2**62:
            combined, distinct = pd.factorize(combined)
            size = len(distinct)
        combined = combined * radix + (codes + 1)
        size *= radix
    return combined


def month_start(dates):
    """First day of each date's month (``datetime64[ns]``; ``NaT`` stays)."""
    values = pd.Series(dates)
    out = values.to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
    return pd.Series(out, index=values.index)


def lookup(keys, mapping):
    """Map ``keys`` through a Series ``mapping`` whose index may repeat (first wins).

    Text keys are matched in Arrow; a key with no match (or missing, unless the
    mapping has a missing key) gives a missing value, as :meth:`pandas.Series.reindex` does.

    Examples
    --------
    >>> lookup(pd.Series(["b", "z", "a"]), pd.Series([1.0, 2.0, 3.0], index=["a", "b", "a"])).tolist()
    [2.0, nan, 1.0]
    """
    mapping = mapping[~mapping.index.duplicated(keep="first")]
    index = pd.Series(keys).index
    if not (is_text(keys) and is_text(mapping.index)):
        return pd.Series(mapping.reindex(np.asarray(keys)).to_numpy(), index=index)
    return pd.Series(reindex_text(mapping, keys).to_numpy(), index=index)
