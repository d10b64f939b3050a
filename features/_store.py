"""The tidy tables kept as Parquet, to read one young person's rows without reading every extract.

A pseudonym is a keyed hash, so finding one young person's records in the extracts means
reading, validating and pseudonymising all of them: seconds per hundred thousand young
people. :func:`write_tidy_store` keeps what :func:`~features.load_extracts` handed on, one
Parquet file per tidy table sorted by pseudonym in row groups of :data:`ROW_GROUP_ROWS` rows,
beside each source's first and last dates (:func:`~features.source_spans`, all that the
feature plan reads of the other people's rows) and the number of rows quarantined.
:func:`read_person_rows` reads back one young person's rows; Parquet's per-row-group minimum
and maximum let it skip every group that cannot hold them. :func:`load_person_rows` does both
for ``riskmodel explain``: the store of the extracts when there is one, else a load and a store.
:func:`read_kept_extracts` reads every table back whole, in the order ``load_extracts`` gave it
(each row carries its position), so ``riskmodel score`` run again on the same extracts, for
another as-of date or another model, skips reading, validating and pseudonymising them.

A store belongs to exactly one set of extracts and one key: :func:`extracts_digest` hashes
the bytes of every file in the data folder and a keyed tag of the pseudonymisation key (never
the key itself), and a store is used only under the digest it was written for. Its files are
owner-only, like every person-level file here, and hold pseudonyms, never raw identifiers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._builders._cohort import source_spans
from ._loaders._tidy import TIDY_TABLES, conform
from ._matrix import partition_tables
from ._private import private_file, private_folder, write_private_text

FORMAT = 2
ROW_GROUP_ROWS = 4096
KEEP_STORES = 2
WRITE_THREADS = 2  # tables written at once
ABANDONED_SECONDS = 24 * 3600  # a half-written store this old belongs to no running process
_MANIFEST = "store.json"
_KEY_TAG = b"riskmodel tidy store: which key made these pseudonyms"
_CHUNK = 1 << 20
_ROW = "_row"  # a row's position in the table load_extracts gave
_UNREADABLE = (OSError, ValueError)  # what pyarrow raises for a damaged file (ArrowIOError, ArrowInvalid)


@dataclass(frozen=True)
class KeptTables:
    """Tidy tables read from a store, and what was recorded when the extracts were read.

    Attributes
    ----------
    tables : dict of str to pandas.DataFrame
        Every tidy table, in the order :func:`~features.load_extracts` gave it.
    spans : pandas.DataFrame
        :func:`~features.source_spans` of the whole data.
    n_quarantined : int
        Rows quarantined when the extracts were read.
    """

    tables: dict
    spans: pd.DataFrame
    n_quarantined: int


@dataclass(frozen=True)
class PersonRows(KeptTables):
    """One young person's rows of every tidy table, and what the plan needs of everyone else's.

    ``tables`` holds every tidy table cut down to the young person's rows, in the order
    :func:`~features.load_extracts` gave them (empty tables when they have none);
    ``spans`` and ``n_quarantined`` are the whole data's, as for :class:`KeptTables`.
    """


def extracts_digest(data_dir, key: bytes) -> str:
    """A digest of the path and bytes of every extract in ``data_dir`` and of the key's keyed tag.

    The extracts are the files the loaders may read (under the paths of
    ``docs/data-formats.md``); any change to any of them, or another key, gives another
    digest. The key enters only as ``HMAC(key, tag)``, so the digest reveals nothing of it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = Path(folder, "nccis").mkdir()
    ...     _ = Path(folder, "nccis", "a.csv").write_text("x")
    ...     first = extracts_digest(folder, b"k" * 32)
    ...     _ = Path(folder, "nccis", "a.csv").write_text("y")
    ...     first != extracts_digest(folder, b"k" * 32), first != extracts_digest(folder, b"j" * 32)
    (True, True)
    """
    from ._load import SOURCE_PATHS

    root = Path(data_dir)
    digest = hashlib.blake2b(digest_size=20)
    digest.update(f"tidy store {FORMAT}".encode())
    digest.update(hmac.new(key, _KEY_TAG, hashlib.sha256).digest())
    sources = [root / source for source in SOURCE_PATHS]
    files = [p for p in sources if p.is_file()] + [p for s in sources if s.is_dir() for p in s.rglob("*") if p.is_file()]
    for path in sorted(files):
        name = path.relative_to(root).as_posix().encode()
        digest.update(len(name).to_bytes(8, "big") + name + path.stat().st_size.to_bytes(8, "big"))
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    return digest.hexdigest()


def load_person_rows(data_dir, person_id: str, *, key: bytes, store, progress=None) -> PersonRows:
    """One young person's rows of the extracts in ``data_dir``, read from their store under ``store``.

    When ``store`` holds no store of exactly these extracts and this key, the extracts are
    loaded (:func:`~features.load_extracts`) and kept there first (:func:`keep_extracts`).

    Parameters
    ----------
    data_dir : path-like
    person_id : str
        The young person's pseudonym.
    key : bytes
        The pseudonymisation key.
    store : path-like
        The folder that holds the stores (each in a sub-folder named by its digest).
    progress : callable, optional
        As for :func:`~features.load_extracts`.

    Returns
    -------
    PersonRows
    """
    from ._load import load_extracts

    digest = extracts_digest(data_dir, key)
    rows = _read_kept(store, digest, lambda folder: read_person_rows(folder, person_id),
                      progress, "reading the young person's rows")
    if rows is not None:
        return rows
    extracts = load_extracts(data_dir, key=key, progress=progress)
    try:
        folder = keep_extracts(store, extracts, digest=digest)
    except OSError as error:  # a store only saves time: explain from what was read
        warnings.warn(
            f"The tidy store could not be kept under {os.fspath(store)} ({error.strerror or 'refused'}), so "
            "the next explanation reads every extract again; give a store folder this user can write.",
            UserWarning, stacklevel=2,
        )
        return _rows_in(extracts, str(person_id))
    return read_person_rows(folder, person_id)


def _rows_in(extracts, person_id: str) -> PersonRows:
    return PersonRows(tables=partition_tables(extracts.tables, [person_id]), spans=source_spans(extracts.tables),
                      n_quarantined=extracts.report.n_quarantined)


def keep_extracts(store, extracts, *, digest: str) -> Path:
    """Keep ``extracts`` as the store for ``digest`` under ``store``, and only the
    :data:`KEEP_STORES` stores used last (older ones, of earlier extracts, are deleted, as
    is any store left half-written over :data:`ABANDONED_SECONDS` ago). A store already
    kept for ``digest`` holds these very tables, so it is marked used, not written again.

    Returns
    -------
    pathlib.Path
        The store's folder, ``store/<digest>``.
    """
    store = private_folder(store)
    folder = store / digest
    if store_matches(folder, digest):
        os.utime(folder)
    else:
        write_tidy_store(folder, extracts.tables, digest=digest, n_quarantined=extracts.report.n_quarantined)
    kept = sorted((p for p in store.iterdir() if p.is_dir() and (p / _MANIFEST).is_file()),
                  key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for old in kept[KEEP_STORES:]:
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    for partial in store.glob(".*.partial"):  # left by a process stopped while writing
        if time.time() - partial.stat().st_mtime > ABANDONED_SECONDS:
            shutil.rmtree(partial, ignore_errors=True)
    return folder


def write_tidy_store(folder, tables: dict[str, pd.DataFrame], *, digest: str, n_quarantined: int = 0) -> Path:
    """Write ``tables`` (as :func:`~features.load_extracts` gives them) as a store under ``digest``.

    The store is written beside ``folder`` and renamed into place, so a reader never sees half
    of one; an existing store at ``folder`` is replaced.

    Returns
    -------
    pathlib.Path
        ``folder``.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = Path(folder)
    partial = private_folder(folder.parent / f".{folder.name}.{uuid.uuid4().hex}.partial")

    def write(name: str) -> None:
        arrow = pa.Table.from_pandas(tables[name], preserve_index=False)
        arrow = arrow.append_column(_ROW, pa.array(np.arange(arrow.num_rows, dtype=np.int64)))
        arrow = arrow.take(_by_pseudonym(tables[name]["person_id"]))
        with private_file(partial / f"{name}.parquet", "wb", encoding=None) as handle:
            pq.write_table(arrow, handle, row_group_size=ROW_GROUP_ROWS)

    try:
        # Arrow encodes and compresses outside the interpreter lock, so two tables at once.
        with ThreadPoolExecutor(WRITE_THREADS, thread_name_prefix="riskmodel-store") as pool:
            list(pool.map(write, TIDY_TABLES))
        spans = source_spans(tables)
        write_private_text(partial / _MANIFEST, json.dumps({
            "format": FORMAT, "digest": digest, "n_quarantined": int(n_quarantined),
            "spans": {source: [_day(row.start), _day(row.end)] for source, row in spans.iterrows()},
        }, indent=2))
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(partial, folder)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return folder


