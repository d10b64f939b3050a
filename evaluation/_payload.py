"""Turn estimates into the audit.json structure: units, metrics, suppression."""

from __future__ import annotations

import numpy as np

from ._disparities import PROPORTIONS, _clean, disparities_for, empty_disparity, interval, rate_interval
from ._layout import Layout, Unit
from ._metrics import DENOMINATORS, METRICS
from ._suppression import PRIMARY, SECONDARY, suppress_counts

__all__ = ["PayloadBuilder", "REASONS"]

REASONS = {
    PRIMARY: "fewer than {min_cell} young people",
    SECONDARY: "withheld so that a smaller group's count cannot be worked out from the totals",
    "inherited": "part of a withheld group",
}


class PayloadBuilder:
    """Build the overall, group and intersection records of one set of flags."""

    def __init__(self, layout: Layout, estimates, status, *, reference, tolerance, min_cell):
        self.layout, self.est, self.status = layout, estimates, status
        self.tolerance, self.min_cell = tolerance, min_cell
        self.reference = reference
        self._ref_units = self._reference_units()

    def overall(self) -> dict:
        """The record for everyone in the table."""
        record = {"n": int(self.est.point["n"][0]), "metrics": self._metrics(0)}
        if self.est.bins_point is not None:
            record["calibration"] = self._calibration(0)
        return record

    def groups(self) -> list[dict]:
        """One record per group of each group column."""
        out = []
        for u, unit in enumerate(self.layout.units):
            if unit.kind == "group":
                col, value = unit.attributes[0]
                out.append({"attribute": col, "value": value, **self._unit(u, with_calibration=True)})
        return out

    def intersections(self) -> list[dict]:
        """One record per crossing of the group columns, empty crossings included."""
        out = []
        for crossing in self.layout.all_crossings:
            attributes = tuple(zip(self.layout.columns, crossing))
            u = self.layout.index_of(Unit("intersection", attributes))
            record = self._unit(u, with_calibration=False) if u is not None else self._empty()
            out.append({"attributes": dict(attributes), **record})
        return out

    def suppression_list(self) -> list[dict]:
        """Every withheld group or intersection with its reason."""
        out = []
        for u, unit in enumerate(self.layout.units):
            if self.status[u] is None or unit.kind == "overall":
                continue
            where = ({"attribute": unit.attributes[0][0], "value": unit.attributes[0][1]}
                     if unit.kind == "group" else {"attributes": dict(unit.attributes)})
            out.append({"kind": unit.kind, **where, "rule": self.status[u],
                        "reason": REASONS[self.status[u]].format(min_cell=self.min_cell)})
        return out

    def _unit(self, u: int, *, with_calibration: bool) -> dict:
        status = self.status[u]
        n = int(self.est.point["n"][u])
        record = {
            "n": None if status else n,
            "n_display": self._n_display(n, status),
            "suppressed": status is not None,
            "suppression_reason": REASONS[status].format(min_cell=self.min_cell) if status else None,
            "reference": self._ref_units.get(u) == u,
            "metrics": self._metrics(u) if status is None else self._withheld_metrics(),
            "disparities": self._disparities(u),
        }
        if with_calibration and self.est.bins_point is not None:
            record["calibration"] = self._calibration(u) if status is None else None
        return record

    def _disparities(self, u: int) -> dict:
        ref = self._ref_units.get(u)
        if ref == u:
            return {}
        return disparities_for(u, ref, self.est, tolerance=self.tolerance,
                               min_cell=self.min_cell, hidden=self._hidden_reason(u))

    def _empty(self) -> dict:
        record = {
            "n": 0, "n_display": "0", "suppressed": False, "suppression_reason": None,
            "reference": False, "metrics": self._withheld_metrics(),
            "disparities": {m: empty_disparity("no young people in this intersection")
                            for m in self._rate_metrics()},
        }
        record["metrics"]["n"] = {"value": 0, "ci_low": 0, "ci_high": 0}
        return record

    def _rate_metrics(self):
        from ._metrics import RATE_METRICS

        return [m for m in RATE_METRICS if m in self.est.point]

    def _n_display(self, n: int, status) -> str:
        if status is None:
            return str(n)
        return f"fewer than {self.min_cell}" if status == PRIMARY else "withheld"

    def _metrics(self, u: int) -> dict:
        out = {}
        for name in METRICS:
            if name not in self.est.point:
                continue
            value = float(self.est.point[name][u])
            if name == "n":
                out[name] = {"value": int(value), "ci_low": int(value), "ci_high": int(value)}
                continue
            replicates = self.est.replicates[name][:, u]
            if name in PROPORTIONS:
                low, high = rate_interval(replicates, value, self.est.point[DENOMINATORS[name]][u])
            else:
                low, high = interval(replicates, value)
            out[name] = {"value": _clean(value), "ci_low": _clean(low), "ci_high": _clean(high)}
            if name == "positives":
                out[name]["value"] = int(value)
        return out

    def _withheld_metrics(self) -> dict:
        names = [m for m in METRICS if m in self.est.point]
        return {m: {"value": None, "ci_low": None, "ci_high": None} for m in names}

    def _hidden_reason(self, u: int) -> str | None:
        ref = self._ref_units.get(u)
        if self.status[u] is not None:
            return "this group's figures are withheld (small numbers)"
        if ref is None:
            return "the reference group has no young people"
        if self.status[ref] is not None:
            return "the reference group's figures are withheld (small numbers)"
        return None

    def _reference_units(self) -> dict[int, int | None]:
        """Map each group or intersection to the unit it is compared with."""
        layout, refs = self.layout, {}
        cross = Unit("intersection", tuple((c, self.reference[c]) for c in layout.columns))
        cross_index = layout.index_of(cross)
        for u, unit in enumerate(layout.units):
            if unit.kind == "group":
                col = unit.attributes[0][0]
                refs[u] = layout.index_of(Unit("group", ((col, self.reference[col]),)))
            elif unit.kind == "intersection":
                refs[u] = cross_index
        return refs

    def _calibration(self, u: int) -> dict:
        edges, bins = self.est.bin_edges, self.est.bins_point[u]
        counts = bins[:, 0].astype(np.int64)
        status = suppress_counts(counts, min_cell=self.min_cell, totals=[(None, list(range(len(counts))))])
        reps = self.est.bins_replicates[:, u]
        rows = []
        for b in range(len(counts)):
            rows.append(self._bin_row(edges, b, counts[b], bins[b], reps[:, b], status[b]))
        ece = self.est.point.get("ece")
        return {"ece": _clean(ece[u]) if ece is not None else None, "bins": rows}

    def _bin_row(self, edges, b, count, sums, reps, status) -> dict:
        row = {"low": float(edges[b]), "high": float(edges[b + 1]), "suppressed": status is not None}
        if status is not None or count == 0:
            return {**row, "n": None if status else 0, "mean_score": None,
                    "observed_rate": None, "ci_low": None, "ci_high": None}
        observed = sums[1] / count
        with np.errstate(invalid="ignore", divide="ignore"):
            low, high = interval(reps[:, 1] / reps[:, 0], observed)
        return {**row, "n": int(count), "mean_score": float(sums[2] / count),
                "observed_rate": float(observed), "ci_low": _clean(low), "ci_high": _clean(high)}
