"""The validation report: what was read, what was accepted, and why rows were set aside.

:class:`RowProblems` collects row-level problems for one table while it is checked;
:meth:`RowProblems.finish` splits the rows into accepted and quarantined and returns
a :class:`TableReport`. :class:`ValidationReport` gathers the table reports and writes
``validation.json`` and the owner-only quarantine files. Reasons and notes name files,
rows and columns, never a child's identifier or value; only the quarantine files keep
the original values, for the data owner to fix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .._private import private_folder, write_private_text


class RowProblems:
    """Collector of row-level problems for one source table.

    Parameters
    ----------
    index : pandas.Index
        Row labels of the table; for CSV these are the 1-based data row numbers.
    """

    def __init__(self, index):
        self.index = index
        self._found = []
        self._warned = []

    def add(self, mask, column, reason):
        """Record ``reason`` against ``column`` for every row where ``mask`` is true."""
        if isinstance(mask, pd.Series):
            mask = mask.to_numpy(dtype=bool, na_value=False)
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self._found.append((np.flatnonzero(mask), column, reason))

    def warn(self, mask, column, reason):
        """Count ``reason`` against ``column`` for every row where ``mask`` is true, as a
        warning: the rows are kept (not quarantined)."""
        if isinstance(mask, pd.Series):
            mask = mask.to_numpy(dtype=bool, na_value=False)
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self._warned.append((int(mask.sum()), column, reason))

    @property
    def warnings(self):
        """``{column, reason, rows}`` per warning, ``rows`` the number of rows it applies to."""
        counted = {}
        for n, column, reason in self._warned:
            counted[(column, reason)] = counted.get((column, reason), 0) + n
        return [{"column": c, "reason": r, "rows": n} for (c, r), n in counted.items()]

    @property
    def bad(self):
        """Boolean array, true for rows with at least one problem."""
        bad = np.zeros(len(self.index), dtype=bool)
        for positions, _, _ in self._found:
            bad[positions] = True
        return bad

    def finish(self, *, table, file, raw, rows=None, notes=()):
        """Split into accepted rows and a :class:`TableReport`.

        Parameters
        ----------
        table : str
            Source table name, e.g. ``"ssda903_episodes"``.
        file : str
            Path relative to the data folder.
        raw : pandas.DataFrame
            The rows as read, kept for the quarantine file.
        rows : array-like of int, optional
            Row numbers to report (default: the index).
        notes : sequence of str
            File-level notes.

        Returns
        -------
        accepted : numpy.ndarray of bool
        report : TableReport
        """
        rows = np.asarray(self.index if rows is None else rows)
        found = self._frame(rows)
        bad = self.bad
        quarantined = raw.loc[bad].copy()
        if len(quarantined):
            reasons = found.assign(text=found["column"] + ": " + found["reason"])
            joined = reasons.groupby("position", sort=True)["text"].agg("; ".join)
            quarantined.insert(0, "reason", joined.to_numpy())
            quarantined.insert(0, "row", rows[bad])
            quarantined.insert(0, "file", file)
        problems = found[["row", "column", "reason"]].to_dict("records")
        report = TableReport(
            table=table, file=file, rows_in=len(rows), rows_accepted=int((~bad).sum()),
            rows_quarantined=int(bad.sum()), problems=problems, notes=list(notes),
            warnings=self.warnings, quarantined=quarantined,
        )
        return ~bad, report

    def _frame(self, rows):
        columns = ["position", "row", "column", "reason"]
        if not self._found:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        parts = [
            pd.DataFrame({"position": pos, "column": col, "reason": reason})
            for pos, col, reason in self._found
        ]
        found = pd.concat(parts, ignore_index=True)
        found = found.drop_duplicates(["position", "column", "reason"])
        found["row"] = [_plain(value) for value in rows[found["position"].to_numpy()]]
        return found.sort_values(["position"], kind="stable")[columns]


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


@dataclass
class TableReport:
    """What happened to one source file.

    Attributes
    ----------
    table, file : str
        Source table name and path relative to the data folder.
    rows_in, rows_accepted, rows_quarantined : int
        Counts; ``rows_in == rows_accepted + rows_quarantined``.
    problems : list of dict
        ``{row, column, reason}`` for every problem found.
    notes : list of str
        File-level notes (extra columns ignored, optional columns absent).
    warnings : list of dict
        ``{column, reason, rows}`` for each kind of value that was kept but deserves a
        look (an unlisted offence class, a blank knife flag), with how many rows.
    """

    table: str
    file: str
    rows_in: int = 0
    rows_accepted: int = 0
    rows_quarantined: int = 0
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    quarantined: pd.DataFrame | None = field(default=None, repr=False)

    def to_dict(self):
        """The JSON-ready summary (without the quarantined values)."""
        keys = ("table", "file", "rows_in", "rows_accepted", "rows_quarantined", "problems", "warnings", "notes")
        return {key: getattr(self, key) for key in keys}


@dataclass
class ValidationReport:
    """Validation results for every source file that was read.

    Attributes
    ----------
    tables : list of dict
        One ``{table, file, rows_in, rows_accepted, rows_quarantined, problems, notes}``
        per file, in reading order.
    notes : list of str
        Folder-level notes, e.g. sources that are absent.
    people : dict
        Counts over the linked people: ``people`` (distinct young people) and
        ``no_birth_month`` (no month of birth in any source, so never placed in a cohort).
    """

    table_reports: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    people: dict = field(default_factory=dict)

    @property
    def tables(self):
        """Per-file summaries as plain dictionaries."""
        return [report.to_dict() for report in self.table_reports]

    @property
    def n_problems(self):
        """Total number of row-level problems found."""
        return sum(len(report.problems) for report in self.table_reports)

    @property
    def n_warnings(self):
        """Total number of rows kept with a warning (counted once per warning)."""
        return sum(w["rows"] for report in self.table_reports for w in report.warnings)

    @property
    def n_rows_in(self):
        """Total number of data rows read."""
        return sum(report.rows_in for report in self.table_reports)

    @property
    def n_quarantined(self):
        """Total number of rows quarantined."""
        return sum(report.rows_quarantined for report in self.table_reports)

    def add(self, report):
        """Append one :class:`TableReport`."""
        self.table_reports.append(report)

    def extend(self, other: ValidationReport) -> None:
        """Append every file report and note of ``other``, in its order."""
        self.table_reports.extend(other.table_reports)
        self.notes.extend(other.notes)

    def count_people(self, people: pd.DataFrame) -> None:
        """Count the linked people, and those no cohort can hold for want of a month of birth.

        A young person with no month of birth in any source has no age on any date, so is
        never scored; the note says so, with the count and never an identifier.
        """
        missing = int(pd.to_datetime(people["birth_month"], errors="coerce").isna().sum())
        self.people = {"people": int(len(people)), "no_birth_month": missing}
        if missing:
            self.notes.append(
                f"{missing} young people have no month of birth in any source, so their age is unknown: "
                "they cannot be placed in any as-of date's cohort and will never be scored. Record a "
                "date of birth for them at source (school census, CIN, SSDA903, youth justice, NCCIS or "
                "AP census)."
            )

    def to_dict(self):
        """The whole report as JSON-ready data, with totals.

        Examples
        --------
        >>> ValidationReport().to_dict()["totals"]
        {'rows_in': 0, 'rows_accepted': 0, 'rows_quarantined': 0, 'problems': 0, 'warnings': 0}
        """
        tables = self.tables
        totals = {
            key: sum(t[key] for t in tables)
            for key in ("rows_in", "rows_accepted", "rows_quarantined")
        }
        totals["problems"] = self.n_problems
        totals["warnings"] = self.n_warnings
        return {"totals": totals, "people": dict(self.people), "notes": list(self.notes), "tables": tables}

    def write_json(self, path):
        """Write :meth:`to_dict` as indented JSON to ``path``."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")

    def write_quarantine(self, folder):
        """Write ``<folder>/<table>.csv`` for each table with quarantined rows.

        The folder is made owner-only (``0o700``) and each file ``0o600``: the files
        hold the original values so the data owner can correct them. A value a
        spreadsheet would run as a formula is neutralised (see
        :func:`neutralise_formulas`). Quarantine files left in the folder by an earlier
        run are removed first.

        Returns
        -------
        list of pathlib.Path
            The files written.
        """
        folder = private_folder(folder)
        for stale in folder.glob("*.csv"):
            stale.unlink()
        written = []
        for table, frame in self._quarantine_frames().items():
            path = folder / f"{table}.csv"
            write_private_text(path, neutralise_formulas(frame).to_csv(index=False), newline="")
            written.append(path)
        return written

    def _quarantine_frames(self):
        frames = {}
        for report in self.table_reports:
            if report.quarantined is not None and len(report.quarantined):
                frames.setdefault(report.table, []).append(report.quarantined)
        return {table: pd.concat(parts, ignore_index=True) for table, parts in frames.items()}

    def summary(self):
        """One line per table: rows in, accepted, quarantined (no values)."""
        lines = [
            f"{t['file']}: {t['rows_in']} rows in, {t['rows_accepted']} accepted, "
            f"{t['rows_quarantined']} quarantined"
            + "".join(f"; {w['rows']} kept with a warning ({w['column']}: {w['reason']})" for w in t["warnings"])
            for t in self.tables
        ]
        return "\n".join(lines)


