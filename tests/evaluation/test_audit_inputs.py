"""Every bad input raises AuditInputError with a message naming what was wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluation import AuditInputError, audit_scores

N = 60
RNG = np.random.default_rng(3)
Y = RNG.integers(0, 2, N)
SCORE = RNG.random(N)
GROUPS = pd.DataFrame({"sex": RNG.choice(["F", "M"], N)})


def _run(**overrides):
    options = dict(y_score=SCORE, threshold=0.5, sensitive_features=GROUPS, n_boot=5)
    options.update(overrides)
    y = options.pop("y_true", Y)
    return audit_scores(y, **options)


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"y_true": np.r_[Y[:-1], 2]}, "'y_true' values must be binary"),
        ({"y_true": np.r_[Y[:-1].astype(float), np.nan]}, "'y_true' values are missing in 1 row"),
        ({"y_true": Y[:-1]}, "'sensitive_features' table has 60 rows but 'y_true' has 59"),
        ({"y_score": SCORE, "y_pred": Y}, "not both"),
        ({"y_score": None}, "needs flags to check"),
        ({"threshold": None}, "got neither"),
        ({"top_k": 5}, "got both"),
        ({"y_score": None, "threshold": None, "y_pred": Y, "top_k": 3}, "flags are already given"),
        ({"threshold": 1.5}, "lies above every score"),
        ({"threshold": -0.5}, "lies below every score"),
        ({"threshold": "high"}, "'threshold' option must be a number"),
        ({"threshold": None, "top_k": 0}, "'top_k' option must be a whole number"),
        ({"threshold": None, "top_k": N + 1}, "larger than the number of young people"),
        ({"y_score": np.r_[SCORE[:-1], np.nan]}, "'y_score' values are missing or not finite in 1"),
        ({"y_score": np.array(["a"] * N, dtype=object)}, "'y_score' values must be numbers"),
        ({"y_score": SCORE[:-1]}, "'y_score' input has 59 rows"),
        ({"y_pred": np.full(N, 3), "y_score": None, "threshold": None}, "'y_pred' values must be binary"),
        ({"decision": np.full(N, 5)}, "'decision' values must be binary"),
        ({"decision": np.ones(N - 1)}, "'decision' input has 59 rows"),
        ({"sensitive_features": [1, 2]}, "must be a pandas DataFrame"),
        ({"sensitive_features": pd.DataFrame(index=range(N))}, "has no columns"),
        ({"sensitive_features": pd.DataFrame({"id": np.arange(N)})}, "group column 'id' has 60 distinct"),
        ({"reference": {"age": "15"}}, r"names column\(s\) \['age'\]"),
        ({"reference": {"sex": "X"}}, "reference value given for group column 'sex' is not one"),
        ({"reference": 5}, "'reference' option must be a dict"),
        ({"reference": ["sex"]}, "must have the form COLUMN=VALUE"),
        ({"metrics": {"tpr": len}}, "'tpr' is one of the audit's standard metrics"),
        ({"metrics": {"recall": 3}}, "metric 'recall' in the 'metrics' option must be a function"),
        ({"metrics": [len]}, "'metrics' option must be a dict"),
        ({"n_boots": 10}, r"Unknown audit option\(s\) \['n_boots'\]"),
        ({"n_boot": 0}, "'n_boot' option must be a whole number"),
        ({"min_cell": 0}, "'min_cell' option must be a whole number"),
        ({"tolerance": 1.2}, "'tolerance' option must be a number between 0 and 1"),
        ({"capacities": [25, -1]}, "'capacities' option must be a list"),
        ({"random_state": "seed"}, "'random_state' option must be"),
        ({"y_score": np.ones((N, 2))}, "'y_score' input must be one-dimensional"),
        ({"min_cell": 61}, "fewer than 'min_cell' \\(61\\)"),
    ],
)
def test_bad_input_raises_a_clear_error(overrides, match):
    with pytest.raises(AuditInputError, match=match):
        _run(**overrides)


def test_repeated_group_column_names_are_refused():
    frame = pd.concat([GROUPS, GROUPS], axis=1)
    with pytest.raises(AuditInputError, match="repeated column names"):
        _run(sensitive_features=frame)


def test_too_many_intersections_are_refused():
    rng = np.random.default_rng(0)
    n = 3000
    groups = pd.DataFrame({c: rng.integers(0, 40, n) for c in ("a", "b")})
    with pytest.raises(AuditInputError, match="cross into 1600 intersections"):
        audit_scores(rng.integers(0, 2, n), y_score=rng.random(n), threshold=0.5,
                     sensitive_features=groups, n_boot=5)


def test_pandas_inputs_with_different_row_labels_are_refused():
    shuffled = GROUPS.sample(frac=1, random_state=0)
    with pytest.raises(AuditInputError, match="different row labels"):
        _run(y_true=pd.Series(Y), sensitive_features=shuffled)


def test_errors_never_quote_record_values():
    secret = np.array(["ZX-SECRET-42"] * N, dtype=object)
    with pytest.raises(AuditInputError) as caught:
        _run(y_score=secret)
    assert "ZX-SECRET-42" not in str(caught.value)
    with pytest.raises(AuditInputError) as caught:
        _run(y_true=secret)
    assert "ZX-SECRET-42" not in str(caught.value)


def test_audit_input_error_is_a_value_error():
    assert issubclass(AuditInputError, ValueError)


@pytest.mark.parametrize("labels", [
    np.where(Y == 1, "yes", "no"), Y.astype(bool), Y.astype(float), pd.Series(Y).astype("Int64"),
])
def test_binary_labels_are_accepted_in_common_encodings(labels):
    result = _run(y_true=labels)
    assert result.to_dict()["overall"]["metrics"]["positives"]["value"] == int(Y.sum())


def test_missing_group_values_form_their_own_group():
    groups = GROUPS.copy()
    groups.loc[:14, "sex"] = None
    values = {g["value"] for g in _run(sensitive_features=groups).to_dict()["groups"]}
    assert "(not recorded)" in values
