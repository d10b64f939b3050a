"""The groups frame: audit columns beside the features, never among them."""

import pandas as pd
import pytest

from features import build_features
from features._builders._sample import empty_tables, make_table
from features._groups import GROUP_COLUMNS, age_band


def tables():
    t = empty_tables()
    t["people"] = make_table("people", [
        {"person_id": "p1", "birth_month": "2008-06-01", "sex": "M", "ethnicity": "BCRB", "ethnicity_group": "Black",
         "postcode_district": "NW10", "disability": True},
        {"person_id": "p2", "birth_month": "2012-09-01", "sex": "F", "ethnicity": None, "ethnicity_group": None,
         "postcode_district": "HA0"},
    ])
    t["pupils"] = make_table("pupils", [
        {"person_id": "p1", "census_date": "2023-01-19", "sen_provision": "K", "fsm_eligible": True, "postcode_district": "NW2"},
        {"person_id": "p1", "census_date": "2024-01-18", "sen_provision": "E", "fsm_eligible": False, "postcode_district": "W10"},
        {"person_id": "p1", "census_date": "2025-01-16", "sen_provision": "N", "fsm_eligible": True, "postcode_district": "E1"},
    ])
    t["cla_episodes"] = make_table("cla_episodes", [{"person_id": "p2", "decom": "2023-05-01", "dec": None}])
    return t


def groups(as_of="2024-03-31"):
    return build_features(tables(), [as_of]).groups.set_index("person_id")


def test_groups_have_the_audit_columns_and_no_feature_columns():
    frame = build_features(tables(), ["2024-03-31"]).groups
    assert tuple(frame.columns) == GROUP_COLUMNS
    assert frame["looked_after"].dtype == bool and frame["fsm"].dtype == bool


def test_census_values_are_the_latest_on_or_before_the_as_of_date():
    got = groups()
    assert (got.loc["p1", "sen_provision"], bool(got.loc["p1", "fsm"]), got.loc["p1", "area"]) == ("E", False, "W10")
    assert pd.isna(got.loc["p2", "sen_provision"]) and not got.loc["p2", "fsm"]
    assert got.loc["p2", "area"] == "HA0"  # no census: the person's recorded district
    earlier = groups("2023-06-30")
    assert (earlier.loc["p1", "sen_provision"], bool(earlier.loc["p1", "fsm"])) == ("K", True)


def test_people_attributes_and_looked_after_status():
    got = groups()
    assert got.loc["p1", ["sex", "ethnicity_group", "ethnicity"]].tolist() == ["M", "Black", "BCRB"]
    assert got.loc["p2", ["ethnicity_group", "ethnicity"]].tolist() == ["Unknown", "UNKN"]
    assert bool(got.loc["p1", "disability"]) and pd.isna(got.loc["p2", "disability"])
    assert (bool(got.loc["p1", "looked_after"]), bool(got.loc["p2", "looked_after"])) == (False, True)
    assert got["age_band"].to_dict() == {"p1": "13-15", "p2": "10-12"}


@pytest.mark.parametrize(("age", "band"), [(10.0, "10-12"), (12.99, "10-12"), (13.0, "13-15"), (15.5, "13-15"),
                                           (16.0, "16-18"), (18.9, "16-18"), (9.9, None), (19.0, None)])
def test_age_bands(age, band):
    assert age_band([age])[0] == band
