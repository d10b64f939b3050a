"""Knife-crime labels: which offences count, the window, and unknown labels past the data."""

import pandas as pd
import pytest

from features import (
    KNIFE_INVOLVEMENT,
    KNIFE_POSSESSION,
    LABEL_DEFINITIONS,
    LabelDefinition,
    build_labels,
)
from features._builders._sample import empty_tables, make_table

AS_OF = "2023-03-31"


def tables_with(offences):
    tables = empty_tables()
    tables["people"] = make_table("people", [
        {"person_id": "p1", "birth_month": "2008-06-01"},
        {"person_id": "p2", "birth_month": "2009-06-01"},
        {"person_id": "old", "birth_month": "1990-01-01"},
    ])
    tables["yj_offences"] = make_table("yj_offences", [
        {"person_id": person, "offence_ref": f"o{i}", "offence_date": date, "recorded_date": date,
         "ho_class": ho, "yjb_category": category, "knife_flag": knife}
        for i, (person, date, ho, category, knife) in enumerate(offences)
    ])
    return with_known_people(tables)


def with_known_people(tables):
    """Everyone in the school census since 2015 (so in the cohort), and a youth justice
    outcome of 1 January 2025 (so the youth justice extract runs to then)."""
    ids = tables["people"]["person_id"].tolist()
    tables["pupils"] = make_table("pupils", [{"person_id": p, "census_date": "2015-01-15"} for p in ids])
    tables["yj_outcomes"] = make_table("yj_outcomes", [
        {"person_id": "old", "offence_ref": "marker", "outcome_date": "2025-01-01", "tier_rank": 1}])
    return tables


def labels(tables, *, label=KNIFE_INVOLVEMENT, horizon_months=12, data_end="2025-01-01", as_of=AS_OF):
    frame = build_labels(tables, [as_of], label=label, horizon_months=horizon_months, data_end=data_end,
                         recording_lag_months=0)
    return frame.set_index("person_id")["label"].to_dict()


@pytest.mark.parametrize(
    ("ho", "category", "knife", "involvement", "possession"),
    [
        ("10D", "WEAP", False, 1, 1),  # possession of a blade
        ("8N", "VAP", True, 1, 0),  # knife-flagged violence
        ("34B", "ROB", True, 1, 0),  # knife-flagged robbery
        ("8M", "VAP", False, 1, 0),  # threatening with a blade
        ("8N", "VAP", False, 0, 0),  # violence without a knife
        ("49", "THEFT", True, 0, 0),  # a knife flag on theft does not count
        ("10C", "WEAP", False, 0, 0),  # other weapons
    ],
)
def test_which_offences_count(ho, category, knife, involvement, possession):
    tables = tables_with([("p1", "2023-06-01", ho, category, knife)])
    assert labels(tables)["p1"] == involvement
    assert labels(tables, label=KNIFE_POSSESSION)["p1"] == possession


@pytest.mark.parametrize(
    ("offence_date", "expected"),
    [("2023-03-31", 0), ("2023-04-01", 1), ("2024-03-31", 1), ("2024-04-01", 0), ("2022-06-01", 0)],
)
def test_window_is_after_the_as_of_date_up_to_the_horizon(offence_date, expected):
    tables = tables_with([("p1", offence_date, "10D", "WEAP", False)])
    assert labels(tables)["p1"] == expected


def test_horizon_option_sets_the_window():
    tables = tables_with([("p1", "2023-08-01", "10D", "WEAP", False)])
    assert labels(tables, horizon_months=3)["p1"] == 0
    assert labels(tables, horizon_months=6)["p1"] == 1


def test_label_is_unknown_where_the_window_runs_past_the_data():
    tables = tables_with([("p1", "2023-06-01", "10D", "WEAP", False)])
    got = labels(tables, data_end="2024-03-30")
    assert pd.isna(got["p1"]) and pd.isna(got["p2"])
    assert labels(tables, data_end="2024-03-31")["p2"] == 0


def test_labels_cover_the_cohort_only_with_nullable_int8():
    frame = build_labels(tables_with([]), [AS_OF], data_end="2025-01-01")
    assert list(frame.columns) == ["person_id", "as_of", "label"]
    assert set(frame["person_id"]) == {"p1", "p2"}
    assert str(frame["label"].dtype) == "Int8"


def test_definitions_are_named_versioned_and_round_trip():
    assert LABEL_DEFINITIONS == {"knife_involvement": KNIFE_INVOLVEMENT, "knife_possession": KNIFE_POSSESSION}
    for definition in LABEL_DEFINITIONS.values():
        assert LabelDefinition.from_dict(definition.to_dict()) == definition
        text = definition.describe()
        assert definition.name in text and f"version {definition.version}" in text and "\n" not in text
    assert "10D (possession of article with blade or point)" in KNIFE_POSSESSION.describe()
    assert KNIFE_INVOLVEMENT.with_horizon(6).horizon_months == 6


@pytest.mark.parametrize("horizon", [0, 37, 2.5, True])
def test_horizon_out_of_range_is_refused(horizon):
    with pytest.raises(ValueError, match="'horizon_months' option must be a whole number of months"):
        build_labels(tables_with([]), [AS_OF], horizon_months=horizon)


def test_no_as_of_date_is_refused():
    with pytest.raises(ValueError, match="'as_of' option needs at least one date"):
        build_labels(tables_with([]), [])


def test_a_definition_can_be_named():
    tables = tables_with([("p1", "2023-06-01", "8N", "VAP", True)])
    assert labels(tables, label="knife_possession")["p1"] == 0
    assert labels(tables, label="knife_involvement")["p1"] == 1
    with pytest.raises(ValueError, match="'label' option must be a LabelDefinition or one of knife_involvement"):
        labels(tables, label="knives")
