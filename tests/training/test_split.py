"""The temporal split: periods in order, a horizon's gap, no label window across a boundary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from training import TemporalSplit


@settings(max_examples=60, deadline=None)
@given(n_dates=st.integers(12, 40), horizon=st.integers(1, 24),
       validation=st.floats(0.05, 0.45), test=st.floats(0.05, 0.45))
def test_no_label_window_crosses_into_a_later_period(n_dates, horizon, validation, test):
    dates = pd.date_range("2016-03-31", periods=n_dates, freq="QE")
    split = TemporalSplit(horizon_months=horizon, validation_fraction=validation, test_fraction=test)
    try:
        split.fit(dates)
    except ValueError as error:
        assert "too few" in str(error)
        return
    gap = pd.DateOffset(months=horizon)
    assert max(split.train_dates_) + gap <= min(split.validation_dates_)
    assert max(split.validation_dates_) + gap <= min(split.test_dates_)
    every = split.train_dates_ + split.validation_dates_ + split.test_dates_ + split.gap_dates_
    assert sorted(every) == list(dates)


def test_default_split_on_five_years_of_quarters():
    dates = pd.date_range("2019-03-31", periods=20, freq="QE")
    split = TemporalSplit(horizon_months=12).fit(dates)
    assert [d.strftime("%Y-%m-%d") for d in split.test_dates_] == ["2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"]
    assert split.validation_dates_[-1] == pd.Timestamp("2022-03-31")
    assert split.train_dates_[-1] == pd.Timestamp("2020-06-30")
    assert len(split.gap_dates_) == 6


def test_explicit_start_dates_override_fractions():
    dates = pd.date_range("2019-03-31", periods=24, freq="QE")
    split = TemporalSplit(horizon_months=6, validation_start="2022-03-31", test_start="2023-06-30").fit(dates)
    assert split.test_dates_[0] == pd.Timestamp("2023-06-30")
    assert split.validation_dates_[0] == pd.Timestamp("2022-03-31")
    assert split.validation_dates_[-1] == pd.Timestamp("2022-12-31")
    assert split.train_dates_[-1] == pd.Timestamp("2021-09-30")


def test_assign_names_each_row_and_repeats_are_fine():
    dates = pd.date_range("2019-03-31", periods=20, freq="QE")
    split = TemporalSplit().fit(np.repeat(dates, 3))
    period = split.assign(pd.Series(np.repeat(dates, 2)))
    assert len(period) == 40
    assert set(period) == {"train", "validation", "test", "gap"}
    assert (period[-8:] == "test").all()


def test_describe_prints_every_period_with_dates():
    split = TemporalSplit().fit(pd.date_range("2019-03-31", periods=20, freq="QE"))
    text = split.describe()
    for expected in ("train", "validation", "test", "2019-03-31", "2023-12-31", "gap of 12 months"):
        assert expected in text
    assert split.to_dict()["horizon_months"] == 12


@pytest.mark.parametrize("n_dates", [0, 1, 5, 9])
def test_too_few_dates_is_explained(n_dates):
    with pytest.raises(ValueError, match="too few for train, validation and test periods"):
        TemporalSplit().fit(pd.date_range("2019-03-31", periods=n_dates, freq="QE"))


def test_unfitted_split_says_so():
    with pytest.raises(RuntimeError, match="not fitted yet"):
        TemporalSplit().assign(["2020-01-01"])
