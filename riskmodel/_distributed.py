"""Scores and exact SHAP explanations on a Dask cluster, one block of people per task.

A person's score and tree SHAP values depend only on their own row of features, so the
feature matrix is cut into contiguous blocks of rows, the model is sent once to every
worker, and the unchanged :func:`riskmodel._explain.decompose` runs on each block as a
task. Stacking the blocks in order gives the same :class:`Decomposition` as one call on
the whole matrix, so everything downstream (ranking, bands, reasons, case pages) is the
single-process code on identical numbers.

With ``--format parquet`` on a cluster, scores and explanations are written as folders of
Parquet parts (``scores/part-00000.parquet``, ...) that ``pandas.read_parquet`` and
``dask.dataframe.read_parquet`` read as one table. They are written by this process, so
they land on this machine, owner-only, like every person-level file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import features

from ._explain import Decomposition, decompose

ROWS_PER_BLOCK = 20_000
"""Rows of features per SHAP task: a few seconds of work and a few tens of MB each."""
ROWS_PER_PART = 100_000
"""Rows per Parquet part of the partitioned scores and explanations."""


def decompose_distributed(model, X: pd.DataFrame, *, client, rows_per_block: int = ROWS_PER_BLOCK) -> Decomposition:
    """:func:`decompose` on a Dask cluster, one block of ``rows_per_block`` rows per task.

    Parameters
    ----------
    model : RiskModel
    X : DataFrame
        The model's features, with a ``person_id`` column or index.
    client : dask.distributed.Client
    rows_per_block : int, default=20000

    Returns
    -------
    Decomposition
        The same values, in the same order, as ``decompose(model, X)``.
    """
    if len(X) <= rows_per_block:
        blocks = [X]
    else:
        blocks = [X.iloc[start:start + rows_per_block] for start in range(0, len(X), rows_per_block)]
    shared = client.scatter(model, broadcast=True, hash=False)
    futures = [client.submit(decompose, shared, client.scatter(block, hash=False), pure=False) for block in blocks]
    return stacked(client.gather(futures))


def stacked(parts: list[Decomposition]) -> Decomposition:
    """Decompositions of consecutive blocks of people joined into one, in order."""
    first = parts[0]
    join = {name: np.concatenate([getattr(p, name) for p in parts]) for name in (
        "person_id", "feature_shap", "shap_logodds", "contribution", "base_logodds", "model_logodds",
        "probability", "base_probability")}
    return Decomposition(concepts=first.concepts, feature_names=first.feature_names, **join)


def write_parquet_parts(frame: pd.DataFrame, folder, *, keys: str | None = None,
                        rows_per_part: int = ROWS_PER_PART) -> list[Path]:
    """Write ``frame`` as ``folder/part-NNNNN.parquet`` files, owner-only.

    Parameters
    ----------
    frame : DataFrame
    folder : path-like
        Created (owner-only) if needed; parts already there are replaced.
    keys : str, default=None
        A column whose equal values must stay in one part (``person_id`` for explanations).
    rows_per_part : int, default=100000

    Returns
    -------
    list of Path
        The parts written, in row order.
    """
    folder = features.private_folder(folder)
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    paths = []
    for number, (start, stop) in enumerate(_part_bounds(frame, keys, rows_per_part)):
        path = folder / f"part-{number:05d}.parquet"
        with features.private_file(path, "wb") as handle:
            frame.iloc[start:stop].to_parquet(handle, index=False)
        paths.append(path)
    return paths


def _part_bounds(frame: pd.DataFrame, keys: str | None, rows_per_part: int) -> list[tuple[int, int]]:
    """Row ranges of about ``rows_per_part`` rows, cut only where ``keys`` changes value."""
    n = len(frame)
    cuts = np.arange(rows_per_part, n, rows_per_part)
    if keys is not None and n:
        values = frame[keys].to_numpy()
        starts = np.r_[np.flatnonzero(np.r_[True, values[1:] != values[:-1]]), n]
        cuts = np.unique(starts[np.searchsorted(starts, cuts)])
        cuts = cuts[(cuts > 0) & (cuts < n)]
    edges = [0, *cuts.tolist(), n]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a] or [(0, 0)]
