"""Reading one CSV extract: encodings, byte-order marks and header variants.

Every CSV source goes through :func:`read_extract`, which returns the cells as
stripped strings (blank cells as missing) under the canonical column names, so the
per-source modules never meet an encoding or a header spelling.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from ._errors import DataError

ENCODINGS = ("utf-8", "cp1252")
DATA_FORMATS_DOC = "docs/data-formats.md"


def header_key(name):
    """Return the matching key of a header name: upper case, no spaces or underscores.

    Examples
    --------
    >>> header_key(" upn ") == header_key("UPN")
    True
    >>> header_key("Sess_Possible")
    'SESSPOSSIBLE'
    """
    return re.sub(r"[\s_]", "", str(name)).upper()


def read_extract(path, *, relpath, required, optional):
    """Read one CSV extract as strings under canonical column names.

    Parameters
    ----------
    path : path-like
        The file.
    relpath : str
        The file's path relative to the data folder, used in messages.
    required : sequence of str
        Canonical names of columns that must be present.
    optional : sequence of str
        Canonical names of columns that may be absent (they are then blank).

    Returns
    -------
    frame : pandas.DataFrame
        One row per data row, every known column (missing cells are ``NA``) and any
        extra columns as read, in file order; the index is the 1-based data row.
        Rows with every cell blank are skipped (and counted in a note).
    notes : list of str
        File-level notes, e.g. extra columns ignored. They name columns, never values.

    Raises
    ------
    DataError
        If the file is empty, undecodable, malformed, or lacks a required column.
    """
    text = _decode(Path(path), relpath)
    frame = _parse(text, relpath)
    return _canonical_columns(frame, relpath=relpath, required=required, optional=optional)


def _decode(path, relpath):
    data = path.read_bytes()
    if not data.strip():
        raise DataError(
            f"{relpath} is empty. Each extract needs at least its header row; "
            f"re-export the file (see {DATA_FORMATS_DOC})."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(
        f"{relpath} is not in a readable text encoding. Save it as UTF-8 (with or "
        "without a byte-order mark) or Windows-1252 and run again."
    )


def _parse(text, relpath):
    try:
        frame = pd.read_csv(
            io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False,
            header=None, skip_blank_lines=True, quoting=csv.QUOTE_MINIMAL,
        )
    except pd.errors.ParserError as error:
        line = re.search(r"line (\d+)", str(error))
        where = f" at line {line.group(1)}" if line else ""
        raise DataError(
            f"{relpath} could not be read as CSV{where}: a row has more fields than "
            "the header (often an unquoted comma). Fix or quote that row and run again."
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{relpath} is empty. Re-export the file with its header row.") from None
    header = [
        str(name) if str(name).strip() else f"unnamed column {position}"
        for position, name in enumerate(frame.iloc[0], start=1)
    ]
    frame = frame.iloc[1:]
    frame.columns = header
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return frame


def _canonical_columns(frame, *, relpath, required, optional):
    known = {header_key(name): name for name in (*required, *optional)}
    keys = [header_key(name) for name in frame.columns]
    missing = [known[key] for key in known if key not in keys and known[key] in required]
    if missing:
        what = "column {} is" if len(missing) == 1 else "columns {} are"
        raise DataError(
            f"{relpath}: required {what.format(_quote(missing))} missing. The header must "
            f"include {_quote(required)} (any case, stray spaces allowed); see "
            f"{DATA_FORMATS_DOC}. Add the missing column(s) and run again."
        )
    seen = {}
    for position, (key, name) in enumerate(zip(keys, frame.columns), start=1):
        if key in seen:
            which = f"'{known[key]}'" if key in known else f"number {position}"
            raise DataError(
                f"{relpath}: column {which} appears more than once in the header. "
                "Remove the duplicate column and run again."
            )
        seen[key] = name
    extra = [name.strip() for key, name in seen.items() if key not in known]
    renamed = frame.rename(columns={seen[k]: known[k] for k in known if k in seen})
    renamed = _clean_cells(renamed)
    for name in optional:
        if name not in renamed.columns:
            renamed[name] = pd.Series(pd.NA, index=renamed.index, dtype="str")
    notes = [f"extra column '{name}' ignored" for name in extra]
    blank = renamed.isna().all(axis=1)
    if blank.any():
        renamed = renamed.loc[~blank]
        notes.append(f"{int(blank.sum())} blank row(s) skipped")
    ordered = [*required, *optional] + [c for c in renamed.columns if header_key(c) not in known]
    return renamed[ordered], notes


def _clean_cells(frame):
    cleaned = {}
    for name in frame.columns:
        values = frame[name].astype("str").str.strip()
        cleaned[name] = values.mask(values == "")
    return pd.DataFrame(cleaned, index=frame.index)


def _quote(names):
    return ", ".join(f"'{name}'" for name in names)
