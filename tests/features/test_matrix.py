"""build_features: the cohort, column order and types, several dates, files, partitions, errors."""

import numpy as np
import pandas as pd
import pytest

from features import (
    KNIFE_POSSESSION,
    FeatureRegistry,
    FeatureSet,
    build_features,
    cohort,
    default_registry,
)
from features._builders._sample import sample_tables
from features._matrix import partition_tables

TABLES = sample_tables(400, seed=11)
DATES = ["2022-03-31", "2023-03-31"]


@pytest.fixture(scope="module")
def built():
    return build_features(TABLES, DATES)


def test_one_row_per_person_aged_10_to_18_per_date(built):
    frame = built.frame
    expected = cohort(TABLES, DATES)
    assert len(frame) == len(expected)
    pd.testing.assert_frame_equal(frame[["person_id", "as_of"]], expected[["person_id", "as_of"]])
    assert not frame.duplicated(["person_id", "as_of"]).any()
    assert frame["age_years"].between(10, 19).all() and expected["age_years"].between(10, 19).all()


def test_columns_follow_the_registry_with_float_features_and_int8_label(built):
    registry = default_registry()
    assert list(built.frame.columns) == ["person_id", "as_of", *registry.names, "label"]
    assert all(built.frame[name].dtype.kind == "f" for name in registry.names)
    assert str(built.frame["label"].dtype) == "Int8"
    assert built.frame["as_of"].dtype == np.dtype("datetime64[ns]")
    assert built.X.columns.tolist() == registry.names and built.y.name == "label"


def test_protected_characteristics_are_never_features_by_default(built):
    from features._builders import _protected

    assert not set(built.frame.columns) & set(_protected.NAMES)
    assert [f.name for f in built.registry.protected] == ["age_years"]  # age: an input by design
    for name in built.frame.columns:
        assert not name.startswith(("sex", "ethnic", "disab", "sen_")), name


def test_an_allowed_protected_characteristic_becomes_a_feature():
    registry = default_registry(allow_protected={"sex": "Agreed by the ethics panel on 1 May 2025."})
    frame = build_features(TABLES, DATES[:1], registry=registry).frame
    assert "sex_male" in frame.columns and set(frame["sex_male"].dropna()) <= {0.0, 1.0}


def test_several_dates_give_the_same_rows_as_one_at_a_time(built):
    single = pd.concat([build_features(TABLES, [d]).frame for d in DATES], ignore_index=True)
    pd.testing.assert_frame_equal(built.frame, single)


