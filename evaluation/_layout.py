"""Cells and units: how young people fall into groups and intersections.

A *cell* is one observed crossing of every group column. Every reported
*unit* (everyone, a group of one column, an intersection) is a union of
cells, so resampling each cell within itself resamples every unit within
itself, and unit statistics are sums of cell statistics.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Unit", "Layout", "build_layout", "count_people", "count_people_by", "MAX_CROSSINGS"]

MAX_CROSSINGS = 1000


@dataclass(frozen=True)
class Unit:
    """One row of the report: everyone, one group, or one intersection."""

    kind: str  # "overall", "group" or "intersection"
    attributes: tuple[tuple[str, str], ...]

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...]]:
        """A hashable identity for the unit."""
        return (self.kind, self.attributes)


@dataclass(frozen=True)
class Layout:
    """Cell codes for each row and the units built from the cells."""

    columns: tuple[str, ...]
    cell_codes: np.ndarray
    cells: pd.DataFrame
    units: tuple[Unit, ...]
    membership: np.ndarray
    all_crossings: tuple[tuple[str, ...], ...]
    levels: dict[str, tuple[str, ...]]

    @property
    def n_cells(self) -> int:
        """Number of observed cells."""
        return len(self.cells)

    def index_of(self, unit: Unit) -> int | None:
        """Position of ``unit`` among the units, or None when it is empty."""
        return self._positions.get(unit.key)

    @functools.cached_property
    def _positions(self) -> dict:
        return {unit.key: i for i, unit in enumerate(self.units)}


def build_layout(groups: pd.DataFrame) -> Layout:
    """Cross the group columns into cells and list the units to report.

    Parameters
    ----------
    groups : DataFrame
        One string column per group attribute, one row per young person.

    Returns
    -------
    Layout
    """
    columns = tuple(groups.columns)
    levels = {col: tuple(sorted(groups[col].unique(), key=_sort_key)) for col in columns}
    _check_crossings(levels)
    codes = [
        pd.Categorical(groups[col], categories=levels[col]).codes.astype(np.int64)
        for col in columns
    ]
    flat = np.ravel_multi_index(codes, tuple(len(levels[c]) for c in columns))
    observed, cell_codes = np.unique(flat, return_inverse=True)
    positions = np.unravel_index(observed, tuple(len(levels[c]) for c in columns))
    cells = pd.DataFrame(
        {col: np.asarray(levels[col], dtype=object)[pos] for col, pos in zip(columns, positions)}
    )
    units, membership = _units(cells, columns, levels)
    crossings = tuple(itertools.product(*(levels[c] for c in columns))) if len(columns) > 1 else ()
    return Layout(columns, cell_codes, cells, units, membership, crossings, levels)


def count_people(layout: Layout, person) -> np.ndarray:
    """Distinct young people in each unit (U,); rows are people when ``person`` is None.

    A young person on several as-of dates counts once in a unit, and once in each of
    the units their rows fall in (a person who crossed an age band counts in both bands).
    """
    return count_people_by(layout, person, np.zeros(len(layout.cell_codes), dtype=np.int64), 1)[:, 0]


def count_people_by(layout: Layout, person, codes: np.ndarray, n_codes: int) -> np.ndarray:
    """Distinct young people in each unit and each of ``n_codes`` parts of the rows (U, n_codes).

    ``codes`` gives each row's part (a calibration bin, say), from 0 to ``n_codes - 1``;
    a person counts once in a unit's part, as in :func:`count_people`. Rows are people
    when ``person`` is None.
    """
    from scipy.sparse import csr_matrix

    columns = np.asarray(codes, dtype=np.int64) * layout.n_cells + layout.cell_codes
    if person is None:
        per_cell = np.bincount(columns, minlength=n_codes * layout.n_cells).reshape(n_codes, layout.n_cells)
        return (per_cell @ layout.membership).T.astype(np.int64)
    people = pd.factorize(pd.Series(np.asarray(person, dtype=object)))[0]
    seen = csr_matrix((np.ones(len(people)), (people, columns)),
                      shape=(people.max() + 1, n_codes * layout.n_cells))
    seen.data[:] = 1.0
    member = csr_matrix(layout.membership.astype(float))
    counts = [np.diff((seen[:, c * layout.n_cells:(c + 1) * layout.n_cells] @ member).tocsc().indptr)
              for c in range(n_codes)]
    return np.column_stack(counts).astype(np.int64)


def _check_crossings(levels: dict) -> None:
    crossings = int(np.prod([len(v) for v in levels.values()], dtype=float))
    if len(levels) > 1 and crossings > MAX_CROSSINGS:
        from ._errors import AuditInputError

        raise AuditInputError(
            f"The group columns {list(levels)} cross into {crossings} intersections, more than "
            f"the {MAX_CROSSINGS} a report can show. Audit fewer group columns at a time, or "
            "band the columns with many values."
        )


def _units(cells: pd.DataFrame, columns, levels) -> tuple[tuple[Unit, ...], np.ndarray]:
    units = [Unit("overall", ())]
    masks = [np.ones(len(cells), dtype=bool)]
    for col in columns:
        for value in levels[col]:
            units.append(Unit("group", ((col, value),)))
            masks.append((cells[col] == value).to_numpy())
    if len(columns) > 1:
        for i, row in enumerate(cells.itertuples(index=False)):
            units.append(Unit("intersection", tuple(zip(columns, row))))
            mask = np.zeros(len(cells), dtype=bool)
            mask[i] = True
            masks.append(mask)
    return tuple(units), np.column_stack(masks)


def _sort_key(value: str):
    from ._inputs import NOT_RECORDED

    return (value == NOT_RECORDED, _natural(value))


def _natural(value: str):
    try:
        return (0, float(value), "")
    except ValueError:
        return (1, 0.0, value)
