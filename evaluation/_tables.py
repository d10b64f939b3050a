"""Read a table of scores from CSV or Parquet, whatever tool wrote it."""

from __future__ import annotations

import csv
import io
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd

from ._errors import AuditInputError

__all__ = ["read_scores_table", "unique_names"]

_CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def read_scores_table(path) -> pd.DataFrame:
    """Read a scores table from CSV or Parquet.

    CSV files may be UTF-8 (with or without a byte-order mark) or
    Windows-1252, separated by commas, semicolons or tabs. Repeated column
    names are made unique in order (``score``, ``score.1``, ...) with a warning.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv``/``.txt`` or ``.parquet``/``.pq`` file.

    Returns
    -------
    DataFrame

    Raises
    ------
    AuditInputError
        When the file is missing, empty, unreadable or of another format.
    """
    path = Path(path)
    if not path.is_file():
        raise AuditInputError(
            f"The scores file '{path}' was not found. Check the path given with the scores option."
        )
    suffix = path.suffix.lower()
    if suffix in _PARQUET_SUFFIXES:
        return _read_parquet(path)
    if suffix in _CSV_SUFFIXES:
        return _read_csv(path)
    raise AuditInputError(
        f"The scores file '{path.name}' has the extension '{suffix}'; the audit reads CSV "
        "(.csv, .tsv, .txt) and Parquet (.parquet, .pq). Save the scores in one of those."
    )


def unique_names(names) -> list[str]:
    """Make column names unique the way pandas does: ``x``, ``x.1``, ``x.2``.

    Examples
    --------
    >>> unique_names(["id", "score", "score"])
    ['id', 'score', 'score.1']
    """
    seen: set[str] = set()
    out = []
    for name in (str(n) for n in names):
        candidate, i = name, 0
        while candidate in seen:
            i += 1
            candidate = f"{name}.{i}"
        seen.add(candidate)
        out.append(candidate)
    return out


def _warn_repeats(names, path: Path) -> None:
    repeated = sorted(name for name, count in Counter(str(n) for n in names).items() if count > 1)
    if repeated:
        renamed = ", ".join(f"'{n}'" for n in repeated)
        warnings.warn(
            f"The scores table '{path.name}' repeats the column name(s) {renamed}. Later "
            "copies were renamed with a suffix in order ('score', 'score.1', ...); name the "
            "column you mean with its new name.",
            UserWarning,
            stacklevel=3,
        )


def _read_parquet(path: Path) -> pd.DataFrame:
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(path).read()
    except Exception as error:  # pyarrow raises several types for a bad file
        raise AuditInputError(
            f"The scores file '{path.name}' could not be read as Parquet "
            f"({type(error).__name__}). Check the file is a complete Parquet file."
        ) from None
    _warn_repeats(table.column_names, path)
    return table.rename_columns(unique_names(table.column_names)).to_pandas()


def _read_csv(path: Path) -> pd.DataFrame:
    text = _decode(path)
    if not text.strip():
        raise AuditInputError(f"The scores file '{path.name}' is empty; it needs a header row and data.")
    delimiter = _delimiter(text, path)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    _warn_repeats(header, path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, skiprows=1,
                                names=unique_names(header), index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError) as error:
        raise AuditInputError(
            f"The scores file '{path.name}' could not be read as CSV ({type(error).__name__}): "
            "some rows may have more fields than the header. Check the file's layout."
        ) from None
    return frame


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AuditInputError(f"The scores file '{path.name}' could not be decoded.")  # pragma: no cover


def _delimiter(text: str, path: Path) -> str:
    first = text.splitlines()[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    if path.suffix.lower() == ".tsv":
        return "\t"
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","
