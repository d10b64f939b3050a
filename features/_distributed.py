"""Feature building on a Dask cluster, one partition of people per task.

Every feature, label and group value depends only on a person's own records (see
:func:`features.partition_tables`), so the tidy tables are split by a hash of the
pseudonym (every record of a person lands in the same partition), the rows of each
partition are built (:meth:`features._matrix.FeaturePlan.build_rows`, the code
:func:`features.build_features` runs) as a task on a ``dask.distributed.Client``, and the
partitions' rows are put back in the order the single-process call gives: as-of dates in the
order asked, people in the order of the ``people`` table. The data end, the label cut-off and
each source's end are fixed once from the whole data (:func:`features._matrix.plan_features`),
so labels near the cut-off are censored the same way in every partition, and the unplaced
counts are summed. The result equals ``build_features`` on the same
tables row for row and value for value (a test checks it on a two-worker cluster).

Only ``dask.distributed``'s client API is used (``scatter``, ``submit``, ``as_completed``,
``gather``); the caller owns the client.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pandas as pd

from ._builders._cohort import DEFAULT_RECORDING_LAG_MONTHS
from ._labels import KNIFE_INVOLVEMENT, LabelDefinition
from ._matrix import FeatureRows, FeatureSet, plan_features
from ._memory import release_free_memory
from ._registry import FeatureRegistry

PEOPLE_PER_PARTITION = 50_000
"""Default partition size: about 2 GB of tidy tables and prepared arrays per task."""


def person_partition(person_ids, n_partitions: int) -> np.ndarray:
    """Partition number (0 to ``n_partitions - 1``) of each pseudonym, from a stable hash.

    The hash is pandas' keyed SipHash of the text (:func:`pandas.util.hash_array`), the
    same in every process and on every machine, so a person's records always meet.

    Parameters
    ----------
    person_ids : array-like of str
    n_partitions : int

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> person_partition(["a", "b", "a"], 4).tolist() == person_partition(["a", "b", "a"], 4).tolist()
    True
    """
    codes, distinct = pd.factorize(pd.Series(person_ids, dtype="string").fillna(""))
    hashed = pd.util.hash_array(np.asarray(distinct, dtype=object), categorize=False)  # each pseudonym once
    return (hashed % np.uint64(n_partitions)).astype(np.int64)[codes]


def split_by_person(tables: dict[str, pd.DataFrame], n_partitions: int) -> Iterator[dict[str, pd.DataFrame]]:
    """The tables cut into ``n_partitions`` parts by :func:`person_partition`, one at a time.

    Rows keep their order within each part; a table without ``person_id`` goes whole to
    every part. Parts are yielded one by one so a caller can send each away before the
    next is cut.
    """
    codes = {name: person_partition(t["person_id"], n_partitions)
             for name, t in tables.items() if "person_id" in t.columns}
    for part in range(n_partitions):
        yield {
            name: table.loc[codes[name] == part].reset_index(drop=True) if name in codes else table
            for name, table in tables.items()
        }


def build_features_distributed(
    tables: dict[str, pd.DataFrame],
    as_of: Sequence | object,
    *,
    client,
    n_partitions: int | None = None,
    horizon_months: int = 12,
    label: LabelDefinition = KNIFE_INVOLVEMENT,
    registry: FeatureRegistry | None = None,
    data_end=None,
    recording_lag_months: int = DEFAULT_RECORDING_LAG_MONTHS,
    progress: Callable[[str, float], None] | None = None,
) -> FeatureSet:
    """:func:`features.build_features` run per partition of people on a Dask cluster.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables (``Extracts.tables``).
    as_of : date-like or sequence of date-like
    client : dask.distributed.Client
        The cluster to run on (a ``LocalCluster``'s client or one connected to a scheduler).
    n_partitions : int, default=None
        Number of partitions of people; by default one per 50,000 people, and at least
        one per worker.
    horizon_months, label, registry, data_end, recording_lag_months
        As for :func:`features.build_features`.
    progress : callable, default=None
        Called as ``progress(description, fraction_done)`` as partitions finish.

    Returns
    -------
    FeatureSet
        Identical to ``build_features(tables, as_of, ...)``.

    Raises
    ------
    ValueError
        As :func:`features.build_features` does, before any work is sent to the cluster;
        or if ``n_partitions`` is not a whole number of at least 1.
    """
    plan = plan_features(tables, as_of, horizon_months=horizon_months, label=label, registry=registry,
                         data_end=data_end, recording_lag_months=recording_lag_months)
    n = _partitions(n_partitions, len(tables["people"]), client)
    futures = [client.submit(plan.build_rows, _sent(client, part), pure=False)
               for part in split_by_person(tables, n) if len(part["people"])]
    joined = _in_order(_gather(client, futures, progress), tables["people"], list(plan.dates))
    release_free_memory()  # the gathered parts, freed as they were put in place
    return plan.assemble([joined])


def _partitions(n_partitions, n_people: int, client) -> int:
    if n_partitions is not None:
        if isinstance(n_partitions, bool) or not float(n_partitions).is_integer() or n_partitions < 1:
            raise ValueError(f"The 'n_partitions' option must be a whole number of at least 1; got {n_partitions!r}.")
        return int(n_partitions)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    return max(workers, -(-n_people // PEOPLE_PER_PARTITION))


def _sent(client, part: dict[str, pd.DataFrame]):
    """One partition's tables on the cluster, under a fresh key (never hashed: it is large)."""
    return client.scatter([part], hash=False)[0]


def _gather(client, futures: list, progress) -> list:
    from distributed import as_completed

    for done, _ in enumerate(as_completed(futures), start=1):
        if progress is not None:
            progress(f"{done} of {len(futures)} partitions of people built", done / len(futures))
    return client.gather(futures)


def _in_order(parts: list[FeatureRows], people: pd.DataFrame, dates: list[pd.Timestamp]) -> FeatureRows:
    """The partitions' rows joined in the single-process order, each part put in its place.

    Each part's rows are copied straight to their places and the part is dropped before
    the next, so the memory peak is about one copy of the matrix and one part, not the
    joined rows beside their reordered copy.
    """
    unplaced = pd.concat([p.unplaced for p in parts], ignore_index=True)
    order = _single_process_order(pd.concat([p.frame[["person_id", "as_of"]] for p in parts], ignore_index=True),
                                  people, dates)
    frames, groups = [p.frame for p in parts], [p.groups for p in parts]
    parts.clear()
    return FeatureRows(frame=_placed(frames, order), groups=_placed(groups, order), unplaced=unplaced)


def _placed(frames: list[pd.DataFrame], order: np.ndarray) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True).take(order)``, emptying ``frames`` part by part.

    A column with the same NumPy dtype in every part is filled in place; any other
    (text, or dtypes that differ between parts) is joined and reordered as pandas does.
    """
    names = list(frames[0].columns)
    plain = [name for name in names
             if isinstance(frames[0][name].dtype, np.dtype) and all(f[name].dtype == frames[0][name].dtype for f in frames)]
    filled = {name: np.empty(len(order), dtype=frames[0][name].dtype) for name in plain}
    joined: dict[str, list[pd.Series]] = {name: [] for name in names if name not in filled}
    places = np.empty_like(order)
    places[order] = np.arange(len(order))
    start = 0
    frames.reverse()
    while frames:
        frame = frames.pop()  # the first part left; dropped once copied
        rows = places[start:start + len(frame)]
        for name in plain:
            filled[name][rows] = frame[name].to_numpy()
        for name, pieces in joined.items():
            pieces.append(frame[name])
        start += len(frame)
        del frame
    columns = {name: pd.Series(values, name=name, copy=False) for name, values in filled.items()}
    for name, pieces in joined.items():
        columns[name] = pd.concat(pieces, ignore_index=True).take(order).reset_index(drop=True)
    return pd.DataFrame(columns, columns=names, copy=False)


def _single_process_order(frame: pd.DataFrame, people: pd.DataFrame, dates: list[pd.Timestamp]) -> np.ndarray:
    position = pd.Index(people["person_id"].astype("string")).get_indexer(frame["person_id"])
    date_rank = pd.Index(pd.DatetimeIndex(dates).as_unit("ns")).get_indexer(frame["as_of"])
    return np.lexsort((position, date_rank))