def test_a_partition_of_people_gives_the_same_rows(built):
    people = TABLES["people"]["person_id"]
    halves = [set(people.iloc[::2]), set(people.iloc[1::2])]
    data_end = built.data_end
    parts = []
    for half in halves:
        parts.append(build_features(partition_tables(TABLES, list(half)), DATES, data_end=data_end).frame)
    merged = pd.concat(parts).sort_values(["as_of", "person_id"]).reset_index(drop=True)
    whole = built.frame.sort_values(["as_of", "person_id"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(merged, whole)


def test_write_and_read_keep_registry_label_and_groups(built, tmp_path):
    target = tmp_path / "out" / "features.parquet"
    paths = built.write(target)
    assert paths == (target, tmp_path / "out" / "features_groups.parquet")
    again = FeatureSet.read(target)
    pd.testing.assert_frame_equal(again.frame, built.frame, check_dtype=False)
    assert again.registry == built.registry and again.label_definition == built.label_definition
    assert again.groups[["person_id", "as_of"]].equals(built.frame[["person_id", "as_of"]].astype(again.groups[["person_id", "as_of"]].dtypes))
    assert pd.read_parquet(target).attrs["label_definition"]["name"] == "knife_involvement"


def test_reading_a_plain_parquet_file_is_refused(tmp_path):
    path = tmp_path / "plain.parquet"
    pd.DataFrame({"a": [1]}).to_parquet(path)
    with pytest.raises(ValueError, match="has no feature registry or label definition"):
        FeatureSet.read(path)


def test_label_definition_carries_the_horizon_used():
    built = build_features(TABLES, DATES[:1], label=KNIFE_POSSESSION, horizon_months=6)
    assert built.label_definition.name == "knife_possession" and built.label_definition.horizon_months == 6


def test_progress_is_reported_per_date():
    calls = []
    build_features(TABLES, DATES, progress=lambda text, fraction: calls.append(fraction))
    assert calls == [0.5, 1.0]


def test_a_registry_naming_an_unknown_feature_is_refused():
    registry = FeatureRegistry.from_dict([{**default_registry()["age_years"].__dict__, "name": "shoe_size"}])
    with pytest.raises(ValueError, match="declares features no builder makes: shoe_size"):
        build_features(TABLES, DATES, registry=registry)


def test_missing_tables_or_columns_are_refused():
    partial = {k: v for k, v in TABLES.items() if k != "yj_offences"}
    with pytest.raises(ValueError, match="lack yj_offences"):
        build_features(partial, DATES)
    broken = {**TABLES, "exclusions": TABLES["exclusions"].drop(columns="reasons")}
    with pytest.raises(ValueError, match=r"exclusions: reasons"):
        build_features(broken, DATES)


def test_a_column_of_the_wrong_kind_is_refused_by_table_column_and_kind():
    broken = {**TABLES, "exclusions": TABLES["exclusions"].assign(start_date="14/03/2024")}
    with pytest.raises(ValueError, match=r"wrong type \(exclusions: start_date \(dates\)\)") as error:
        build_features(broken, DATES)
    assert "14/03/2024" not in str(error.value)


def test_a_row_without_a_person_is_refused():
    pupils = TABLES["pupils"].copy()
    pupils.loc[0, "person_id"] = pd.NA
    with pytest.raises(ValueError, match=r"rows without a person_id \(pupils\)"):
        build_features({**TABLES, "pupils": pupils}, DATES)


def test_labels_check_their_tables_as_features_do():
    from features import build_labels

    broken = {**TABLES, "yj_offences": TABLES["yj_offences"].drop(columns="offence_date")}
    with pytest.raises(ValueError, match=r"yj_offences: offence_date"):
        build_labels(broken, DATES)


@pytest.mark.parametrize("entry", ["cohort", "cohort_status_of", "trace_features"])
def test_the_cohort_and_the_trace_check_their_tables_as_features_do(entry):
    import features

    call = {"cohort": lambda tables: features.cohort(tables, DATES),
            "cohort_status_of": lambda tables: features.cohort_status_of(tables, DATES[0]),
            "trace_features": lambda tables: features.trace_features(
                tables, ["p"], DATES[0], ["permanent_exclusion_24m"])}[entry]
    broken = {**TABLES, "exclusions": TABLES["exclusions"].assign(start_date="14/03/2024")}
    with pytest.raises(ValueError, match=r"wrong type \(exclusions: start_date \(dates\)\)"):
        call(broken)


def test_unreadable_dates_are_refused():
    with pytest.raises(ValueError, match="could not be read as a date"):
        build_features(TABLES, ["not a date"])
    with pytest.raises(ValueError, match="'data_end' option must be a date"):
        build_features(TABLES, DATES, data_end="soon")


def test_a_custom_registry_builds_only_its_features():
    registry = FeatureRegistry((default_registry()["offences_12m"], default_registry()["age_years"]))
    frame = build_features(TABLES, DATES[:1], registry=registry).frame
    assert list(frame.columns) == ["person_id", "as_of", "offences_12m", "age_years", "label"]


@pytest.fixture(scope="module")
def synthetic_tables(tmp_path_factory):
    import features

    folder = tmp_path_factory.mktemp("authority")
    features.synthesize(folder, n_young_people=800, seed=3)
    return features.load_extracts(folder, key=b"test-key-for-synthetic-data-0001").tables


@pytest.mark.slow
def test_synthetic_authority_through_loaders_to_features(synthetic_tables):
    from features import trace_feature

    dates = ["2021-03-31", "2022-03-31", "2023-03-31"]
    built = build_features(synthetic_tables, dates)
    frame = built.frame
    assert len(frame) == len(cohort(synthetic_tables, dates)) > 0
    assert frame["label"].notna().all() and frame["label"].sum() >= 1
    assert not built.X.isna().all().any()  # every feature has values somewhere
    assert frame.groupby("as_of").size().gt(0).all()
    person = frame.loc[frame["offences_24m"] > 0].iloc[0]
    records = trace_feature(synthetic_tables, person["person_id"], person["as_of"], "offences_24m")
    assert len(records) == person["offences_24m"]
    assert records["record_ref"].str.startswith("youth_justice/offences.csv:row ").all()


@pytest.mark.slow
def test_synthetic_features_ignore_records_not_yet_available(synthetic_tables):
    from features._builders._base import day_of, to_days
    from features._builders._known import AVAILABLE_FROM

    as_of = "2022-09-30"
    known = {
        name: table[to_days(table[AVAILABLE_FROM[name]]) <= day_of(as_of)].reset_index(drop=True)
        if name in AVAILABLE_FROM else table
        for name, table in synthetic_tables.items()
    }
    assert sum(map(len, known.values())) < sum(map(len, synthetic_tables.values()))
    full = build_features(synthetic_tables, [as_of]).frame.drop(columns="label")
    cut = build_features(known, [as_of]).frame.drop(columns="label")
    pd.testing.assert_frame_equal(full, cut)


def test_a_person_listed_twice_is_refused_without_naming_them():
    people = pd.concat([TABLES["people"], TABLES["people"].iloc[[3]]], ignore_index=True)
    with pytest.raises(ValueError, match="lists 1 person\\(s\\) more than once") as error:
        build_features({**TABLES, "people": people}, DATES)
    assert TABLES["people"]["person_id"].iloc[3] not in str(error.value)


def test_tables_with_only_a_census_record_give_the_cohort_with_unknown_labels():
    from features._builders._sample import empty_tables, make_table

    tables = empty_tables()
    tables["people"] = make_table("people", [{"person_id": "p1", "birth_month": "2010-01-01"}])
    tables["pupils"] = make_table("pupils", [{"person_id": "p1", "census_date": "2024-01-18"}])
    built = build_features(tables, ["2024-03-31"])
    assert len(built.frame) == 1 and built.data_end == pd.Timestamp("2024-01-18")
    assert built.dates["label_end"] is None and built.dates["unlabelled"] == 1
    assert built.frame["label"].isna().all() and built.frame["suspensions_12m"].iloc[0] == 0
    assert np.isnan(built.frame["attendance_rate_12m"].iloc[0])