# OWASP's CSV Injection rule (and ASVS 5.0 requirement 1.2.10): a cell that begins with
# one of these is read as a formula by Excel, LibreOffice Calc and Google Sheets.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")


def neutralise_formulas(frame):
    """Prefix every cell and column name that a spreadsheet would run as a formula with ``'``.

    Follows OWASP's CSV Injection guidance: a value beginning with ``=``, ``+``, ``-``,
    ``@``, tab or carriage return (and NUL, as ASVS adds) gets a leading single quote,
    which spreadsheets take as "this is text" and do not show. Quoting of commas and
    double quotes is left to the CSV writer.

    Parameters
    ----------
    frame : pandas.DataFrame

    Returns
    -------
    pandas.DataFrame
        A copy with every value as text (missing stays missing).

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok", None, "-2"]}))["a"].tolist()
    ["'=1+1", 'ok', nan, "'-2"]
    """
    cleaned = {
        _neutral(str(name)): _neutral_values(frame[name]) for name in frame.columns
    }
    return pd.DataFrame(cleaned, index=frame.index)


def _neutral_values(values):
    text = values.astype("str").mask(values.isna())
    risky = text.str.startswith(FORMULA_STARTS).to_numpy(dtype=bool, na_value=False)
    return text.mask(risky, "'" + text).astype(object)


def _neutral(text):
    return "'" + text if text.startswith(FORMULA_STARTS) else text
