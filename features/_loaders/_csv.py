"""Reading one CSV extract: encodings, byte-order marks and header variants.

Every CSV source goes through :func:`read_extract`, which returns the cells as
stripped strings (blank cells as missing) under the canonical column names, so the
per-source modules never meet an encoding or a header spelling.

Two parsers give the same rows. The strict one is Python's :mod:`csv` reader
(``strict=True``): it reads any file, keeps rows with too many or too few fields for
quarantine, and refuses broken quoting. The fast one is Arrow's multithreaded C reader
(:func:`pyarrow.csv.read_csv`), used only for a file on which the two cannot differ:
every row as wide as the header, no NUL character, no field over the size limit, and
every double quote part of a well-formed quoted field (:func:`_quotes_well_formed`).
Any other file, and any file Arrow refuses, is read by the strict parser, so every
malformed row is still found, counted and quarantined with its reason.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from .._text import clean_text, text_series
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
        Rows with every cell blank are skipped (and counted in a note). A row with
        more or fewer fields than the header is kept, cut or padded to the header's
        width, and listed in ``misshapen``.
    notes : list of str
        File-level notes, e.g. extra columns ignored. They name columns, never values.
    misshapen : pandas.Series of str
        For each row whose number of fields differs from the header's, indexed by data
        row, the reason ("row has 9 fields; the header has 8"); these rows are row
        problems for the caller to quarantine.

    Raises
    ------
    DataError
        If the file is empty, undecodable, not CSV (an unclosed quote, a field over
        the size limit, more than half of the rows a different width from the
        header), or lacks a required column.
    """
    data = _decode(Path(path), relpath)
    parsed = _parse_fast(data)
    frame, widths = parsed if parsed is not None else _parse(data.decode("utf-8"), relpath)
    del data
    width = frame.shape[1]
    frame, notes = _canonical_columns(frame, relpath=relpath, required=required, optional=optional)
    misshapen = widths.loc[widths.index.isin(frame.index)]
    reasons = "row has " + misshapen.astype("str") + f" fields; the header has {width}"
    return frame, notes, reasons.astype("str")


def _decode(path, relpath):
    """The file's bytes as UTF-8, checked to decode; the text itself is only made if needed.

    Holding the decoded text beside the bytes while Arrow parses them would double the
    file's share of the memory peak; only the strict reader needs it.
    """
    if not path.is_file():
        raise DataError(
            f"{relpath} is not a file (it is a folder or a special file). Each extract must "
            f"be a CSV file laid out as in {DATA_FORMATS_DOC}."
        )
    data = path.read_bytes()
    if not data or data.isspace():  # data.strip() would copy the whole file
        raise DataError(
            f"{relpath} is empty. Each extract needs at least its header row; "
            f"re-export the file (see {DATA_FORMATS_DOC})."
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.isascii():  # UTF-8 already, found without decoding a copy of the file
        return data
    for encoding in ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return data if encoding == "utf-8" else text.encode("utf-8")
    raise DataError(
        f"{relpath} is not in a readable text encoding. Save it as UTF-8 (with or "
        "without a byte-order mark) or Windows-1252 and run again."
    )


def _parse(text, relpath):
    """The data rows under the header's names, and the width of rows that differ from it."""
    records = _records(text, relpath)
    if not records:
        raise DataError(f"{relpath} is empty. Re-export the file with its header row.")
    header, rows = records[0], records[1:]
    width = len(header)
    widths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    differ = np.flatnonzero(widths != width)
    blank = np.array([not "".join(rows[i]).strip() for i in differ], dtype=bool)
    misshapen = differ[~blank] if len(differ) else differ  # a blank line is skipped later
    _check_mostly_well_formed(relpath, len(misshapen), len(rows), width)
    for position in differ:  # only the rows that differ, never the whole file
        rows[position] = (rows[position] + [""] * width)[:width]
    names = [
        str(name) if str(name).strip() else f"unnamed column {position}"
        for position, name in enumerate(header, start=1)
    ]
    index = pd.RangeIndex(1, len(rows) + 1)
    frame = pd.DataFrame(rows, columns=range(width), index=index, dtype=object)
    frame.columns = names
    return frame, pd.Series(widths[misshapen], index=index[misshapen], dtype="int64")


# A field in double quotes that starts where a field starts and ends where one ends; inside,
# any character but a lone quote (a doubled quote is an escaped one).
_QUOTED_FIELD = re.compile(r'(?:^|(?<=[,\r\n]))"(?:[^"]|"")*"(?=[,\r\n]|$)')
_HEADER_LINE = re.compile(rb"[\r\n]*([^\r\n]*)")
SMALL_FILE_BYTES = 65_536  # below this the strict reader is the quicker of the two


def _header_width(data):
    """At least the number of fields in the header row, for naming Arrow's text columns.

    Commas are counted on the header's line; a quoted header cell may hold commas, so
    this can overcount (harmless: names beyond the file's width are ignored) but never
    undercount unless a quoted header cell holds a line break, and then a column is not
    text and the strict reader is used.
    """
    header = _HEADER_LINE.match(data).group(1)  # the first non-empty line, without copying the rest
    return header.count(b",") + 1


def _parse_fast(data):
    """The rows and widths of :func:`_parse`, by Arrow's C reader, or None to use the strict one.

    None when the file is small (the strict reader is then quicker), holds a NUL or a
    double quote outside well-formed quoted fields, when Arrow refuses it (a row with more or fewer fields than the header, a row
    straddling its block), or when a field is longer than the strict reader allows: the
    strict reader then reads it and reports each such row or the file's error itself.
    """
    if len(data) < SMALL_FILE_BYTES or b"\x00" in data:
        return None
    quoted = b'"' in data
    if quoted and not _quotes_well_formed(data):
        return None
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(data),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(newlines_in_values=quoted),
            convert_options=pa_csv.ConvertOptions(
                column_types={f"f{i}": pa.large_string() for i in range(_header_width(data))},
                strings_can_be_null=False,
            ),
        )
    except pa.ArrowException:
        return None
    if table.num_rows == 0 or not _all_text_within_limit(table):
        return None
    return _frame_of(table)


