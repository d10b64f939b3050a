"""Drift measures: fixed bins, PSI, missing shares, volumes and statuses (synthetic data only)."""

import numpy as np
import pandas as pd
import pytest

from evaluation._arrivals import month_range, monthly_volume, volume_checks
from evaluation._drift import (
    bin_shares, feature_drift, feature_reference, fixed_bins, population_stability_index, status_of, worst_status,
)


def test_bins_are_fixed_by_the_reference_and_shares_sum_to_one():
    rng = np.random.default_rng(0)
    reference = rng.normal(size=5000)
    cuts = fixed_bins(reference)
    later = rng.normal(loc=3, size=5000)
    assert fixed_bins(reference) == cuts
    shares = bin_shares(later, cuts)
    assert shares.sum() == pytest.approx(1.0)
    assert len(shares) == len(cuts) + 2


def test_missing_values_have_their_own_bin():
    shares = bin_shares([1.0, np.nan, np.nan, 2.0], [1.5])
    assert shares.tolist() == [0.25, 0.25, 0.5]


def test_psi_is_zero_for_the_same_sample_and_large_for_a_shift():
    rng = np.random.default_rng(1)
    reference = rng.normal(size=20000)
    cuts = fixed_bins(reference)
    same = population_stability_index(bin_shares(reference, cuts), bin_shares(reference, cuts))
    resample = population_stability_index(bin_shares(reference, cuts), bin_shares(rng.normal(size=20000), cuts))
    shifted = population_stability_index(bin_shares(reference, cuts), bin_shares(rng.normal(0.8, size=20000), cuts))
    assert same == 0.0
    assert resample < 0.01
    assert shifted > 0.25


@pytest.mark.parametrize("measure, value, expected", [
    ("psi", 0.0999, "ok"), ("psi", 0.1, "watch"), ("psi", 0.2499, "watch"), ("psi", 0.25, "alert"),
    ("missing_share_increase", 0.06, "watch"), ("missing_share_increase", 0.2, "alert"),
    ("volume_ratio_low", 0.49, "alert"), ("volume_ratio_low", 0.6, "watch"), ("volume_ratio_low", 1.2, "ok"),
])
def test_statuses_follow_the_declared_thresholds(measure, value, expected):
    assert status_of(measure, value) == expected


def test_unknown_measure_is_refused():
    with pytest.raises(ValueError, match="Unknown drift measure"):
        status_of("entropy", 1.0)


def test_worst_status():
    assert worst_status(["ok", "watch", "ok"]) == "watch"
    assert worst_status([]) == "ok"


def test_feature_drift_names_the_feature_that_moved_and_its_missing_share():
    rng = np.random.default_rng(2)
    train = pd.DataFrame({"a": rng.poisson(1, 4000).astype(float), "b": rng.normal(size=4000)})
    reference = feature_reference(train, ["a", "b"])
    batch = train.sample(2000, random_state=0).copy()
    batch.loc[batch.index[:600], "b"] = np.nan
    table = feature_drift(reference, batch).set_index("feature")
    assert table.loc["a", "status"] == "ok"
    assert table.loc["b", "missing_status"] == "alert"
    assert table.loc["b", "largest_shift"].startswith("missing")


def test_feature_drift_refuses_a_batch_without_the_referenced_columns():
    reference = feature_reference(pd.DataFrame({"a": [1.0, 2.0]}), ["a"])
    with pytest.raises(ValueError, match="lacks 1 column"):
        feature_drift(reference, pd.DataFrame({"b": [1.0]}))


def _dates(month_counts):
    return pd.Series(pd.to_datetime([f"{m}-15" for m, n in month_counts for _ in range(n)]))


