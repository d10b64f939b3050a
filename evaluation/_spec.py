"""The audit's options as one object, shared by the function, the file reader and the command."""

from __future__ import annotations

import dataclasses
import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ._errors import AuditInputError
from ._metrics import METRICS

__all__ = ["AuditSpec", "on_score", "resolve_spec", "parse_reference"]


@dataclass(frozen=True, kw_only=True)
class AuditSpec:
    """How to audit: where to cut the score, what to compare with, how many replicates.

    Every option is keyword-only and checked when the spec is made, so a bad
    option fails before any data is read. :func:`audit_scores`,
    :func:`audit_files` and ``riskmodel audit`` all take one; each also takes
    the options as keywords (``n_boot=200``), which override the spec's.

    Parameters
    ----------
    threshold : float, default=None
        Flag scores at or above this value. Give this or ``top_k`` with a score.
    top_k : int, default=None
        Flag the ``top_k`` highest scores (ties at the cut are all flagged).
    reference : dict or list of str, default=None
        ``{column: value}`` or ``["column=value", ...]``: the group each column is
        compared with. A column left out is compared with its largest group.
    n_boot : int, default=1000
        Bootstrap replicates for the intervals.
    min_cell : int, default=10
        Groups and intersections with fewer young people are withheld.
    tolerance : float, default=0.8
        A ratio within [tolerance, 1 / tolerance] counts as within tolerance.
    capacities : sequence of int, default=(25, 50, 100, 200)
        Caseloads K for capacity planning.
    random_state : int, numpy Generator or None, default=0
        Seed for the bootstrap.
    metrics : dict, default=None
        Extra metrics, as fairlearn's ``MetricFrame`` takes them: ``{name: fn}`` with
        ``fn(y_true, y_pred) -> float`` on the flags, or ``on_score(fn)`` for
        ``fn(y_true, y_score) -> float`` on the score. Each is reported per group and
        intersection with a bootstrap interval and a verdict on its ratio to the
        reference, beside the standard set (counts, base and selection rate, TPR, FPR,
        FNR, PPV, FDR, NPV, ROC AUC, Brier score, ECE), which is always computed.

    Examples
    --------
    >>> spec = AuditSpec(threshold=0.3, reference=["sex=F"], n_boot=200)
    >>> spec.reference, spec.capacities
    ({'sex': 'F'}, (25, 50, 100, 200))
    >>> AuditSpec(n_boot=0)
    Traceback (most recent call last):
    ...
    evaluation._errors.AuditInputError: The 'n_boot' option must be a whole number of at least 1; got 0. Use 1000 for a governance report, fewer only for a quick look.
    """

    threshold: float | None = None
    top_k: int | None = None
    reference: Mapping[str, str] | None = None
    n_boot: int = 1000
    min_cell: int = 10
    tolerance: float = 0.8
    capacities: tuple[int, ...] = (25, 50, 100, 200)
    random_state: int | np.random.Generator | None = 0
    metrics: Mapping[str, Callable] | None = field(default=None)

    def __post_init__(self) -> None:
        _check_whole("n_boot", self.n_boot,
                     " Use 1000 for a governance report, fewer only for a quick look.")
        _check_whole("min_cell", self.min_cell, "")
        _check_tolerance(self.tolerance)
        object.__setattr__(self, "capacities", _capacities(self.capacities))
        object.__setattr__(self, "reference", parse_reference(self.reference))
        object.__setattr__(self, "metrics", _custom_metrics(self.metrics))
        _check_seed(self.random_state)

    def replace(self, **options) -> AuditSpec:
        """A copy with some options changed (checked as when made)."""
        return resolve_spec(self, options)


class on_score:  # noqa: N801 - used like a function: metrics={"auc": on_score(fn)}
    """Mark a metric as taking the score, not the flags: ``fn(y_true, y_score) -> float``.

    Examples
    --------
    >>> from sklearn.metrics import roc_auc_score
    >>> on_score(roc_auc_score)([0, 1, 1], [0.2, 0.9, 0.4])
    1.0
    """

    def __init__(self, fn: Callable) -> None:
        if not callable(fn):
            raise AuditInputError(
                f"on_score() takes a metric function fn(y_true, y_score); got {type(fn).__name__}."
            )
        self.fn = fn

    def __call__(self, y_true, y_score) -> float:
        return self.fn(y_true, y_score)

    def __repr__(self) -> str:
        return f"on_score({getattr(self.fn, '__name__', repr(self.fn))})"


