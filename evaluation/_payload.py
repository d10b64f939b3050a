"""Turn the tidy frames into the audit.json structure: units, metrics, suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._disparities import clean, interval
from ._frame import REASONS, UnitFrames
from ._layout import Layout
from ._suppression import suppress_counts

__all__ = ["PayloadBuilder", "REASONS"]

_INTEGER_VALUES = ("n", "positives")


class PayloadBuilder:
    """Build the overall, group and intersection records of one set of flags from its frames."""

    def __init__(self, layout: Layout, estimates, status, frames: UnitFrames, *, min_cell):
        self.layout, self.est, self.status, self.frames = layout, estimates, status, frames
        self.min_cell = min_cell
        self._records = frames.by_group.to_dict("records")

    def overall(self) -> dict:
        """The record for everyone in the table."""
        rows = self.frames.overall.to_dict("records")
        record = {"n": int(rows[0]["n"]), "n_people": int(rows[0]["n_people"]),
                  "metrics": {r["metric"]: _estimate(r) for r in rows}}
        if self.est.bins_point is not None:
            record["calibration"] = self._calibration(0)
        return record

    def groups(self) -> list[dict]:
        """One record per group of each group column."""
        out = []
        for i, unit in enumerate(self.frames.units):
            if unit.kind == "group":
                col, value = unit.attributes[0]
                record = self._unit(i)
                if self.est.bins_point is not None:
                    u = self.layout.index_of(unit)
                    record["calibration"] = None if record["suppressed"] else self._calibration(u)
                out.append({"attribute": col, "value": value, **record})
        return out

    def intersections(self) -> list[dict]:
        """One record per crossing of the group columns, empty crossings included."""
        return [{"attributes": dict(unit.attributes), **self._unit(i)}
                for i, unit in enumerate(self.frames.units) if unit.kind == "intersection"]

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

    def _unit(self, i: int) -> dict:
        width = len(self.frames.metrics)
        rows = self._records[i * width:(i + 1) * width]
        first = rows[0]
        suppressed = bool(first["suppressed"])
        return {
            "n": _count(first["n"]),
            "n_people": _count(first["n_people"]),
            "n_display": first["n_display"],
            "suppressed": suppressed,
            "suppression_reason": _text(first["suppression_reason"]),
            "reference": bool(first["reference"]),
            "metrics": {r["metric"]: _withheld() if suppressed else _estimate(r) for r in rows},
            "disparities": {r["metric"]: _disparity(r) for r in rows
                            if r["metric"] in self.frames.compared and not first["reference"]},
        }

    def _calibration(self, u: int) -> dict:
        edges, bins = self.est.bin_edges, self.est.bins_point[u]
        counts = bins[:, 0].astype(np.int64)
        people = self.est.bins_people[u]
        status = suppress_counts(people, min_cell=self.min_cell, totals=[(None, list(range(len(people))))])
        reps = self.est.bins_replicates[:, u]
        rows = [_bin_row(edges, b, (counts[b], people[b]), bins[b], reps[:, b], status[b]) for b in range(len(counts))]
        ece = self.est.point.get("ece")
        return {"ece": clean(ece[u]) if ece is not None else None, "bins": rows}


def _estimate(row: dict) -> dict:
    if row["metric"] == "n":
        value = int(row["value"])
        return {"value": value, "ci_low": value, "ci_high": value}
    out = {"value": clean(row["value"]), "ci_low": clean(row["lower"]), "ci_high": clean(row["upper"])}
    if row["metric"] in _INTEGER_VALUES and out["value"] is not None:
        out["value"] = int(row["value"])
    return out


def _withheld() -> dict:
    return {"value": None, "ci_low": None, "ci_high": None}


def _disparity(row: dict) -> dict:
    return {
        "ratio": clean(row["disparity"]), "difference": clean(row["difference"]),
        "ci_low": clean(row["disparity_lower"]), "ci_high": clean(row["disparity_upper"]),
        "difference_ci_low": clean(row["difference_lower"]),
        "difference_ci_high": clean(row["difference_upper"]),
        "verdict": row["verdict"], "reason": _text(row["verdict_reason"]),
    }


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def _count(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _bin_row(edges, b, counts, sums, reps, status) -> dict:
    count, people = counts
    row = {"low": float(edges[b]), "high": float(edges[b + 1]), "suppressed": status is not None}
    if status is not None or count == 0:
        return {**row, "n": None if status else 0, "n_people": None if status else 0, "mean_score": None,
                "observed_rate": None, "ci_low": None, "ci_high": None}
    observed = sums[1] / count
    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = interval(reps[:, 1] / reps[:, 0], observed)
    return {**row, "n": int(count), "n_people": int(people), "mean_score": float(sums[2] / count),
            "observed_rate": float(observed), "ci_low": clean(low), "ci_high": clean(high)}
