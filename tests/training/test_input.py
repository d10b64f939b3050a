"""The training input contract: what is accepted, what is refused and why, the fingerprint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features import Feature, FeatureRegistry
from training._input import fingerprint, prepare_training_data


@pytest.fixture
def table(make_table, small_registry):
    frame, groups = make_table(n_people=50, n_dates=6)
    frame.attrs["registry"] = small_registry.to_dict()
    return frame, groups


def test_a_plain_table_is_checked_sorted_and_fingerprinted(table):
    frame, groups = table
    data = prepare_training_data(frame.sample(frac=1, random_state=1), groups=groups)
    assert data.feature_names == [c for c in frame.columns if c not in ("person_id", "as_of", "label")]
    assert data.frame["as_of"].is_monotonic_increasing
    assert data.frame["label"].dtype == "int64"
    assert data.fingerprint == prepare_training_data(frame).fingerprint
    assert len(data.groups) == len(data.frame) and "person_id" not in data.groups.columns
    assert data.registry.names == data.feature_names


def test_groups_are_aligned_row_for_row(table):
    frame, groups = table
    data = prepare_training_data(frame, groups=groups.sample(frac=1, random_state=2))
    expected = frame.merge(groups, on=["person_id", "as_of"]).sort_values(["as_of", "person_id"])
    assert list(data.groups["sex"]) == list(expected["sex"])


def test_fingerprint_changes_with_any_value(table):
    frame, _ = table
    changed = frame.copy()
    changed.loc[3, "suspensions_12m"] += 1
    assert fingerprint(frame) != fingerprint(changed)
    assert len(fingerprint(frame)) == 64


def test_rows_without_a_label_are_left_out_with_a_note(table):
    frame, _ = table
    frame = frame.astype({"label": "Int8"})
    frame.loc[:9, "label"] = pd.NA
    data = prepare_training_data(frame)
    assert len(data.frame) == len(frame) - 10
    assert data.notes[0].startswith("10 row(s) without a label (their label window runs past the label cut-off")


def test_a_table_without_a_registry_gets_an_empty_one(table):
    frame, _ = table
    frame.attrs = {}
    data = prepare_training_data(frame)
    assert len(data.registry) == 0 and "user-provided" in data.label_definition.name


@pytest.mark.parametrize("change, message", [
    (lambda f: f.drop(columns=["label"]), "lacks the column\\(s\\) label"),
    (lambda f: f.assign(label=2), "have a 'label' that is not 0, 1 or missing"),
    (lambda f: f.assign(label="yes"), "have a 'label' that is not 0, 1 or missing"),
    (lambda f: f.assign(sex="F"), "protected characteristic column\\(s\\) sex"),
    (lambda f: f.assign(ethnicity_group="White"), "protected characteristic column\\(s\\) ethnicity_group"),
    (lambda f: f.assign(school="A"), "feature column\\(s\\) school are not numeric"),
    (lambda f: pd.concat([f, f.head(3)]), "3 row\\(s\\) of the feature table repeat a person and as-of date"),
    (lambda f: f.assign(as_of="not a date"), "'as_of' column of the feature table holds values that are not dates"),
    (lambda f: f[["person_id", "as_of", "label"]], "no feature columns"),
])
def test_broken_tables_are_refused_with_a_reason(table, change, message):
    frame, _ = table
    with pytest.raises(ValueError, match=message):
        prepare_training_data(change(frame))


def test_error_messages_never_quote_an_identifier(table):
    frame, _ = table
    broken = pd.concat([frame, frame.head(1)])
    with pytest.raises(ValueError) as caught:
        prepare_training_data(broken)
    assert frame["person_id"].iloc[0] not in str(caught.value)


def test_a_justified_protected_feature_is_allowed(table):
    frame, _ = table
    justified = Feature(name="sex", description="Sex", source="pupils", window="on the as-of date",
                        aggregation="flag", concept="age", statement="{value}", protected="sex",
                        justification="Needed to correct a measured calibration gap; reviewed by the panel.")
    frame = frame.assign(sex=np.where(np.arange(len(frame)) % 2, 1, 0))
    frame.attrs["registry"] = FeatureRegistry((justified,)).to_dict()
    data = prepare_training_data(frame)
    assert "sex" in data.feature_names and data.registry["sex"].protected == "sex"


def test_a_feature_set_is_unpacked(table, small_registry):
    frame, groups = table

    from features import KNIFE_INVOLVEMENT

    class Set:
        pass

    feature_set = Set()
    feature_set.frame, feature_set.groups, feature_set.registry = frame, groups, small_registry
    feature_set.label_definition, feature_set.data_end = KNIFE_INVOLVEMENT, pd.Timestamp("2024-03-31")
    data = prepare_training_data(feature_set)
    assert data.label_definition is KNIFE_INVOLVEMENT
    assert data.groups is not None and data.provenance == {"data_end": "2024-03-31"}


def test_a_place_or_income_proxy_is_allowed_with_a_note(table):
    frame, _ = table
    data = prepare_training_data(frame.assign(fsm=0))
    assert any("'fsm'" in note and "proxy" in note for note in data.notes)


def test_groups_without_keys_follow_their_rows_through_shuffling_and_dropped_labels(table):
    frame, groups = table
    joined = frame.merge(groups, on=["person_id", "as_of"]).sample(frac=1, random_state=3).reset_index(drop=True)
    joined["label"] = joined["label"].astype("Int8")
    joined.loc[0, "label"] = pd.NA
    keyless = joined[["sex"]]
    data = prepare_training_data(joined[frame.columns], groups=keyless)
    expected = joined.iloc[1:].sort_values(["as_of", "person_id"], kind="stable")
    assert len(data.groups) == len(joined) - 1
    assert list(data.groups["sex"]) == list(expected["sex"])
