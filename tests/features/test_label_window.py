"""The label window ends by the youth justice extract's own end less a recording lag."""

import pandas as pd
import pytest

from features import DEFAULT_RECORDING_LAG_MONTHS, build_features, build_labels, label_cut_off, source_spans
from features._builders._sample import empty_tables, make_table


def authority(yj_end="2024-07-31", census_end="2025-01-16"):
    """p1 and p2 in the school census to ``census_end``; p1 offends in February 2024; the youth
    justice extract's last record is ``yj_end``."""
    tables = empty_tables()
    tables["people"] = make_table("people", [{"person_id": p, "birth_month": "2009-01-01"} for p in ("p1", "p2")])
    tables["pupils"] = make_table("pupils", [
        {"person_id": p, "census_date": d} for p in ("p1", "p2") for d in ("2022-01-20", census_end)])
    tables["yj_offences"] = make_table("yj_offences", [
        {"person_id": "p1", "offence_ref": "o1", "offence_date": "2024-02-10", "recorded_date": "2024-02-12",
         "ho_class": "10D", "yjb_category": "WEAP", "knife_flag": False}])
    tables["yj_outcomes"] = make_table("yj_outcomes", [
        {"person_id": "p2", "offence_ref": "x", "outcome_date": yj_end, "tier_rank": 1}])
    return tables


def test_each_source_has_its_own_data_end():
    ends = source_spans(authority())["end"]
    assert ends["youth_justice"] == pd.Timestamp("2024-07-31")
    assert ends["school_census"] == pd.Timestamp("2025-01-16")
    assert pd.isna(ends["ssda903"])


def test_the_cut_off_is_the_youth_justice_end_less_the_lag_not_the_latest_record_anywhere():
    assert DEFAULT_RECORDING_LAG_MONTHS == 3
    assert label_cut_off(authority()) == pd.Timestamp("2024-04-30")
    assert label_cut_off(authority(), recording_lag_months=0) == pd.Timestamp("2024-07-31")
    assert label_cut_off(authority(), data_end="2024-05-31") == pd.Timestamp("2024-02-29")  # earlier extract date
    assert label_cut_off(authority(), data_end="2025-12-31") == pd.Timestamp("2024-04-30")  # never later than yj


def test_a_window_past_the_youth_justice_cut_off_is_unknown_not_zero():
    # the school census runs to 2025, but youth justice stops in July 2024: recent labels are
    # not silent zeros
    frame = build_labels(authority(), ["2023-03-31", "2023-06-30"]).set_index(["as_of", "person_id"])["label"]
    assert frame[(pd.Timestamp("2023-03-31"), "p1")] == 1 and frame[(pd.Timestamp("2023-03-31"), "p2")] == 0
    assert frame.loc[pd.Timestamp("2023-06-30")].isna().all()


def test_the_recording_lag_is_configurable():
    frame = build_labels(authority(), ["2023-06-30"], recording_lag_months=0)
    assert frame["label"].tolist() == [1, 0]


def test_unlabelled_rows_and_the_dates_used_are_reported():
    built = build_features(authority(), ["2023-03-31", "2023-06-30"])
    assert built.dates["label_end"] == "2024-04-30" and built.dates["recording_lag_months"] == 3
    assert built.dates["unlabelled"] == 2
    assert built.dates["source_ends"]["youth_justice"] == "2024-07-31"
    assert built.dates["source_ends"]["school_census"] == "2025-01-16"
    assert built.data_end == pd.Timestamp("2025-01-16")


@pytest.mark.parametrize("lag", [-1, 25, 1.5, True, "3"])
def test_a_bad_recording_lag_is_refused(lag):
    with pytest.raises(ValueError, match="'recording_lag_months' option must be a whole number of months between 0 and 24"):
        build_labels(authority(), ["2023-03-31"], recording_lag_months=lag)


def test_a_bad_data_end_is_refused():
    with pytest.raises(ValueError, match="'data_end' option must be a date"):
        build_labels(authority(), ["2023-03-31"], data_end="not a date")
