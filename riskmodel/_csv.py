"""CSV text of a scores or explanations table, byte for byte as ``DataFrame.to_csv`` writes it.

``pandas.DataFrame.to_csv(index=False)`` formats each cell and hands rows to Python's
``csv`` writer one chunk at a time; on an explanations table of half a million rows of
sentences that is most of the time a scoring run spends writing. Here each column is
formatted once as a list of strings, with the same rules, and rows are joined in one pass:

- a text cell is quoted (``"..."``, inner quotes doubled) when it holds a character the
  ``csv`` module's ``QUOTE_MINIMAL`` quotes for (a comma, a quote, a new line, and a
  carriage return in the Python versions that quote it: asked of the ``csv`` module
  itself); an empty or missing cell is written as nothing;
- a ``float64`` cell is written as ``repr`` writes it (the shortest text that reads back as
  the same number, as pandas writes it), a missing one as nothing;
- whole numbers (``int64``, nullable ``Int64``) and booleans as ``str`` writes them.

A table with any other kind of column, or with one column only, is written by pandas
itself, so the text is always what ``to_csv`` gives (a test compares the two on awkward
tables).
"""

from __future__ import annotations

import csv
import io
import os
import re

import numpy as np
import pandas as pd

__all__ = ["csv_text"]

_LINE_BREAK = os.linesep  # what to_csv ends a line with


def csv_text(frame: pd.DataFrame) -> str:
    """The text ``frame.to_csv(index=False)`` writes, formatted column by column.

    Parameters
    ----------
    frame : DataFrame

    Returns
    -------
    str

    Examples
    --------
    >>> table = pd.DataFrame({"a": ["x", "y, z"], "b": [0.1, np.nan]})
    >>> csv_text(table) == table.to_csv(index=False)
    True
    """
    columns = [_column(frame.iloc[:, i]) for i in range(frame.shape[1])]
    if frame.shape[1] < 2 or any(column is None for column in columns):
        return frame.to_csv(index=False, lineterminator=_LINE_BREAK)
    header = ",".join(_quoted(str(name)) for name in frame.columns)
    if not len(frame):
        return header + _LINE_BREAK
    return header + _LINE_BREAK + _LINE_BREAK.join(map(",".join, zip(*columns))) + _LINE_BREAK


def _column(series: pd.Series) -> list[str] | None:
    """The column's cells as CSV fields, or None for a kind of column not formatted here."""
    dtype = series.dtype
    if dtype == np.float64:
        values = series.to_numpy()
        # each distinct bit pattern formatted once (so -0.0 keeps its sign); missing is empty
        codes, distinct = pd.factorize(values.view(np.int64))
        cells = np.array([repr(v) for v in distinct.view(np.float64).tolist()], dtype=object)[codes]
        cells[np.isnan(values)] = ""
        return cells.tolist()
    if dtype == np.int64 or dtype == np.bool_ or isinstance(dtype, (pd.Int64Dtype, pd.BooleanDtype)):
        missing = series.isna().to_numpy()
        cells = np.array([str(v) for v in series.astype(object).tolist()], dtype=object)
        cells[missing] = ""
        return cells.tolist()
    if dtype == object or isinstance(dtype, pd.StringDtype):
        return _text(series)
    return None


def _text(series: pd.Series) -> list[str] | None:
    """Text cells, each distinct value quoted once; None if a cell is not text."""
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    values = distinct.tolist() if isinstance(distinct, pd.Index) else list(distinct)
    if not isinstance(series.dtype, pd.StringDtype) and not all(isinstance(v, str) for v in values):
        return None
    cells = np.array([_quoted(v) for v in values] + [""], dtype=object)  # code -1 (missing) -> ""
    return cells[codes].tolist()


def _quoted_by_csv() -> tuple[str, ...]:
    """The characters that make Python's ``csv`` writer (as pandas calls it) quote a field."""
    quoted = []
    for character in (",", '"', "\n", "\r"):
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=_LINE_BREAK, quoting=csv.QUOTE_MINIMAL).writerow(["a", f"b{character}c"])
        if buffer.getvalue().startswith('a,"'):
            quoted.append(character)
    return tuple(quoted)


_NEEDS_QUOTES = re.compile("[" + re.escape("".join(_quoted_by_csv())) + "]")


def _quoted(text: str) -> str:
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text
