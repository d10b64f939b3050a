"""Small-number suppression: primary, secondary and inherited.

Primary: a unit with between 1 and ``min_cell - 1`` young people is withheld.
Secondary: whenever a published total is the sum of a set of units and
exactly one of them is withheld, the smallest shown unit of that set is
withheld too (or, when no other unit is left to withhold, the total itself),
so the withheld count cannot be worked out by subtraction.
Inherited: the parts of a withheld unit (a group's intersections, a unit's
calibration bins) are withheld with it. The rules repeat until nothing
changes.
"""

from __future__ import annotations

import numpy as np

from ._layout import Layout

__all__ = ["PRIMARY", "SECONDARY", "INHERITED", "suppress_counts", "suppress_units"]

PRIMARY = "primary"
SECONDARY = "secondary"
INHERITED = "inherited"


def suppress_counts(counts, *, min_cell: int, totals, parts=()) -> list[str | None]:
    """Decide which counts to withhold.

    Parameters
    ----------
    counts : array-like of int
        One count per cell.
    min_cell : int
        Counts from 1 to ``min_cell - 1`` are withheld (primary suppression).
    totals : list of (int or None, list of int)
        Each entry names a published total (index into ``counts``, or None for
        a total published elsewhere) and the cells that add up to it.
    parts : list of (int, list of int)
        A cell and its parts; when the cell is withheld, so are its parts.

    Returns
    -------
    list of str or None
        Per cell: None when shown, else "primary", "secondary" or "inherited".
    """
    counts = np.asarray(counts, dtype=np.int64)
    status: list[str | None] = [
        PRIMARY if 0 < c < min_cell else None for c in counts.tolist()
    ]
    changed = True
    while changed:
        changed = _inherit(status, counts, parts)
        changed = _protect_totals(status, counts, totals) or changed
    return status


def _inherit(status, counts, parts) -> bool:
    changed = False
    for whole, members in parts:
        if status[whole] is None:
            continue
        for m in members:
            if status[m] is None and counts[m] > 0:
                status[m], changed = INHERITED, True
    return changed


def _protect_totals(status, counts, totals) -> bool:
    changed = False
    for total, members in totals:
        if total is not None and status[total] is not None:
            continue
        live = [m for m in members if counts[m] > 0]
        hidden = [m for m in live if status[m] is not None]
        shown = [m for m in live if status[m] is None]
        if len(hidden) != 1:
            continue
        if shown:
            smallest = min(shown, key=lambda m: (counts[m], m))
            status[smallest], changed = SECONDARY, True
        elif total is not None:
            status[total], changed = SECONDARY, True
    return changed


def suppress_units(layout: Layout, n: np.ndarray, *, min_cell: int) -> list[str | None]:
    """Suppression status of every unit of ``layout`` given unit sizes ``n``."""
    totals, parts = [], []
    units = layout.units
    for col in layout.columns:
        members = [i for i, u in enumerate(units) if u.kind == "group" and u.attributes[0][0] == col]
        totals.append((0, members))
    if len(layout.columns) > 1:
        for g, unit in enumerate(units):
            if unit.kind != "group":
                continue
            pair = unit.attributes[0]
            members = [
                i for i, u in enumerate(units) if u.kind == "intersection" and pair in u.attributes
            ]
            totals.append((g, members))
            parts.append((g, members))
    return suppress_counts(n, min_cell=min_cell, totals=totals, parts=parts)
