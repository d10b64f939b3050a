"""The temporal split: train on earlier as-of dates, validate and test on later ones.

A young person appears at many as-of dates, and the label of an as-of date ``t`` looks at
the window ``(t, t + horizon]``. So that no outcome from a later period can inform an
earlier one, an as-of date joins a period only if its whole label window ends on or before
the first as-of date of the next period:

    train dates      t + horizon <= first validation date
    validation dates t + horizon <= first test date

The as-of dates in between (one horizon's worth) are left out as a gap.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

PERIODS = ("train", "validation", "test")


class TemporalSplit:
    """Split distinct as-of dates into train, validation and test periods with gaps.

    Parameters
    ----------
    horizon_months : int, default=12
        Label window length and the gap between periods.
    validation_fraction, test_fraction : float, default=0.2
        Share of the distinct as-of dates for validation and test (at least one date each),
        used when the start dates are not given.
    validation_start, test_start : str or Timestamp, optional
        First as-of date of each period; override the fractions.

    Attributes
    ----------
    train_dates_, validation_dates_, test_dates_, gap_dates_ : list of Timestamp
        The as-of dates in each period, learned by :meth:`fit`.

    Examples
    --------
    >>> dates = pd.date_range("2019-03-31", periods=20, freq="QE")
    >>> split = TemporalSplit(horizon_months=12).fit(dates)
    >>> [len(split.train_dates_), len(split.validation_dates_), len(split.test_dates_)]
    [6, 4, 4]
    """

    def __init__(self, *, horizon_months=12, validation_fraction=0.2, test_fraction=0.2,
                 validation_start=None, test_start=None):
        self.horizon_months = horizon_months
        self.validation_fraction = validation_fraction
        self.test_fraction = test_fraction
        self.validation_start = validation_start
        self.test_start = test_start

    def fit(self, as_of) -> TemporalSplit:
        """Learn the period of each distinct as-of date in ``as_of``."""
        dates = pd.DatetimeIndex(pd.unique(pd.to_datetime(pd.Series(as_of)).dropna())).sort_values()
        gap = pd.DateOffset(months=self.horizon_months)
        test_start = self._start(self.test_start, dates, self.test_fraction, dates)
        before_test = dates[dates + gap <= test_start]
        validation_start = self._start(self.validation_start, before_test, self.validation_fraction, dates)
        self.test_dates_ = list(dates[dates >= test_start])
        self.validation_dates_ = list(before_test[before_test >= validation_start])
        self.train_dates_ = list(dates[dates + gap <= validation_start])
        used = set(self.test_dates_) | set(self.validation_dates_) | set(self.train_dates_)
        self.gap_dates_ = [d for d in dates if d not in used]
        self._check_nonempty(dates)
        return self

    def assign(self, as_of) -> np.ndarray:
        """Period name of each as-of date: ``"train"``, ``"validation"``, ``"test"`` or ``"gap"``."""
        self._check_fitted()
        dates = pd.to_datetime(pd.Series(as_of)).to_numpy()
        period = np.full(len(dates), "gap", dtype=object)
        for name in PERIODS:
            period[np.isin(dates, np.array(getattr(self, f"{name}_dates_"), dtype="datetime64[ns]"))] = name
        return period

    def to_dict(self) -> dict:
        """Dates of each period as ``YYYY-MM-DD`` strings, plus the horizon."""
        self._check_fitted()
        record = {"horizon_months": self.horizon_months}
        for name in (*PERIODS, "gap"):
            record[f"{name}_dates"] = [d.strftime("%Y-%m-%d") for d in getattr(self, f"{name}_dates_")]
        return record

    def describe(self) -> str:
        """One line per period: first and last as-of date and how many dates."""
        self._check_fitted()
        lines = [f"Temporal split (gap of {self.horizon_months} months between periods):"]
        for name in PERIODS:
            dates = getattr(self, f"{name}_dates_")
            lines.append(
                f"  {name:<10} as-of {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d} ({len(dates)} dates)"
            )
        return "\n".join(lines)

    def _start(self, given, candidates: pd.DatetimeIndex, fraction: float, all_dates) -> pd.Timestamp:
        if given is not None:
            return pd.Timestamp(given)
        if len(candidates) == 0:
            self._too_short(all_dates)
        n = min(max(1, math.ceil(fraction * len(all_dates) - 1e-9)), len(candidates))
        return candidates[len(candidates) - n]

    def _check_nonempty(self, dates) -> None:
        if not (self.train_dates_ and self.validation_dates_ and self.test_dates_):
            self._too_short(dates)

    def _too_short(self, dates) -> None:
        span = f"{len(dates)} distinct as-of date(s)"
        if len(dates):
            span += f" from {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}"
        raise ValueError(
            f"The feature table has {span}: too few for train, validation and test periods "
            f"with a gap of {self.horizon_months} months between them. Use more as-of dates "
            "(at least about three horizons' worth, quarterly), smaller fractions, or explicit "
            "'validation_start' and 'test_start' dates."
        )

    def _check_fitted(self) -> None:
        if not hasattr(self, "test_dates_"):
            raise RuntimeError("This TemporalSplit is not fitted yet; call fit(as_of) first.")
