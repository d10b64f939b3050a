"""The fairness audit: one call from labels, flags and groups to a result."""

from __future__ import annotations

import numbers

import numpy as np

from ._capacity import capacity_plan
from ._decision import agreement_table
from ._errors import AuditInputError
from ._estimate import N_BINS, estimate
from ._inputs import AuditInputs, prepare_inputs
from ._layout import build_layout
from ._payload import PayloadBuilder
from ._result import AuditResult
from ._suppression import suppress_units
from ._text import METRIC_DEFINITIONS, NOTES

__all__ = ["audit_scores"]

CONFIDENCE = 0.95


def audit_scores(
    y_true,
    *,
    y_score=None,
    threshold=None,
    top_k=None,
    y_pred=None,
    sensitive_features,
    reference=None,
    decision=None,
    n_boot=1000,
    min_cell=10,
    tolerance=0.8,
    capacities=(25, 50, 100, 200),
    random_state=0,
) -> AuditResult:
    """Audit flags or scores for fairness across groups and their intersections.

    Parameters
    ----------
    y_true : array-like of 0/1
        The recorded outcome for each young person.
    y_score : array-like of float, default=None
        A score; young people at or above ``threshold`` (or among the
        ``top_k`` highest) are flagged. Give this or ``y_pred``.
    threshold : float, default=None
        Flag scores at or above this value.
    top_k : int, default=None
        Flag the ``top_k`` highest scores (ties at the cut are all flagged).
    y_pred : array-like of 0/1, default=None
        Ready-made yes/no flags, instead of a score.
    sensitive_features : DataFrame or Series
        One column per group attribute (sex, ethnicity, age band, ...).
    reference : dict, default=None
        ``{column: value}``: the group each column is compared with. A column
        left out is compared with its largest group.
    decision : array-like of 0/1, default=None
        Practitioners' decisions, audited beside the model's flags.
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

    Returns
    -------
    AuditResult

    Raises
    ------
    AuditInputError
        When an input or option is unusable; the message says which and why.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> score = rng.random(400)
    >>> y = (rng.random(400) < score / 2).astype(int)
    >>> sex = pd.Series(rng.choice(["F", "M"], 400), name="sex")
    >>> result = audit_scores(y, y_score=score, threshold=0.7,
    ...                       sensitive_features=sex, n_boot=50)
    >>> [g["value"] for g in result.to_dict()["groups"]]
    ['F', 'M']
    >>> result.to_dict()["groups"][0]["disparities"]["fnr"]["verdict"] in (
    ...     "within tolerance", "outside tolerance", "insufficient evidence")
    True
    """
    _check_options(n_boot=n_boot, min_cell=min_cell, tolerance=tolerance, capacities=capacities)
    seed = _seed(random_state)
    inputs = prepare_inputs(
        y_true, y_score=y_score, threshold=threshold, top_k=top_k, y_pred=y_pred,
        sensitive_features=sensitive_features, reference=reference, decision=decision,
    )
    _check_size(len(inputs.y_true), min_cell=min_cell)
    layout = build_layout(inputs.groups)
    model = estimate(inputs.y_true, inputs.flags, inputs.score, layout,
                     probability=inputs.score_is_probability, n_boot=n_boot, seed=seed)
    status = suppress_units(layout, model.point["n"], min_cell=min_cell)
    options = dict(reference=inputs.reference, tolerance=tolerance, min_cell=min_cell)
    builder = PayloadBuilder(layout, model, status, **options)
    withheld = _withheld_groups(layout, status)
    payload = {
        "overall": builder.overall(),
        "groups": builder.groups(),
        "intersections": builder.intersections(),
        "suppression": builder.suppression_list(),
        "capacity": capacity_plan(inputs.y_true, inputs.score, inputs.groups,
                                  capacities=capacities, withheld=withheld, min_cell=min_cell),
    }
    if inputs.decision is not None:
        payload["decision"] = _decision_audit(inputs, layout, status, options, n_boot, seed, withheld)
    payload["settings"] = _settings(inputs, layout, n_boot=n_boot, seed=seed, capacities=capacities,
                                    **options)
    payload["definitions"] = METRIC_DEFINITIONS
    payload["notes"] = NOTES
    return AuditResult(payload)