def test_volume_compares_each_month_with_the_same_calendar_month():
    months = month_range("2021-01-01", "2022-12-31")
    termly = [(m, 100) for m in months if m[5:] in ("01", "05", "10")]
    steady = [(m, 50) for m in months]
    reference = monthly_volume({"school_census": _dates(termly), "cin": _dates(steady)}, months)
    recent = month_range("2023-01-01", "2023-06-30")
    batch = monthly_volume({"school_census": _dates([("2023-01", 95), ("2023-05", 98)]),
                            "cin": _dates([(m, 50) for m in recent[:3]] + [(m, 10) for m in recent[3:]])}, recent)
    checks = volume_checks(reference, batch, recent).set_index(["source", "month"])
    assert (checks.loc["school_census", "status"] == "ok").all()
    assert pd.isna(checks.loc[("school_census", "2023-02"), "usual"])
    assert checks.loc[("cin", "2023-04"), "status"] == "alert"
    assert "cin" in checks.loc[("cin", "2023-04"), "finding"]
    assert checks.loc[("cin", "2023-01"), "status"] == "ok"


def test_a_source_with_no_recent_records_is_said_to_have_stopped():
    months = month_range("2021-01-01", "2022-12-31")
    reference = monthly_volume({"youth_justice": _dates([(m, 20) for m in months])}, months)
    recent = month_range("2023-01-01", "2023-03-31")
    batch = monthly_volume({"youth_justice": _dates([])}, recent)
    checks = volume_checks(reference, batch, recent)
    assert (checks["status"] == "alert").all()
    assert "stopped arriving" in checks["finding"].iloc[0]


def test_a_small_sources_chance_shortfall_is_not_an_alert():
    months = month_range("2021-01-01", "2022-12-31")
    reference = monthly_volume({"cin": _dates([(m, 9) for m in months])}, months)
    batch = monthly_volume({"cin": _dates([("2023-01", 4)])}, ["2023-01"])
    row = volume_checks(reference, batch, ["2023-01"]).iloc[0]
    assert row["ratio"] < 0.5
    assert row["status"] == "ok" and "by chance" in row["finding"]


def _code_counts(rng, areas, shares, n):
    rows = []
    for area in areas:
        draws = rng.multinomial(n, list(shares.values()))
        rows += [{"field": "youth_justice.yjb_category", "area": area, "code": c, "records": int(k)}
                 for c, k in zip(shares, draws)]
    return pd.DataFrame(rows)


def test_a_relabelled_area_is_caught_and_named_with_its_code():
    from evaluation._arrivals import code_checks

    rng = np.random.default_rng(3)
    shares = {"WEAP": 0.3, "VAP": 0.3, "DRUG": 0.2, "THEFT": 0.2}
    areas = [f"ZZ{i}" for i in range(1, 9)]
    reference = _code_counts(rng, areas, shares, 600)
    recent = _code_counts(rng, areas, shares, 150)
    assert (code_checks(reference, recent)["status"] == "ok").all()
    moved = recent["area"].eq("ZZ3") & recent["code"].eq("WEAP")
    other = recent["area"].eq("ZZ3") & recent["code"].eq("THEFT")
    recent.loc[other, "records"] += int(recent.loc[moved, "records"].sum())
    recent.loc[moved, "records"] = 0
    checks = code_checks(reference, recent).set_index("area")
    assert checks.loc["ZZ3", "status"] == "alert"
    assert "ZZ3" in checks.loc["ZZ3", "finding"] and "WEAP" in checks.loc["ZZ3", "finding"]
    assert checks.drop(index=["ZZ3", "all areas"])["status"].eq("ok").all()


def test_a_shifted_code_frequency_is_caught_across_the_authority():
    from evaluation._arrivals import code_checks

    rng = np.random.default_rng(4)
    reference = _code_counts(rng, ["ZZ1", "ZZ2"], {"SUSP": 0.9, "PERM": 0.1}, 2000)
    recent = _code_counts(rng, ["ZZ1", "ZZ2"], {"SUSP": 0.6, "PERM": 0.4}, 500)
    overall = code_checks(reference, recent).set_index("area").loc["all areas"]
    assert overall["status"] == "alert" and "PERM" in overall["finding"]
