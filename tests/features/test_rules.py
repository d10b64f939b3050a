"""Cross-column row rules: the duplicate-key check and lookups agree with plain pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from features._loaders._report import RowProblems
from features._loaders._rules import duplicate_keys, lookup

CELLS = st.sampled_from(["a", "b", "B", " b", None])


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(rows=st.lists(st.tuples(CELLS, CELLS, st.sampled_from([None, "2024-01-01", "2024-01-02"])), max_size=40),
       keys=st.permutations(["x", "y", "when"]).flatmap(lambda p: st.integers(1, 3).map(lambda k: p[:k])))
def test_duplicate_keys_marks_exactly_the_repeats_pandas_finds(rows, keys):
    frame = pd.DataFrame(rows, columns=["x", "y", "when"]).astype({"x": "str", "y": "str"})
    frame["when"] = pd.to_datetime(frame["when"])
    problems = RowProblems(frame.index)
    duplicate_keys(problems, frame, tuple(keys))
    expected = frame[list(keys)].duplicated(keep="first") & frame[keys[0]].notna()
    assert problems.bad.tolist() == expected.tolist()


def test_duplicate_keys_with_many_distinct_values_in_many_columns():
    frame = pd.DataFrame({c: np.arange(60_000) % (20_000 + i) for i, c in enumerate("abcdef")})
    problems = RowProblems(frame.index)
    duplicate_keys(problems, frame, tuple("abcdef"))
    assert problems.bad.tolist() == frame.duplicated(keep="first").tolist()


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(keys=st.lists(CELLS, max_size=30), labels=st.lists(CELLS, max_size=10))
def test_lookup_of_text_keys_agrees_with_reindex(keys, labels):
    mapping = pd.Series(np.arange(len(labels), dtype="float64"), index=pd.Index(labels, dtype="str"))
    first = mapping[~mapping.index.duplicated(keep="first")]
    expected = first.reindex(pd.Index(keys, dtype="str")).to_numpy()
    np.testing.assert_array_equal(lookup(pd.Series(keys, dtype="str"), mapping).to_numpy(), expected)
