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
from ._memory import release_free_memory
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
    for name, module in _UPN_SOURCES:
        _learn_upns(linker, module.upn_pairs(raw[name]))
    step("linking people")
    tables = _assemble(_tidy_source(name, raw.pop(name), linker) for name in _TIDY_ORDER)
    check_tidy_tables(tables)
    report.count_people(tables["people"])
    _warn_about_file_notes(report)
    release_free_memory()  # the raw tables and their text, freed source by source
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
    with ThreadPoolExecutor(READ_THREADS, thread_name_prefix="riskmodel-read") as pool:
        futures = {name: pool.submit(reader, data_dir, parts[name]) for name, reader in _largest_first(data_dir)}
    raw = {name: futures[name].result() for name, _ in _READERS}
    for name, _ in _READERS:
        report.extend(parts[name])
    return raw


def _largest_first(data_dir: Path) -> list:
    """:data:`_READERS` by the bytes each source holds on disk, the largest first."""
    return sorted(_READERS, key=lambda pair: -_bytes(data_dir / pair[0].replace(" ", "_")))


def _bytes(folder: Path) -> int:
    """The size of every file under a source's folder (0 when it is absent)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


# The sources whose records teach the linker a social care id's UPN, in the order they teach it.
_UPN_SOURCES = (("ssda903", _ssda903), ("cin", _cin))
# The order sources are tidied in; their person attributes are pooled in this order.
_TIDY_ORDER = ("ssda903", "school census", "ap census", "nccis", "youth justice", "cin")
_TIDIERS = {
    "ssda903": _ssda903.tidy_ssda903, "school census": _school_census.tidy_school_census,
    "ap census": _ap_census.tidy_ap_census, "nccis": _nccis.tidy_nccis,
    "youth justice": _youth_justice.tidy_youth_justice,
}


def _learn_upns(linker, pairs):
    if pairs is not None:
        linker.learn_upns(*pairs, "la")


def _tidy_source(name, frames, linker):
    """One source's tidy tables (conformed to their schemas), person attributes and (CIN only)
    disability flags."""
    tables, attrs, flags = _cin.tidy_cin(frames, linker) if name == "cin" else (*_TIDIERS[name](frames, linker), None)
    return {table: conform(table, tables.pop(table)) for table in list(tables)}, attrs, flags


def _assemble(tidied):
    """Every tidy table, in :data:`TIDY_TABLES` order, from each source's :func:`_tidy_source` in turn.

    ``tidied`` may be a generator, so that each source's raw tables can be dropped once
    tidied: the memory peak then holds one source's two forms rather than every source's
    (about a third lower for a million young people).
    """
    out, attrs, disability = {}, [], pd.Series(dtype="boolean")
    for tables, more, flags in tidied:
        out.update(tables)
        attrs.extend(more)
        disability = disability if flags is None else flags
    out = {name: out.pop(name) if name in out else empty_table(name) for name in TIDY_TABLES if name != "people"}
    out["people"] = conform("people", build_people(attrs, disability, _sources(out, attrs)))
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
