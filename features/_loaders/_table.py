"""The common path of one CSV source file: read, parse, check, split, report."""

from __future__ import annotations

import pandas as pd

from .._text import row_refs
from ._columns import optional_names, parse_columns, required_names
from ._csv import read_extract
from ._report import RowProblems


def load_csv(data_dir, relpath, *, table, columns, report, rules=None):
    """Read and validate one CSV source file; return its accepted, parsed rows.

    Parameters
    ----------
    data_dir : pathlib.Path
        The data folder.
    relpath : str
        Path of the file relative to ``data_dir`` (``/`` separated).
    table : str
        Source table name used in the report and the quarantine file.
    columns : sequence of Column
        The table's declaration.
    report : ValidationReport
        Receives this file's :class:`TableReport`.
    rules : callable, optional
        ``rules(parsed, problems)`` adds cross-column checks.

    Returns
    -------
    pandas.DataFrame
        Accepted rows, parsed, with ``record_ref`` (``"<relpath>:row <n>"``);
        the index is the 1-based data row.
    """
    raw, notes, misshapen = read_extract(
        data_dir / relpath, relpath=relpath,
        required=required_names(columns), optional=optional_names(columns),
    )
    problems = RowProblems(raw.index)
    add_misshapen(problems, raw.index, misshapen)
    parsed = parse_columns(raw, columns, problems)
    if rules is not None:
        rules(parsed, problems)
    accepted, table_report = problems.finish(table=table, file=relpath, raw=raw, notes=notes)
    report.add(table_report)
    parsed = parsed.loc[accepted]  # a new frame (copy-on-write), so the column below is its own
    parsed["record_ref"] = row_refs(f"{relpath}:row ", parsed.index, parsed.index)
    return parsed


WHOLE_ROW = "(whole row)"


def add_misshapen(problems, index, misshapen):
    """Record each row with more or fewer fields than the header as a row problem."""
    for reason in pd.unique(misshapen):
        problems.add(index.isin(misshapen.index[misshapen == reason]), WHOLE_ROW, reason)
