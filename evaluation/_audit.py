"""The fairness audit: one call from labels, flags and groups to a result."""

from __future__ import annotations

import numpy as np

from ._calibration import N_BINS
from ._capacity import capacity_plan
from ._decision import agreement_table
from ._errors import AuditInputError
from ._estimate import estimate
from ._frame import build_frames
from ._inputs import AuditInputs, prepare_inputs
from ._layout import build_layout, count_people
from ._payload import PayloadBuilder
from ._result import AuditResult
from ._spec import AuditSpec, resolve_spec
from ._suppression import suppress_units
from ._text import METRIC_DEFINITIONS, NO_PERSON_NOTE, NOTES, custom_definition

__all__ = ["audit_scores"]

CONFIDENCE = 0.95


def audit_scores(
    y_true,
    *,
    y_score=None,
    y_pred=None,
    sensitive_features,
    decision=None,
    person=None,
    spec: AuditSpec | None = None,
    **options,
) -> AuditResult:
    """Audit flags or scores for fairness across groups and their intersections.

    Parameters
    ----------
    y_true : array-like of 0/1
        The recorded outcome for each row (a young person on an as-of date).
    y_score : array-like of float, default=None
        A score; rows at or above ``threshold`` (or among the ``top_k`` highest)
        are flagged. Give this or ``y_pred``.
    y_pred : array-like of 0/1, default=None
        Ready-made yes/no flags, instead of a score.
    sensitive_features : DataFrame or Series
        One column per group attribute (sex, ethnicity, age band, ...).
    decision : array-like of 0/1, default=None
        Practitioners' decisions, audited beside the model's flags.
    person : array-like, default=None
        Who each row belongs to (a pseudonym). A young person on several as-of
        dates is then resampled as one and counted once for small-number
        suppression. None: every row is a different young person (the result's
        notes say so).
    spec : AuditSpec, default=None
        The audit's options; the defaults of :class:`AuditSpec` when None.
    **options
        Any option of :class:`AuditSpec` (``threshold``, ``top_k``, ``reference``,
        ``n_boot``, ``min_cell``, ``tolerance``, ``capacities``, ``random_state``,
        ``metrics``), overriding ``spec``'s.

    Returns
    -------
    AuditResult
        ``result.by_group`` and ``result.overall`` are tidy frames of every figure.

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
    >>> fnr = result.by_group.query("metric == 'fnr'")
    >>> fnr["group"].tolist()
    ['F', 'M']
    >>> compared = fnr[~fnr["reference"]]
    >>> compared["verdict"].iloc[0] in ("within tolerance", "outside tolerance", "insufficient evidence")
    True
    """
    spec = resolve_spec(spec, options)
    seed = _seed(spec.random_state)
    inputs = prepare_inputs(
        y_true, y_score=y_score, threshold=spec.threshold, top_k=spec.top_k, y_pred=y_pred,
        sensitive_features=sensitive_features, reference=spec.reference, decision=decision,
        person=person,
    )
    layout = build_layout(inputs.groups)
    people = count_people(layout, inputs.person)
    _check_size(int(people[0]), min_cell=spec.min_cell)
    model = estimate(inputs.y_true, inputs.flags, inputs.score, layout,
                     probability=inputs.score_is_probability, n_boot=spec.n_boot, seed=seed,
                     person=inputs.person, metrics=spec.metrics)
    status = suppress_units(layout, people, min_cell=spec.min_cell)
    options = dict(reference=inputs.reference, tolerance=spec.tolerance, min_cell=spec.min_cell)
    frames = build_frames(layout, model, status, people, **options)
    builder = PayloadBuilder(layout, model, status, frames, min_cell=spec.min_cell)
    withheld = _withheld_groups(layout, status)
    payload = {
        "overall": builder.overall(),
        "groups": builder.groups(),
        "intersections": builder.intersections(),
        "suppression": builder.suppression_list(),
        "capacity": capacity_plan(inputs.y_true, inputs.score, inputs.groups,
                                  capacities=spec.capacities, withheld=withheld,
                                  min_cell=spec.min_cell, person=inputs.person),
    }
    if inputs.decision is not None:
        payload["decision"] = _decision_audit(inputs, layout, status, people, options,
                                              spec.n_boot, seed, withheld)
    payload["settings"] = _settings(inputs, layout, spec, seed=seed, custom=model.custom, **options)
    payload["definitions"] = {**METRIC_DEFINITIONS,
                              **{m: custom_definition(m, spec.metrics[m]) for m in model.custom}}
    payload["notes"] = list(NOTES) if inputs.person is not None else [*NOTES, NO_PERSON_NOTE]
    return AuditResult(payload, overall=frames.overall, by_group=frames.by_group)


def _decision_audit(inputs: AuditInputs, layout, status, people, options, n_boot, seed, withheld) -> dict:
    practice = estimate(inputs.y_true, inputs.decision, None, layout,
                        probability=False, n_boot=n_boot, seed=seed, person=inputs.person)
    frames = build_frames(layout, practice, status, people, **options)
    builder = PayloadBuilder(layout, practice, status, frames, min_cell=options["min_cell"])
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


def _settings(inputs: AuditInputs, layout, spec: AuditSpec, *, seed, custom, reference,
              tolerance, min_cell) -> dict:
    return {
        "mode": inputs.mode,
        "threshold": inputs.threshold,
        "top_k": inputs.top_k,
        "n_rows": int(len(inputs.y_true)),
        "n_people": int(len(inputs.y_true) if inputs.person is None else len(np.unique(inputs.person))),
        "person_given": inputs.person is not None,
        "n_flagged": int(inputs.flags.sum()),
        "score_given": inputs.score is not None,
        "score_is_probability": inputs.score_is_probability,
        "calibration_bins": N_BINS if inputs.score_is_probability else None,
        "group_columns": list(layout.columns),
        "reference": dict(reference),
        "n_boot": int(spec.n_boot),
        "random_state": int(seed),
        "confidence_level": CONFIDENCE,
        "interval_method": "percentile bootstrap resampling young people (all of a person's rows "
                           "together) within the intersection cell of their first row; widened "
                           "where needed to include the point estimate, and joined with the Wilson "
                           "score interval where a group has no or only events",
        "min_cell": int(min_cell),
        "min_cell_counts": "distinct young people" if inputs.person is not None else "rows",
        "tolerance": float(tolerance),
        "tolerance_band": [float(tolerance), 1.0 / float(tolerance)],
        "capacities": [int(k) for k in spec.capacities],
        "decision_given": inputs.decision is not None,
        "custom_metrics": list(custom),
    }


def _check_size(n: int, *, min_cell: int) -> None:
    if n < min_cell:
        raise AuditInputError(
            f"The table has {n} young people, fewer than 'min_cell' ({min_cell}), so every "
            "figure would be withheld. Audit a larger table, or lower 'min_cell' only for a test."
        )


def _seed(random_state) -> int:
    """A whole-number seed from the (already checked) ``random_state`` option."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**63 - 1))
    if random_state is None:
        return int(np.random.default_rng().integers(2**63 - 1))
    return int(random_state)
