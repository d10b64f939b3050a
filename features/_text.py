"""Text columns kept in Arrow: building pandas ``str`` Series without Python strings.

pandas stores its ``str`` dtype in Arrow. Converting a column of Python objects into it
walks every value in Python, which on millions of rows costs more than the work done on
them; these helpers build the column from Arrow arrays instead (a cast, a join, a take).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TEXT = pd.StringDtype(storage="pyarrow", na_value=np.nan)
"""pandas' ``str`` dtype: text in Arrow, missing as NaN."""


def text_series(values, index=None) -> pd.Series:
    """A pandas ``str`` Series over an Arrow string array (nulls are missing).

    Examples
    --------
    >>> text_series(pa.array(["a", None])).tolist()
    ['a', nan]
    """
    if not pa.types.is_large_string(values.type):
        values = pc.cast(values, pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(values, dtype=TEXT), index=index, copy=False)


def spread(uniques, codes, index=None) -> pd.Series:
    """``uniques[codes]`` as a ``str`` Series, missing where a code is negative.

    Parameters
    ----------
    uniques : sequence of str
        The distinct values.
    codes : numpy.ndarray of int
        For each row, the position of its value in ``uniques``, or -1 for missing.
    index : pandas.Index, optional

    Examples
    --------
    >>> spread(["x", "y"], np.array([1, -1, 0])).tolist()
    ['y', nan, 'x']
    """
    codes = np.asarray(codes)
    positions = pa.array(codes, mask=codes < 0, type=pa.int64())
    return text_series(pa.array(list(uniques), type=pa.large_string()).take(positions), index)


def row_refs(prefix: str, numbers, index=None) -> pd.Series:
    """``prefix`` followed by each whole number, as a ``str`` Series.

    Examples
    --------
    >>> row_refs("a.csv:row ", [1, 12]).tolist()
    ['a.csv:row 1', 'a.csv:row 12']
    """
    text = pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.large_string())
    joined = pc.binary_join_element_wise(pa.scalar(prefix, pa.large_string()), text, pa.scalar("", pa.large_string()))
    return text_series(joined, index)


def clean_text(values: pd.Series) -> pd.Series:
    """Surrounding white space removed and empty cells made missing, as a ``str`` Series.

    The same as ``values.astype("str").str.strip()`` with ``""`` masked, in Arrow.

    Examples
    --------
    >>> clean_text(pd.Series([" a ", "  ", None], dtype="str")).tolist()
    ['a', nan, nan]
    """
    text = values.astype("str")
    stripped = pc.utf8_trim_whitespace(pa.array(text.array))
    return text_series(pc.if_else(pc.equal(stripped, ""), pa.scalar(None, stripped.type), stripped), values.index)


def is_text(values) -> bool:
    """Whether ``values`` (Series, Index or array) holds text only (missing allowed)."""
    dtype = getattr(values, "dtype", None)
    if isinstance(dtype, pd.StringDtype):
        return True
    return dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty")


def reindex_text(mapping: pd.Series, labels, index=None) -> pd.Series:
    """``mapping.reindex(labels)`` for a text index and text labels, matched in Arrow.

    The first of repeated index labels wins; a label with no match gives the missing
    value of ``mapping``'s dtype (a missing label matches a missing index label, as in
    pandas). The result is indexed by ``index`` (default: positions).

    Examples
    --------
    >>> reindex_text(pd.Series([1.0, 2.0], index=["a", "b"]), ["b", "z"]).tolist()
    [2.0, nan]
    """
    found = pc.index_in(_arrow_text(labels), value_set=_arrow_text(mapping.index))
    positions = found.fill_null(-1).to_numpy(zero_copy_only=False)
    return mapping.reset_index(drop=True).reindex(positions).set_axis(
        pd.RangeIndex(len(positions)) if index is None else index)


def _arrow_text(values):
    values = values if isinstance(values, (pd.Series, pd.Index)) else pd.Series(values, dtype=object)
    return pa.array(values.astype("str").array, type=pa.large_string())


__all__ = ["clean_text", "is_text", "reindex_text", "row_refs", "spread", "text_series"]
