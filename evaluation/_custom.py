"""Metrics supplied by the caller, ``fn(y_true, y_pred) -> float``, for every unit and replicate.

A replicate's integer row weights become an explicit resample (each row repeated as
often as it was drawn), so the caller's function sees ordinary arrays, as with
fairlearn's ``MetricFrame``. This calls the function once per unit and replicate: far
slower than the standard metrics, which come from weighted sums.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._errors import AuditInputError
from ._spec import on_score

__all__ = ["CustomMetrics"]


class CustomMetrics:
    """The caller's metrics, ready to evaluate on the design's sorted rows."""

    def __init__(self, metrics: dict, design, y, flags, score, membership, cell_codes) -> None:
        order = design.order
        self.metrics = dict(metrics or {})
        self.y, self.flags = y[order], flags[order].astype(np.int8)
        self.score = None if score is None else score[order]
        cells = cell_codes[order]
        self.rows = [np.flatnonzero(membership[cells, u]) for u in range(membership.shape[1])] if metrics else []
        missing = [name for name, fn in self.metrics.items() if isinstance(fn, on_score) and score is None]
        if missing:
            raise AuditInputError(
                f"The metric(s) {missing} take the score (on_score), but the audit was given "
                "ready-made flags ('y_pred') and no score. Give 'y_score' with 'threshold' or "
                "'top_k', or drop those metrics."
            )

    def __bool__(self) -> bool:
        return bool(self.metrics)

    def values(self, weights: np.ndarray) -> dict[str, np.ndarray]:
        """Each metric for each replicate and unit, shape (b, U); weights (b, n) in sorted order."""
        out = {name: np.full((len(weights), len(self.rows)), np.nan) for name in self.metrics}
        if not self.metrics:
            return out
        for r, w in enumerate(weights):
            for u, rows in enumerate(self.rows):
                drawn = np.repeat(rows, w[rows])
                for name, fn in self.metrics.items():
                    out[name][r, u] = self._call(name, fn, drawn)
        return out

    def _call(self, name: str, fn, drawn: np.ndarray) -> float:
        second = self.score if isinstance(fn, on_score) else self.flags
        try:
            value = fn(self.y[drawn], second[drawn])
        except (ValueError, ZeroDivisionError):
            return np.nan  # undefined on this sample (one class only, say), as a rate with no denominator
        except Exception as error:
            raise AuditInputError(
                f"The metric '{name}' failed ({type(error).__name__}); it must take (y_true, y_pred) "
                "arrays and return a number."
            ) from error
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise AuditInputError(
                f"The metric '{name}' returned a {type(value).__name__}; it must return one number."
            )
        return float(value)