def _quotes_well_formed(data):
    """Whether every double quote in ``data`` belongs to a well-formed quoted field.

    On such a file Python's strict reader and Arrow's agree; anything else (a quote
    inside an unquoted field, text after a closing quote, an unclosed quote) is left to
    the strict reader, which keeps or refuses it by its own rules.

    Examples
    --------
    >>> _quotes_well_formed(b'a,b\\n"x, ""y"" z",2\\n')
    True
    >>> _quotes_well_formed(b'a,b\\n"x"y,2\\n')
    False
    """
    text = data.decode("utf-8")
    return '"' not in _QUOTED_FIELD.sub("", text)


def _all_text_within_limit(table):
    """Every column is text, and no field is longer than the strict reader's limit.

    A field's bytes are at least its characters, and their count comes from the column's
    offsets alone; characters are counted only in a column where some field's bytes exceed
    the limit.
    """
    limit = csv.field_size_limit()
    for column in table.columns:
        if not pa.types.is_large_string(column.type):
            return False
        if _longest(column, pc.binary_length) > limit and _longest(column, pc.utf8_length) > limit:
            return False
    return True


def _longest(column, length):
    return (pc.max(length(column)).as_py() or 0) if len(column) else 0


def _frame_of(table):
    header = [column[0].as_py() for column in table.columns]
    names = [
        name if name.strip() else f"unnamed column {position}"
        for position, name in enumerate(header, start=1)
    ]
    index = pd.RangeIndex(1, table.num_rows)
    columns = [text_series(column.slice(1), index) for column in table.columns]
    frame = pd.concat(columns, axis=1, ignore_index=True) if columns else pd.DataFrame(index=index)
    frame.columns = names
    return frame, pd.Series([], index=index[:0], dtype="int64")


def _records(text, relpath):
    """Every non-empty CSV record, each a list of fields (Python's C CSV parser)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        return list(filter(None, reader))  # empty lines give empty records; skip them
    except csv.Error:
        raise DataError(
            f"{relpath} could not be read as CSV at line {reader.line_num}: a quote is never "
            f"closed, a quote sits inside an unquoted field, or a field is longer than "
            f"{csv.field_size_limit():,} characters. Fix or re-export that row and run again."
        ) from None


def _check_mostly_well_formed(relpath, n_misshapen, n_rows, width):
    if n_misshapen and 2 * n_misshapen > n_rows:
        raise DataError(
            f"{relpath}: {n_misshapen} of {n_rows} rows have a different number of fields "
            f"from the header ({width}), so the file is probably not comma-separated or its "
            f"header row is wrong. Re-export it as in {DATA_FORMATS_DOC} and run again."
        )


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
    extra = [(position, name.strip()) for position, (key, name) in enumerate(seen.items(), start=1)
             if key not in known]
    renamed = frame.rename(columns={seen[k]: known[k] for k in known if k in seen})
    renamed = _clean_cells(renamed)
    for name in optional:
        if name not in renamed.columns:
            renamed[name] = pd.Series(pd.NA, index=renamed.index, dtype="str")
    notes = [f"extra column {_column_label(position, name)} ignored" for position, name in extra]
    blank = renamed.isna().all(axis=1)
    if blank.any():
        renamed = renamed.loc[~blank]
        notes.append(f"{int(blank.sum())} blank row(s) skipped")
    ordered = [*required, *optional] + [c for c in renamed.columns if header_key(c) not in known]
    return renamed[ordered], notes


def _clean_cells(frame):
    return pd.DataFrame({name: clean_text(frame[name]) for name in frame.columns}, index=frame.index)


def _column_label(position, name):
    """A header name is quoted only when it looks like a column name: letters, spaces and
    underscores. Anything else (digits, punctuation) may be a record value that slipped
    into the header row, so it is named by position instead."""
    if re.fullmatch(r"[A-Za-z][A-Za-z _]{0,39}|unnamed column \d+", name):
        return f"'{name}'"
    return f"number {position}"


def _quote(names):
    return ", ".join(f"'{name}'" for name in names)