def resolve_spec(spec: AuditSpec | None, options: Mapping) -> AuditSpec:
    """``spec`` (or the defaults) with ``options`` applied; unknown options are refused."""
    if spec is not None and not isinstance(spec, AuditSpec):
        raise AuditInputError(f"The 'spec' option must be an AuditSpec; got {type(spec).__name__}.")
    allowed = [f.name for f in dataclasses.fields(AuditSpec)]
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise AuditInputError(
            f"Unknown audit option(s) {unknown}. The audit's options are: {allowed}."
        )
    base = spec or AuditSpec()
    return dataclasses.replace(base, **options) if options else base


def parse_reference(reference) -> dict | None:
    """Accept ``{column: value}`` or ``["column=value", ...]``; return a dict (or None).

    Examples
    --------
    >>> parse_reference(["sex=F", "age_band = 14-15"])
    {'sex': 'F', 'age_band': '14-15'}
    """
    if reference is None:
        return None
    if isinstance(reference, Mapping):
        return {str(k): v for k, v in reference.items()}
    if isinstance(reference, str):
        reference = [reference]
    if not isinstance(reference, (list, tuple)):
        raise AuditInputError(
            "The 'reference' option must be a dict mapping a group column to one of its values, "
            f"or a list of 'column=value' entries; got {type(reference).__name__}."
        )
    parsed = {}
    for item in reference:
        column, sep, value = str(item).partition("=")
        if not sep or not column.strip():
            raise AuditInputError(
                "Each 'reference' entry must have the form COLUMN=VALUE (for example "
                "sex=F); one entry has no '=' or no column name."
            )
        parsed[column.strip()] = value.strip()
    return parsed


def _custom_metrics(metrics) -> dict[str, Callable] | None:
    if metrics is None:
        return None
    if not isinstance(metrics, Mapping):
        raise AuditInputError(
            "The 'metrics' option must be a dict of {name: fn}, fn(y_true, y_pred) -> float "
            f"(or on_score(fn) for a score metric); got {type(metrics).__name__}."
        )
    out = {}
    for name, fn in metrics.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise AuditInputError(
                "Each name in the 'metrics' option must be a short identifier (letters, digits, "
                f"underscores, as 'recall' or 'auc_gap'); got {name!r}."
            )
        if name in METRICS or name in _RESERVED:
            raise AuditInputError(
                f"The metric name '{name}' is one of the audit's standard metrics, which are "
                "always reported; give the extra metric another name."
            )
        if not callable(fn):
            raise AuditInputError(
                f"The metric '{name}' in the 'metrics' option must be a function "
                f"fn(y_true, y_pred) -> float; got {type(fn).__name__}."
            )
        out[name] = fn
    return out


_RESERVED = frozenset({"negatives", "flagged", "unflagged", "smaller_class"})


def _whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_whole(name: str, value, advice: str) -> None:
    if not _whole(value) or value < 1:
        raise AuditInputError(
            f"The '{name}' option must be a whole number of at least 1; got {value!r}.{advice}"
        )


def _check_tolerance(tolerance) -> None:
    if not isinstance(tolerance, numbers.Real) or isinstance(tolerance, bool) or not 0 < tolerance < 1:
        raise AuditInputError(
            f"The 'tolerance' option must be a number between 0 and 1 (0.8 means ratios "
            f"from 0.8 to 1.25 are within tolerance); got {tolerance!r}."
        )


def _capacities(capacities) -> tuple[int, ...]:
    try:
        values = None if isinstance(capacities, (str, bytes)) else list(capacities)
    except TypeError:
        values = None
    if values is None or not all(_whole(k) and k >= 1 for k in values):
        raise AuditInputError(
            "The 'capacities' option must be a list of whole numbers of at least 1 "
            f"(caseload sizes); got {capacities!r}."
        )
    return tuple(int(k) for k in values)


def _check_seed(random_state) -> None:
    if isinstance(random_state, np.random.Generator) or random_state is None:
        return
    if not (_whole(random_state) and random_state >= 0):
        raise AuditInputError(
            "The 'random_state' option must be a non-negative whole number, a numpy Generator "
            f"or None; got {type(random_state).__name__}."
        )
