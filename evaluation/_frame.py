"""The audit's tidy result: one row per group (or intersection) and metric.

Every figure the JSON and the report print comes from these frames: the value and
its interval, the ratio and difference to the reference group with their intervals,
the verdict and its reason, and whether the group is withheld (small numbers) and
why. A withheld group's counts and values are missing here too, so the frame is
as safe to share as the report.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._disparities import PROPORTIONS, disparity_of, empty_disparity, interval, rate_interval
from ._layout import Layout, Unit
from ._metrics import DENOMINATORS, METRICS, RATE_METRICS
from ._suppression import PRIMARY, SECONDARY

__all__ = ["UnitFrames", "build_frames", "REASONS", "JOIN", "BY_GROUP_COLUMNS", "OVERALL_COLUMNS"]

REASONS = {
    PRIMARY: "fewer than {min_cell} young people",
    SECONDARY: "withheld so that a smaller group's count cannot be worked out from the totals",
    "inherited": "part of a withheld group",
}
JOIN = " & "
EMPTY_REASON = "no young people in this intersection"
BY_GROUP_COLUMNS = (
    "kind", "attribute", "group", "metric", "value", "lower", "upper", "reference",
    "disparity", "disparity_lower", "disparity_upper",
    "difference", "difference_lower", "difference_upper", "verdict", "verdict_reason",
    "suppressed", "suppression_reason", "n", "n_people", "n_display",
)
OVERALL_COLUMNS = ("metric", "value", "lower", "upper", "n", "n_people")


@dataclass(frozen=True)
class UnitFrames:
    """The tidy frames and the units their rows follow (``metrics`` rows per unit, in order)."""

    overall: pd.DataFrame
    by_group: pd.DataFrame
    units: tuple[Unit, ...]
    metrics: tuple[str, ...]
    compared: tuple[str, ...]


def build_frames(layout: Layout, est, status, n_people, *, reference, tolerance, min_cell) -> UnitFrames:
    """Tidy frames of every metric for everyone, each group and each crossing of groups.

    Intersections are listed for every crossing of the group columns, empty ones
    included (with no values), in the order of the report.
    """
    metrics = tuple(m for m in METRICS if m in est.point) + tuple(est.custom)
    compared = tuple(m for m in RATE_METRICS if m in est.point) + tuple(est.custom)
    builder = _Rows(layout, est, status, n_people, metrics, compared,
                    reference=reference, tolerance=tolerance, min_cell=min_cell)
    units, rows = builder.all_rows()
    by_group = pd.DataFrame(rows, columns=list(BY_GROUP_COLUMNS))
    by_group = by_group.astype({"n": "Int64", "n_people": "Int64", "suppressed": bool, "reference": bool})
    overall = pd.DataFrame(builder.overall_rows(), columns=list(OVERALL_COLUMNS))
    return UnitFrames(overall, by_group, units, metrics, compared)


class _Rows:
    """Rows of the frames for one set of estimates (the model's flags, or practitioners')."""

    def __init__(self, layout, est, status, n_people, metrics, compared, *, reference, tolerance, min_cell):
        self.layout, self.est, self.status, self.n_people = layout, est, status, n_people
        self.metrics, self.compared = metrics, compared
        self.tolerance, self.min_cell = tolerance, min_cell
        self.refs = _reference_units(layout, reference)

    def overall_rows(self) -> list[tuple]:
        n, people = int(self.est.point["n"][0]), int(self.n_people[0])
        return [(m, *self._estimate(m, 0), n, people) for m in self.metrics]

    def all_rows(self) -> tuple[tuple[Unit, ...], list[tuple]]:
        units, rows = [], []
        for u, unit in enumerate(self.layout.units):
            if unit.kind == "group":
                units.append(unit)
                rows += self._unit_rows(u, unit)
        for crossing in self.layout.all_crossings:
            unit = Unit("intersection", tuple(zip(self.layout.columns, crossing)))
            u = self.layout.index_of(unit)
            units.append(unit)
            rows += self._unit_rows(u, unit) if u is not None else self._empty_rows(unit)
        return tuple(units), rows

    def _unit_rows(self, u: int, unit: Unit) -> list[tuple]:
        status = self.status[u]
        shown = status is None
        n, people = int(self.est.point["n"][u]), int(self.n_people[u])
        tail = (not shown, REASONS[status].format(min_cell=self.min_cell) if status else None,
                n if shown else None, people if shown else None, self._n_display(n, status))
        is_ref = self.refs.get(u) == u
        rows = []
        for m in self.metrics:
            value = self._estimate(m, u) if shown else (np.nan, np.nan, np.nan)
            rows.append((*_labels(unit), m, *value, is_ref, *self._disparity(m, u, is_ref), *tail))
        return rows

    def _empty_rows(self, unit: Unit) -> list[tuple]:
        tail = (False, None, 0, 0, "0")
        rows = []
        for m in self.metrics:
            value = (0.0, 0.0, 0.0) if m == "n" else (np.nan, np.nan, np.nan)
            disparity = _disparity_row(empty_disparity(EMPTY_REASON)) if m in self.compared else _NO_DISPARITY
            rows.append((*_labels(unit), m, *value, False, *disparity, *tail))
        return rows

    def _estimate(self, m: str, u: int) -> tuple[float, float, float]:
        value = float(self.est.point[m][u])
        if m == "n":
            return (value, value, value)
        replicates = self.est.replicates[m][:, u]
        if m in PROPORTIONS:
            low, high = rate_interval(replicates, value, self.est.point[DENOMINATORS[m]][u])
        else:
            low, high = interval(replicates, value)
        return (value, low, high)

    def _disparity(self, m: str, u: int, is_ref: bool) -> tuple:
        if m not in self.compared or is_ref:
            return _NO_DISPARITY
        ref = self.refs.get(u)
        hidden = self._hidden_reason(u, ref)
        if hidden is not None:
            return _disparity_row(empty_disparity(hidden))
        return _disparity_row(disparity_of(m, u, ref, self.est, tolerance=self.tolerance,
                                           min_cell=self.min_cell))

    def _hidden_reason(self, u: int, ref: int | None) -> str | None:
        if self.status[u] is not None:
            return "this group's figures are withheld (small numbers)"
        if ref is None:
            return "the reference group has no young people"
        if self.status[ref] is not None:
            return "the reference group's figures are withheld (small numbers)"
        return None

    def _n_display(self, n: int, status) -> str:
        if status is None:
            return str(n)
        return f"fewer than {self.min_cell}" if status == PRIMARY else "withheld"


_NO_DISPARITY = (np.nan,) * 6 + (None, None)


def _disparity_row(d: dict) -> tuple:
    def num(key):
        return np.nan if d[key] is None else d[key]

    return (num("ratio"), num("ci_low"), num("ci_high"), num("difference"),
            num("difference_ci_low"), num("difference_ci_high"), d["verdict"], d["reason"])


def _labels(unit: Unit) -> tuple[str, str, str]:
    columns = JOIN.join(c for c, _ in unit.attributes)
    values = JOIN.join(v for _, v in unit.attributes)
    return (unit.kind, columns, values)


def _reference_units(layout: Layout, reference) -> dict[int, int | None]:
    """Map each group or intersection to the unit it is compared with."""
    refs = {}
    cross = layout.index_of(Unit("intersection", tuple((c, reference[c]) for c in layout.columns)))
    for u, unit in enumerate(layout.units):
        if unit.kind == "group":
            col = unit.attributes[0][0]
            refs[u] = layout.index_of(Unit("group", ((col, reference[col]),)))
        elif unit.kind == "intersection":
            refs[u] = cross
    return refs
