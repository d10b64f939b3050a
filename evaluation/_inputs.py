"""Check and normalise the audit's inputs into one plain record.

Every problem raises :class:`AuditInputError` naming the option or column and
what is allowed. Messages give counts and option values, never a value taken
from a young person's record.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._errors import AuditInputError

__all__ = ["AuditInputs", "prepare_inputs", "NOT_RECORDED", "MAX_GROUP_LEVELS"]

NOT_RECORDED = "(not recorded)"
MAX_GROUP_LEVELS = 50
_TRUE_TEXT = frozenset({"1", "1.0", "true", "yes", "y"})
_FALSE_TEXT = frozenset({"0", "0.0", "false", "no", "n"})


@dataclass(frozen=True)
class AuditInputs:
    """Validated inputs: aligned numpy arrays and a frame of group labels."""

    y_true: np.ndarray
    flags: np.ndarray
    score: np.ndarray | None
    score_is_probability: bool
    groups: pd.DataFrame
    reference: dict[str, str]
    decision: np.ndarray | None
    mode: str
    threshold: float | None
    top_k: int | None
    person: np.ndarray | None = None


def prepare_inputs(
    y_true, *, y_score, threshold, top_k, y_pred, sensitive_features, reference, decision,
    person=None,
) -> AuditInputs:
    """Validate every input and return an :class:`AuditInputs`."""
    _check_aligned(y_true=y_true, y_score=y_score, y_pred=y_pred,
                   sensitive_features=sensitive_features, decision=decision, person=person)
    y = as_binary(y_true, name="y_true")
    groups = _as_group_frame(sensitive_features, n=len(y))
    mode = _check_mode(y_score=y_score, threshold=threshold, top_k=top_k, y_pred=y_pred)
    score = None
    if mode == "prediction":
        flags = as_binary(y_pred, name="y_pred", n=len(y)).astype(bool)
    else:
        score = _as_score(y_score, n=len(y))
        threshold, top_k = _resolve_cut(score, threshold=threshold, top_k=top_k)
        flags = score >= threshold
    decided = None if decision is None else as_binary(decision, name="decision", n=len(y))
    return AuditInputs(
        y_true=y,
        flags=flags,
        score=score,
        score_is_probability=bool(score is not None and score.min() >= 0 and score.max() <= 1),
        groups=groups,
        reference=_resolve_reference(groups, reference),
        decision=None if decided is None else decided.astype(bool),
        mode=mode,
        threshold=None if threshold is None else float(threshold),
        top_k=top_k,
        person=None if person is None else person_codes(person, n=len(y)),
    )


def person_codes(values, *, n: int) -> np.ndarray:
    """Integer codes for who each row belongs to; the identities themselves are not kept."""
    series = _as_series(values, name="person", n=n)
    missing = int(series.isna().sum())
    if missing:
        raise AuditInputError(
            f"The 'person' values are missing in {missing} row(s). Every row needs the young "
            "person it belongs to (a pseudonym); fill or remove those rows, or leave 'person' "
            "out to count every row as a different young person."
        )
    return pd.factorize(series)[0].astype(np.int64)


def _check_aligned(**inputs) -> None:
    """Refuse pandas inputs whose row labels disagree: rows are matched by position."""
    indexed = [(name, v.index) for name, v in inputs.items() if isinstance(v, (pd.Series, pd.DataFrame))]
    for name, index in indexed[1:]:
        first_name, first = indexed[0]
        if len(index) == len(first) and not index.equals(first):
            raise AuditInputError(
                f"The '{name}' input and the '{first_name}' input have different row labels "
                "(pandas index). The audit matches rows by position, so they must come from the "
                "same table in the same order; take both from one DataFrame or reset their index."
            )


def as_binary(values, *, name: str, n: int | None = None) -> np.ndarray:
    """Return ``values`` as an int8 array of 0 and 1, or raise naming ``name``."""
    series = _as_series(values, name=name, n=n)
    missing = int(series.isna().sum())
    if missing:
        raise AuditInputError(
            f"The '{name}' values are missing in {missing} row(s). They must be 0 or 1 "
            "(or true/false) in every row; fill or remove those rows before the audit."
        )
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=np.int8)
    if pd.api.types.is_numeric_dtype(series):
        numbers_ = series.to_numpy(dtype=float)
        if np.isin(numbers_, (0.0, 1.0)).all():
            return numbers_.astype(np.int8)
    else:
        text = series.astype("string").str.strip().str.lower()
        truthy, falsy = text.isin(_TRUE_TEXT), text.isin(_FALSE_TEXT)
        if bool((truthy | falsy).all()):
            return truthy.to_numpy(dtype=np.int8)
    raise AuditInputError(
        f"The '{name}' values must be binary: 0 or 1 (or true/false, yes/no) in every row. "
        f"{_count_bad_binary(series)} row(s) hold something else; recode them before the audit."
    )


def _count_bad_binary(series: pd.Series) -> int:
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return int((~np.isin(series.to_numpy(dtype=float), (0.0, 1.0))).sum())
    text = series.astype("string").str.strip().str.lower()
    return int((~text.isin(_TRUE_TEXT | _FALSE_TEXT)).sum())


def _as_series(values, *, name: str, n: int | None) -> pd.Series:
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise AuditInputError(
                f"The '{name}' input must be one column; got a table with "
                f"{values.shape[1]} columns. Pass a single column (a Series or 1-d array)."
            )
        values = values.iloc[:, 0]
    series = values.reset_index(drop=True) if isinstance(values, pd.Series) else None
    if series is None:
        array = np.asarray(values)
        if array.ndim != 1:
            raise AuditInputError(
                f"The '{name}' input must be one-dimensional (one value per young person); "
                f"got an array with {array.ndim} dimensions."
            )
        series = pd.Series(array)
    if len(series) == 0:
        raise AuditInputError(f"The '{name}' input is empty; the audit needs at least one row.")
    if n is not None and len(series) != n:
        raise AuditInputError(
            f"The '{name}' input has {len(series)} rows but 'y_true' has {n}. "
            "Every input must have one row per young person, in the same order."
        )
    return series


def _check_mode(*, y_score, threshold, top_k, y_pred) -> str:
    if y_pred is not None and y_score is not None:
        raise AuditInputError(
            "Give either 'y_score' (with 'threshold' or 'top_k') or 'y_pred', not both: "
            "the audit checks one set of flags at a time."
        )
    if y_pred is not None:
        if threshold is not None or top_k is not None:
            raise AuditInputError(
                "The 'threshold' and 'top_k' options apply to a score; with 'y_pred' the "
                "flags are already given. Drop 'threshold'/'top_k', or pass 'y_score' instead."
            )
        return "prediction"
    if y_score is None:
        raise AuditInputError(
            "The audit needs flags to check: give 'y_score' with 'threshold' or 'top_k', "
            "or give a ready yes/no prediction as 'y_pred'."
        )
    if (threshold is None) == (top_k is None):
        raise AuditInputError(
            "With 'y_score', give exactly one of 'threshold' (flag scores at or above it) "
            "or 'top_k' (flag the k highest scores); got "
            + ("both." if threshold is not None else "neither.")
        )
    return "threshold" if threshold is not None else "top_k"


def _as_score(values, *, n: int) -> np.ndarray:
    series = _as_series(values, name="y_score", n=n)
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        converted = pd.to_numeric(series.astype("string"), errors="coerce")
        bad = int((converted.isna() & series.notna()).sum())
        if bad:
            raise AuditInputError(
                f"The 'y_score' values must be numbers; {bad} row(s) are not. "
                "Check that the score column was chosen correctly."
            )
        series = converted
    score = series.to_numpy(dtype=float, na_value=np.nan)
    missing = int((~np.isfinite(score)).sum())
    if missing:
        raise AuditInputError(
            f"The 'y_score' values are missing or not finite in {missing} row(s). Every "
            "young person in the audit needs a score; remove unscored rows first."
        )
    return score


def _resolve_cut(score: np.ndarray, *, threshold, top_k) -> tuple[float, int | None]:
    if top_k is None:
        if not isinstance(threshold, numbers.Real) or isinstance(threshold, bool):
            raise AuditInputError(
                f"The 'threshold' option must be a number; got {type(threshold).__name__}."
            )
        if not score.min() <= threshold <= score.max():
            side = "above every" if threshold > score.max() else "below every"
            raise AuditInputError(
                f"The 'threshold' option ({threshold:g}) lies {side} score, so it would flag "
                "nobody or everybody. Choose a threshold within the range of the scores."
            )
        return float(threshold), None
    if not isinstance(top_k, numbers.Integral) or isinstance(top_k, bool) or top_k < 1:
        raise AuditInputError(
            f"The 'top_k' option must be a whole number of at least 1; got {top_k!r}."
        )
    if top_k > len(score):
        raise AuditInputError(
            f"The 'top_k' option ({top_k}) is larger than the number of young people "
            f"({len(score)}). Choose a caseload no larger than the table."
        )
    return float(np.sort(score)[-int(top_k)]), int(top_k)


def _as_group_frame(sensitive_features, *, n: int) -> pd.DataFrame:
    if isinstance(sensitive_features, pd.Series):
        name = sensitive_features.name if sensitive_features.name is not None else "group"
        frame = sensitive_features.to_frame(name=str(name))
    elif isinstance(sensitive_features, pd.DataFrame):
        frame = sensitive_features
    else:
        raise AuditInputError(
            "The 'sensitive_features' input must be a pandas DataFrame (one column per "
            "group attribute) or a Series; got "
            f"{type(sensitive_features).__name__}."
        )
    _check_group_columns(frame, n=n)
    return pd.DataFrame(
        {str(col): _group_labels(frame[col]) for col in frame.columns}
    ).reset_index(drop=True)


def _check_group_columns(frame: pd.DataFrame, *, n: int) -> None:
    if frame.shape[1] == 0:
        raise AuditInputError(
            "The 'sensitive_features' table has no columns; give at least one group column."
        )
    if len(frame) != n:
        raise AuditInputError(
            f"The 'sensitive_features' table has {len(frame)} rows but 'y_true' has {n}. "
            "Every input must have one row per young person, in the same order."
        )
    names = [str(c) for c in frame.columns]
    if len(set(names)) != len(names):
        raise AuditInputError(
            "The 'sensitive_features' table has repeated column names; give each group "
            "column a distinct name."
        )
    for col in frame.columns:
        levels = frame[col].nunique(dropna=False)
        if levels > MAX_GROUP_LEVELS:
            raise AuditInputError(
                f"The group column '{col}' has {levels} distinct values; a group column "
                f"must hold a few categories (at most {MAX_GROUP_LEVELS}). Check it is not "
                "an identifier or a date, or band it (for example age into age bands)."
            )


def _group_labels(column: pd.Series) -> pd.Series:
    if pd.api.types.is_float_dtype(column):
        whole = column.dropna()
        if len(whole) and bool((whole == np.round(whole)).all()):
            column = column.astype("Int64")
    return column.astype("string").fillna(NOT_RECORDED).astype(object)


def _resolve_reference(groups: pd.DataFrame, reference) -> dict[str, str]:
    given = {} if reference is None else reference
    if not isinstance(given, dict):
        raise AuditInputError(
            "The 'reference' option must be a dict mapping a group column to one of its "
            f"values; got {type(given).__name__}."
        )
    given = {str(k): v for k, v in given.items()}
    unknown = [col for col in given if col not in groups.columns]
    if unknown:
        raise AuditInputError(
            f"The 'reference' option names column(s) {unknown} that are not group columns; "
            f"the group columns are {list(groups.columns)}."
        )
    return {col: _reference_for(col, groups[col].value_counts(sort=False), given)
            for col in groups.columns}


def _reference_for(col: str, counts: pd.Series, given: dict) -> str:
    if col not in given:
        return _largest(counts)
    value = _label_of(given[col])
    if value not in counts.index:
        raise AuditInputError(
            f"The reference value given for group column '{col}' is not one of its "
            f"{len(counts)} groups. Give a value that occurs in that column, or leave "
            "the column out of 'reference' to use its largest group."
        )
    return value


def _label_of(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return NOT_RECORDED if value is None or value is pd.NA else str(value)


def _largest(counts: pd.Series) -> str:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
    return str(ordered[0][0])
