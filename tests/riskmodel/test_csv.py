"""The column-by-column CSV text equals pandas' own ``to_csv`` byte for byte."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riskmodel._csv import csv_text

AWKWARD = ["", "plain", "a, b", 'say "no"', "two\nlines", "carriage\rreturn", " spaced ", "é—ü", ",", '"']


def _table(n, seed):
    rng = np.random.default_rng(seed)
    floats = rng.normal(size=n) * 10.0 ** rng.integers(-20, 20, n)
    floats[rng.random(n) < 0.2] = np.nan
    floats[rng.random(n) < 0.1] = -0.0
    floats[rng.random(n) < 0.05] = np.inf
    return pd.DataFrame({
        "person_id": [f"{i:016x}" for i in rng.integers(0, 2**62, n)],
        "text": np.array(AWKWARD, dtype=object)[rng.integers(0, len(AWKWARD), n)],
        "value": floats,
        "whole": rng.integers(-5, 5, n),
        "rank": pd.array(np.where(rng.random(n) < 0.3, None, rng.integers(1, 100, n)), dtype="Int64"),
        "flag": rng.random(n) < 0.5,
    })


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_equals_pandas_on_awkward_tables(seed):
    table = _table(500, seed)
    assert csv_text(table) == table.to_csv(index=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=12), st.floats(allow_nan=True, allow_infinity=True)), max_size=20))
def test_equals_pandas_for_any_text_and_number(rows):
    table = pd.DataFrame({"text": [r[0] for r in rows], "number": [r[1] for r in rows]},
                         columns=["text", "number"]).astype({"text": object, "number": np.float64})
    assert csv_text(table) == table.to_csv(index=False)


def test_missing_text_is_written_as_nothing():
    table = pd.DataFrame({"a": ["x", None, np.nan], "b": [1.0, 2.0, 3.0]})
    assert csv_text(table) == table.to_csv(index=False)


@pytest.mark.parametrize(
    "table",
    [
        pd.DataFrame({"only": ["", "x"]}),
        pd.DataFrame({"a": [1, 2], "when": pd.to_datetime(["2024-01-01", "2024-02-01"])}),
        pd.DataFrame({"a": ["x", 3], "b": [1.5, 2.5]}, dtype=object),
        pd.DataFrame({"a": np.array([0.1, 0.2], dtype=np.float32), "b": ["x", "y"]}),
        pd.DataFrame({"a": pd.Series([], dtype=object), "b": pd.Series([], dtype=float)}),
    ],
    ids=["one-column", "dates", "mixed-object", "float32", "empty"],
)
def test_other_tables_are_left_to_pandas(table):
    assert csv_text(table) == table.to_csv(index=False)


def test_negative_zero_keeps_its_sign_and_repeats_are_formatted_alike():
    table = pd.DataFrame({"a": ["x"] * 6, "b": [0.0, -0.0, 0.0, -0.0, 0.1, 0.1]})
    assert csv_text(table) == table.to_csv(index=False)
    assert "x,-0.0" in csv_text(table)