def store_matches(folder, digest: str) -> bool:
    """Whether ``folder`` holds a complete store written for ``digest``."""
    try:
        manifest = json.loads((Path(folder) / _MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return manifest.get("format") == FORMAT and manifest.get("digest") == digest


def read_kept_extracts(store, digest: str, progress=None) -> KeptTables | None:
    """Every tidy table kept under ``store`` for the extracts of ``digest``; ``None`` when none is.

    Parameters
    ----------
    store : path-like
        The folder that holds the stores.
    digest : str
        :func:`extracts_digest` of the extracts and key.
    progress : callable, optional
        As for :func:`~features.load_extracts`.

    Returns
    -------
    KeptTables or None
        Its tables equal what :func:`~features.load_extracts` gave for these extracts, row for
        row and dtype for dtype. ``None`` too when the store is damaged; it is then deleted.
    """
    return _read_kept(store, digest, _whole_tables, progress, "reading the tables kept for these extracts")


def _read_kept(store, digest: str, read, progress, step: str):
    """``read(folder)`` of the store kept for ``digest``, marked used; ``None`` when there is none.

    A store whose files cannot be read (damaged on disk) is deleted, so that the next
    :func:`keep_extracts` writes it anew instead of marking it used, and ``None`` is returned:
    the caller reads the extracts, which costs time, never a result.
    """
    folder = Path(store) / digest
    if not store_matches(folder, digest):
        return None
    (progress or (lambda name: None))(step)
    os.utime(folder)  # the stores kept are the ones used last
    try:
        return read(folder)
    except _UNREADABLE:
        shutil.rmtree(folder, ignore_errors=True)
        return None


def _by_pseudonym(person_id: pd.Series) -> np.ndarray:
    """The positions that sort ``person_id`` stably, missing last: the distinct pseudonyms are
    sorted, not the rows (about half the time of sorting the rows' text)."""
    codes, distinct = pd.factorize(person_id)
    rank = np.empty(len(distinct) + 1, dtype=np.int64)
    rank[np.argsort(np.asarray(distinct, dtype=object), kind="stable")] = np.arange(len(distinct))
    rank[-1] = len(distinct)  # code -1, a missing pseudonym
    return np.argsort(rank[codes], kind="stable")


def _whole_tables(folder: Path) -> KeptTables:
    import pyarrow.parquet as pq

    tables = {}
    for name in TIDY_TABLES:
        arrow = pq.read_table(folder / f"{name}.parquet").combine_chunks()  # a take across row groups is slow
        arrow = arrow.take(_load_order(arrow[_ROW].to_numpy()))
        tables[name] = conform(name, arrow.to_pandas())
    return KeptTables(tables=tables, **_recorded(folder))


def _load_order(positions: np.ndarray) -> np.ndarray:
    """The rows in the order of their stored positions (which are a permutation of the rows).

    Raises
    ------
    ValueError
        If the positions are not a permutation: the store is damaged.
    """
    n = len(positions)
    order = np.full(n, -1, dtype=np.int64)
    if n and (positions.min() < 0 or positions.max() >= n):
        raise ValueError("A tidy store's row positions are out of range.")
    order[positions] = np.arange(n)
    if (order < 0).any():
        raise ValueError("A tidy store repeats row positions.")
    return order


def read_person_rows(folder, person_id: str) -> PersonRows:
    """One young person's rows of every table in the store at ``folder``.

    Returns
    -------
    PersonRows
        Their tables equal :func:`~features.partition_tables` of the whole tables for them,
        row for row and dtype for dtype.
    """
    folder = Path(folder)
    tables = {name: _rows_of(folder / f"{name}.parquet", name, str(person_id)) for name in TIDY_TABLES}
    return PersonRows(tables=tables, **_recorded(folder))


def _recorded(folder: Path) -> dict:
    """The spans and quarantine count in a store's manifest."""
    manifest = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
    spans = pd.DataFrame.from_dict(
        {source: [_stamp(start), _stamp(end)] for source, (start, end) in manifest["spans"].items()},
        orient="index", columns=["start", "end"],
    ).astype("datetime64[ns]")
    spans.index.name = "source"
    return {"spans": spans, "n_quarantined": int(manifest["n_quarantined"])}


def _rows_of(path: Path, name: str, person_id: str) -> pd.DataFrame:
    """The rows of ``person_id`` in one table's file, reading only the row groups whose
    pseudonym range holds it (read by hand: ``pyarrow.dataset``'s filters cost more to import
    than the whole read)."""
    import pyarrow.parquet as pq

    file = pq.ParquetFile(path)
    column = file.schema_arrow.get_field_index("person_id")
    groups = [
        i for i in range(file.num_row_groups)
        if (stats := file.metadata.row_group(i).column(column).statistics) is None or not stats.has_min_max
        or stats.min <= person_id <= stats.max
    ]
    frame = file.read_row_groups(groups).to_pandas()
    return conform(name, frame.loc[(frame["person_id"] == person_id).to_numpy(dtype=bool, na_value=False)])


def _day(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).isoformat()


def _stamp(value: str | None):
    return pd.NaT if value is None else pd.Timestamp(value)
