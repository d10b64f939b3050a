"""Public entry points: load a folder of statutory extracts, or validate it.

:func:`load_extracts` reads every source present, validates it, quarantines bad
rows, links people through the person index and hands on pseudonymised tidy tables
(``docs/tidy-tables.md``). :func:`validate_extracts` does the same and writes
``validation.json`` and the owner-only quarantine files for the data owner.
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


from ._linkage import PersonLinker
from ._loaders import _ap_census, _cin, _nccis, _school_census, _ssda903, _youth_justice
from ._loaders._errors import DataError
from ._loaders._people_attrs import build_people
from ._loaders._person_index import read_person_index
from ._builders._known import SOURCE_TABLES
from ._loaders._report import ValidationReport
from ._loaders._schemas import check_tidy_tables
from ._loaders._tidy import TIDY_TABLES, conform, empty_table
from ._private import private_folder
from ._pseudonym import Pseudonymiser

SOURCE_PATHS = ("linkage/person_index.csv", "ssda903", "cin", "school_census", "ap_census",
                "nccis", "youth_justice")
SOURCE_OF_TABLE = {table: source for source, tables in SOURCE_TABLES.items() for table in tables}


@dataclass
class Extracts:
    """What the loaders hand on.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        Every tidy table of ``docs/tidy-tables.md``, empty when its source is absent.
    report : ValidationReport
        What was read, accepted and quarantined, and why.
    """

    tables: dict = field(default_factory=dict)
    report: ValidationReport = field(default_factory=ValidationReport)

    def __repr__(self):
        sizes = ", ".join(f"{name}={len(frame)}" for name, frame in self.tables.items())
        return f"Extracts({sizes}; {self.report.n_problems} problems)"


def load_extracts(data_dir, *, key, progress=None):
    """Load, validate, pseudonymise and link a folder of statutory extracts.

    Parameters
    ----------
    data_dir : path-like
        The folder laid out as in ``docs/data-formats.md``.
    key : bytes
        Pseudonymisation key (see :func:`load_pseudonym_key`).
    progress : callable, optional
        Called with a short step name (e.g. ``"reading the extracts"``) as each step starts.

    Returns
    -------
    Extracts

    Raises
    ------
    DataError
        If the folder is missing or holds no extracts, or a file cannot be read
        (empty, undecodable, malformed XML, missing a required column).
    ValueError
        If a tidy table breaks its schema (``docs/tidy-tables.md``): a fault of the loaders,
        not of the data, since bad rows are quarantined before this check.

    Examples
    --------
    >>> import secrets, tempfile
    >>> from pathlib import Path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = Path(folder, "nccis").mkdir()
    ...     extracts = load_extracts(folder, key=secrets.token_bytes(32))
    >>> len(extracts.tables["people"]), extracts.report.n_problems
    (0, 0)
    """
    data_dir = _data_folder(data_dir)
    step = progress or (lambda name: None)
    report = ValidationReport()
    step("person index")
    linker = PersonLinker(read_person_index(data_dir, report), Pseudonymiser(key))
    step("reading the extracts")
    raw = _read_sources(data_dir, report)
    _ssda903.learn_upns(raw["ssda903"], linker)
    _cin.learn_upns(raw["cin"], linker)
    step("linking people")
    tables = _tidy_all(raw, linker)
    check_tidy_tables(tables)
    report.count_people(tables["people"])
    _warn_about_file_notes(report)
    return Extracts(tables=tables, report=report)


def validate_extracts(data_dir, out_dir, *, key, progress=None):
    """Validate a folder of extracts and write the report and quarantine files.

    Writes ``out_dir/validation.json`` (counts, and file, row, column and reason of
    every problem; no identifiers or values) and ``out_dir/quarantine/<table>.csv``
    (the quarantined rows with their original values and a reason column, readable
    by the owner only).

    Parameters
    ----------
    data_dir : path-like
        The folder of extracts.
    out_dir : path-like
        Where to write; created if needed.
    key : bytes
        Pseudonymisation key.
    progress : callable, optional
        As for :func:`load_extracts`.

    Returns
    -------
    ValidationReport
    """
    report = load_extracts(data_dir, key=key, progress=progress).report
    out_dir = private_folder(out_dir)  # it holds the quarantine files
    report.write_json(out_dir / "validation.json")
    report.write_quarantine(out_dir / "quarantine")
    return report


def _data_folder(data_dir):
    path = Path(data_dir)
    if not path.is_dir():
        raise DataError(
            f"The data folder {os.fspath(data_dir)} does not exist or is not a folder. "
            "Give the folder holding ssda903/, cin/, school_census/ and the other extracts "
            "(see docs/data-formats.md)."
        )
    if not any((path / source).exists() for source in SOURCE_PATHS):
        raise DataError(
            f"The data folder {os.fspath(data_dir)} holds none of the extracts: expected at "
            f"least one of {', '.join(SOURCE_PATHS)} (see docs/data-formats.md). Check the "
            "folder given with --data."
        )
    return path


_READERS = (
    ("ssda903", _ssda903.read_ssda903),
    ("cin", _cin.read_cin),
    ("school census", _school_census.read_school_census),
    ("ap census", _ap_census.read_ap_census),
    ("nccis", _nccis.read_nccis),
    ("youth justice", _youth_justice.read_youth_justice),
)


READ_THREADS = 2
"""Sources read at once. Most of reading one (Arrow's CSV parser, the XML parser, parsing each
column's distinct values) runs outside the interpreter lock, so two threads read the 50,000
young people's extracts about a fifth faster than one, in the same process."""


def _read_sources(data_dir, report):
    """Every source's raw tables, read side by side, the largest first.

    Each source has a report of its own, merged in :data:`_READERS` order, and the first error
    in that order is the one raised: the report and any error are those of reading the sources
    one after another.
    """
    parts = {name: ValidationReport() for name, _ in _READERS}
    largest_first = sorted(_READERS, key=lambda pair: -_bytes(data_dir / pair[0].replace(" ", "_")))
    with ThreadPoolExecutor(READ_THREADS, thread_name_prefix="riskmodel-read") as pool:
        futures = {name: pool.submit(reader, data_dir, parts[name]) for name, reader in largest_first}
    raw = {name: futures[name].result() for name, _ in _READERS}
    for name, _ in _READERS:
        report.extend(parts[name])
    return raw


def _bytes(folder: Path) -> int:
    """The size of every file under a source's folder (0 when it is absent)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


def _tidy_all(raw, linker):
    """The tidy tables from the raw ones, which are emptied as they go.

    Each source's raw tables are dropped from ``raw`` once tidied, and each tidy table's
    unconformed copy once conformed, so the memory peak holds one source's two forms rather
    than every source's: about a fifth lower for a large authority.
    """
    found, attrs = {}, []
    for name, tidy in (
        ("ssda903", _ssda903.tidy_ssda903), ("school census", _school_census.tidy_school_census),
        ("ap census", _ap_census.tidy_ap_census), ("nccis", _nccis.tidy_nccis),
        ("youth justice", _youth_justice.tidy_youth_justice),
    ):
        tables, more = tidy(raw.pop(name), linker)
        found.update(tables)
        attrs.extend(more)
    tables, more, disability = _cin.tidy_cin(raw.pop("cin"), linker)
    found.update(tables)
    attrs.extend(more)
    del tables
    out = {name: conform(name, found.pop(name)) if name in found else empty_table(name)
           for name in TIDY_TABLES if name != "people"}
    sources = _sources(out, attrs)
    out["people"] = conform("people", build_people(attrs, disability, sources))
    return {name: out[name] for name in TIDY_TABLES}


def _sources(tables, attrs):
    """Unique (person_id, source) pairs: who holds a record in which source."""
    parts = [
        pd.DataFrame({"person_id": pd.unique(frame["person_id"].dropna()), "source": SOURCE_OF_TABLE[name]})
        for name, frame in tables.items()
    ]
    parts += [frame[["person_id", "source"]].drop_duplicates() for frame in attrs]
    parts = [part for part in parts if len(part)]
    if not parts:
        return pd.DataFrame({"person_id": pd.Series(dtype="str"), "source": pd.Series(dtype="str")})
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _warn_about_file_notes(report):
    for table in report.table_reports:
        for note in table.notes:
            warnings.warn(f"{table.file}: {note}", UserWarning, stacklevel=3)


__all__ = ["Extracts", "load_extracts", "validate_extracts"]