def _decision_audit(inputs: AuditInputs, layout, status, options, n_boot, seed, withheld) -> dict:
    practice = estimate(inputs.y_true, inputs.decision, None, layout,
                        probability=False, n_boot=n_boot, seed=seed)
    builder = PayloadBuilder(layout, practice, status, **options)
    return {
        "overall": builder.overall(),
        "groups": builder.groups(),
        "intersections": builder.intersections(),
        "agreement": agreement_table(inputs.flags, inputs.decision, inputs.groups,
                                     withheld=withheld),
    }


def _withheld_groups(layout, status) -> set[tuple[str, str]]:
    return {
        unit.attributes[0]
        for u, unit in enumerate(layout.units)
        if unit.kind == "group" and status[u] is not None
    }


def _settings(inputs: AuditInputs, layout, *, n_boot, seed, capacities, reference,
              tolerance, min_cell) -> dict:
    return {
        "mode": inputs.mode,
        "threshold": inputs.threshold,
        "top_k": inputs.top_k,
        "n_rows": int(len(inputs.y_true)),
        "n_flagged": int(inputs.flags.sum()),
        "score_given": inputs.score is not None,
        "score_is_probability": inputs.score_is_probability,
        "calibration_bins": N_BINS if inputs.score_is_probability else None,
        "group_columns": list(layout.columns),
        "reference": dict(reference),
        "n_boot": int(n_boot),
        "random_state": int(seed),
        "confidence_level": CONFIDENCE,
        "interval_method": "percentile bootstrap, each intersection cell resampled within "
                           "itself; widened where needed to include the point estimate, and joined "
                           "with the Wilson score interval where a group has no or only events",
        "min_cell": int(min_cell),
        "tolerance": float(tolerance),
        "tolerance_band": [float(tolerance), 1.0 / float(tolerance)],
        "capacities": [int(k) for k in capacities],
        "decision_given": inputs.decision is not None,
    }


def _check_options(*, n_boot, min_cell, tolerance, capacities) -> None:
    if not _whole(n_boot) or n_boot < 1:
        raise AuditInputError(
            f"The 'n_boot' option must be a whole number of at least 1; got {n_boot!r}. "
            "Use 1000 for a governance report, fewer only for a quick look."
        )
    if not _whole(min_cell) or min_cell < 1:
        raise AuditInputError(
            f"The 'min_cell' option must be a whole number of at least 1; got {min_cell!r}."
        )
    if not isinstance(tolerance, numbers.Real) or isinstance(tolerance, bool) or not 0 < tolerance < 1:
        raise AuditInputError(
            f"The 'tolerance' option must be a number between 0 and 1 (0.8 means ratios "
            f"from 0.8 to 1.25 are within tolerance); got {tolerance!r}."
        )
    if isinstance(capacities, (str, bytes)) or not all(_whole(k) and k >= 1 for k in _iter(capacities)):
        raise AuditInputError(
            "The 'capacities' option must be a list of whole numbers of at least 1 "
            f"(caseload sizes); got {capacities!r}."
        )


def _check_size(n: int, *, min_cell: int) -> None:
    if n < min_cell:
        raise AuditInputError(
            f"The table has {n} young people, fewer than 'min_cell' ({min_cell}), so every "
            "figure would be withheld. Audit a larger table, or lower 'min_cell' only for a test."
        )


def _iter(values):
    try:
        return list(values)
    except TypeError:
        return [None]


def _whole(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _seed(random_state) -> int:
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63 - 1))
    if random_state is None:
        return int(np.random.default_rng().integers(2**63 - 1))
    if _whole(random_state) and random_state >= 0:
        return int(random_state)
    raise AuditInputError(
        "The 'random_state' option must be a non-negative whole number, a numpy Generator "
        f"or None; got {type(random_state).__name__}."
    )
