"""Lineage: the records behind a value are exactly the records the builder counted."""

import numpy as np
import pandas as pd
import pytest

from features import build_features, default_registry, trace_feature, trace_features
from features._builders._sample import empty_tables, make_table, sample_tables
from features._lineage import LINEAGE_COLUMNS

AS_OF = "2024-03-31"


def exclusion_tables():
    tables = empty_tables()
    tables["people"] = make_table("people", [{"person_id": "p1", "birth_month": "2009-02-01"},
                                             {"person_id": "p2", "birth_month": "2010-02-01"}])
    tables["exclusions"] = make_table("exclusions", [
        {"person_id": "p1", "start_date": "2024-03-14", "category": "SUSP", "reasons": "PP", "sessions": 4,
         "record_ref": "school_census/exclusions.csv:row 3"},
        {"person_id": "p1", "start_date": "2023-11-02", "category": "SUSP", "reasons": "VA;DM", "sessions": 2,
         "record_ref": "school_census/exclusions.csv:row 2"},
        {"person_id": "p1", "start_date": "2024-05-01", "category": "SUSP", "reasons": "PP", "sessions": 1,
         "record_ref": "school_census/exclusions.csv:row 4"},
        {"person_id": "p2", "start_date": "2024-01-01", "category": "SUSP", "reasons": "PP", "sessions": 1,
         "record_ref": "school_census/exclusions.csv:row 1"},
    ])
    return tables


def test_trace_lists_the_counted_records_latest_first_with_decoded_codes():
    got = trace_feature(exclusion_tables(), "p1", AS_OF, "suspensions_12m")
    assert list(got.columns) == list(LINEAGE_COLUMNS)
    assert got["record_ref"].tolist() == ["school_census/exclusions.csv:row 3", "school_census/exclusions.csv:row 2"]
    assert got["date"].tolist() == [pd.Timestamp("2024-03-14"), pd.Timestamp("2023-11-02")]
    assert got["meaning"].tolist() == [
        "physical assault against a pupil",
        "verbal abuse or threatening behaviour against an adult; damage",
    ]
    assert got["detail"].iloc[0] == "suspension, 4 sessions"
    assert set(got["table"]) == {"exclusions"}


def test_trace_is_empty_with_the_same_columns_when_nothing_is_behind_the_value():
    got = trace_feature(exclusion_tables(), "p1", AS_OF, "permanent_exclusion_24m")
    assert got.empty and list(got.columns) == list(LINEAGE_COLUMNS)
    assert trace_feature(exclusion_tables(), "nobody", AS_OF, "suspensions_12m").empty


def test_unknown_feature_is_refused_without_quoting_the_person():
    with pytest.raises(ValueError, match="no feature named 'shoe_size'") as error:
        trace_feature(exclusion_tables(), "p1", AS_OF, "shoe_size")
    assert "p1" not in str(error.value)


@pytest.mark.parametrize("pick", ["days_since_last_offence", "age_at_first_offence"])
def test_latest_and_earliest_values_trace_to_one_record(pick):
    tables = sample_tables(400, seed=4)
    frame = build_features(tables, [AS_OF]).frame
    person = frame.loc[frame["offences_24m"] >= 2, "person_id"].iloc[0]
    got = trace_feature(tables, person, AS_OF, pick)
    assert len(got) == 1
    off = tables["yj_offences"]
    known = off[(off["person_id"] == person) & (off["recorded_date"] <= AS_OF) & (off["offence_date"] <= AS_OF)]
    expected = known["offence_date"].max() if pick.startswith("days") else known["offence_date"].min()
    assert got["date"].iloc[0] == expected


COUNTED = [f.name for f in default_registry() if f.kind == "count" and f.aggregation == "count"]


@pytest.mark.parametrize("feature", COUNTED)
def test_count_features_trace_to_as_many_records_as_they_count(feature):
    tables = sample_tables(600, seed=5)
    frame = build_features(tables, [AS_OF]).frame
    counted = frame.loc[frame[feature] > 0]
    sample = counted.head(3) if len(counted) else frame.head(2)
    for person, value in zip(sample["person_id"], sample[feature]):
        assert len(trace_feature(tables, person, AS_OF, feature)) == value


def test_flags_trace_to_records_only_when_set():
    tables = sample_tables(600, seed=5)
    frame = build_features(tables, [AS_OF]).frame.set_index("person_id")
    for feature in ("looked_after_now", "cin_open_now", "af_gangs_24m", "ap_12m"):
        for person in frame.index[frame[feature] == 1][:2]:
            assert len(trace_feature(tables, person, AS_OF, feature)) >= 1
        unset = frame.index[frame[feature] == 0][0]
        assert trace_feature(tables, unset, AS_OF, feature).empty


def test_every_feature_can_be_traced():
    tables = sample_tables(200, seed=6)
    person = tables["people"]["person_id"].iloc[0]
    registry = default_registry(allow_protected={"sen": "test", "sex": "test"})
    for feature in registry.names:
        got = trace_feature(tables, person, AS_OF, feature)
        assert list(got.columns) == list(LINEAGE_COLUMNS)
        assert got["date"].dtype == np.dtype("datetime64[ns]")


def test_tracing_many_people_at_once_lists_each_persons_own_records():
    tables = sample_tables(300, seed=8)
    people = tables["people"]["person_id"].head(40).tolist()
    names = ["suspensions_12m", "offences_24m", "missing_episodes_12m", "days_since_last_offence"]
    bulk = trace_features(tables, people, AS_OF, names)
    assert list(bulk.columns) == ["person_id", "feature", *LINEAGE_COLUMNS]
    for person in people:
        for feature in names:
            mine = bulk.loc[(bulk["person_id"] == person) & (bulk["feature"] == feature)]
            alone = trace_features(tables, [person], AS_OF, [feature])
            assert mine["record_ref"].tolist() == alone["record_ref"].tolist()
    assert len(bulk) > 0


def test_tracing_an_unknown_feature_is_refused():
    with pytest.raises(ValueError, match="no feature named 'shoe_size'"):
        trace_features(exclusion_tables(), ["p1"], AS_OF, ["shoe_size"])


@pytest.mark.parametrize(("ho_class", "meaning"), [
    ("8M", "racially or religiously aggravated harassment"),
    ("3B", "threats to kill"),
    ("4/1", "manslaughter"),
    ("10D", "possession of article with blade or point"),
    ("105A", "unknown offence class"),
])
def test_offences_are_described_by_their_published_class_meaning(ho_class, meaning):
    tables = empty_tables()
    tables["people"] = make_table("people", [{"person_id": "p1", "birth_month": "2008-02-01"}])
    tables["yj_offences"] = make_table("yj_offences", [
        {"person_id": "p1", "offence_ref": "o1", "offence_date": "2024-01-10", "recorded_date": "2024-01-12",
         "ho_class": ho_class, "yjb_category": "VAP", "knife_flag": None,
         "record_ref": "youth_justice/offences.csv:row 1"},
    ])
    got = trace_feature(tables, "p1", AS_OF, "offences_12m")
    assert got["meaning"].tolist() == [meaning]
    assert got["detail"].iloc[0].endswith("; knife flag not recorded")  # never shown as a knife
