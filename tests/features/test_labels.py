"""Knife-crime labels: which offences count, the window, and unknown labels past the data."""

import pandas as pd
import pytest

from features import (
    KNIFE_INVOLVEMENT,
    KNIFE_INVOLVEMENT_V1,
    KNIFE_OR_OFFENSIVE_WEAPON,
    KNIFE_POSSESSION,
    LABEL_DEFINITIONS,
    LABEL_VERSIONS,
    LabelDefinition,
    build_labels,
    label_report,
    resolve_label,
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
    ("ho", "category", "knife", "involvement", "weapon", "possession", "involvement_v1"),
    [
        ("10D", "WEAP", False, 1, 1, 1, 1),  # possession of (or threatening with) a blade
        ("8N", "VAP", True, 1, 1, 0, 1),  # knife-flagged assault with injury
        ("34B", "ROB", True, 1, 1, 0, 1),  # knife-flagged robbery
        ("3B", "VAP", True, 1, 1, 0, 1),  # knife-flagged threats to kill
        ("19C", "SEX", True, 1, 1, 0, 0),  # knife-flagged sexual offence (unlisted class): v2 counts any flag
        ("8M", "VAP", False, 0, 0, 0, 1),  # racially or religiously aggravated harassment: v1's error
        ("8N", "VAP", False, 0, 0, 0, 0),  # violence without a knife
        ("10C", "WEAP", False, 0, 1, 0, 0),  # possession of other weapons
        ("39", "THEFT", False, 0, 0, 0, 0),  # theft from the person
    ],
)
def test_which_offences_count(ho, category, knife, involvement, weapon, possession, involvement_v1):
    tables = tables_with([("p1", "2023-06-01", ho, category, knife)])
    assert labels(tables)["p1"] == involvement
    assert labels(tables, label=KNIFE_OR_OFFENSIVE_WEAPON)["p1"] == weapon
    assert labels(tables, label=KNIFE_POSSESSION)["p1"] == possession
    assert labels(tables, label=KNIFE_INVOLVEMENT_V1)["p1"] == involvement_v1


def test_a_blank_knife_flag_counts_as_the_definition_says():
    tables = tables_with([("p1", "2023-06-01", "8N", "VAP", None)])
    assert labels(tables)["p1"] == 0
    assert KNIFE_INVOLVEMENT.unknown_knife_flag == "not_knife"
    assume_knife = LabelDefinition.from_dict({**KNIFE_INVOLVEMENT.to_dict(), "unknown_knife_flag": "knife"})
    assert labels(tables, label=assume_knife)["p1"] == 1


def test_an_unknown_flag_rule_is_refused():
    with pytest.raises(ValueError, match="'unknown_knife_flag' option of label 'knife_involvement' must be one of"):
        LabelDefinition.from_dict({**KNIFE_INVOLVEMENT.to_dict(), "unknown_knife_flag": "maybe"})


def test_label_report_counts_windows_with_a_blank_knife_flag():
    tables = tables_with([
        ("p1", "2023-06-01", "8N", "VAP", None),  # blank flag would decide: counted, labelled 0
        ("p2", "2023-06-01", "10D", "WEAP", None),  # class 10D decides: the flag does not matter
        ("p2", "2022-06-01", "8N", "VAP", None),  # before the window: not counted
    ])
    report = label_report(tables, [AS_OF], data_end="2025-01-01")
    assert report["label"] == "knife_involvement" and report["version"] == "2"
    assert (report["windows"], report["labelled_1"], report["labelled_0"], report["label_unknown"]) == (2, 1, 1, 0)
    assert report["windows_with_unknown_knife_flag"] == 1
    assert report["labelled_0_with_unknown_knife_flag"] == 1
    assert "counts as not knife-flagged" in report["unknown_knife_flag_rule"]
    assert "p1" not in str(report) and "p2" not in str(report)


def test_unknown_knife_flags_in_windows_past_the_data_are_not_counted():
    tables = tables_with([("p1", "2023-06-01", "8N", "VAP", None)])
    report = label_report(tables, [AS_OF], data_end="2024-01-01")
    assert report["label_unknown"] == 2 and report["windows_with_unknown_knife_flag"] == 0


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
    assert LABEL_DEFINITIONS == {
        "knife_involvement": KNIFE_INVOLVEMENT, "knife_or_offensive_weapon": KNIFE_OR_OFFENSIVE_WEAPON,
        "knife_possession": KNIFE_POSSESSION,
    }
    assert KNIFE_INVOLVEMENT.version == "2" and KNIFE_OR_OFFENSIVE_WEAPON.version == "2"
    for definition in LABEL_VERSIONS.values():
        assert LabelDefinition.from_dict(definition.to_dict()) == definition
        text = definition.describe()
        assert definition.name in text and f"version {definition.version}" in text and "\n" not in text
    assert "10D (possession of article with blade or point)" in KNIFE_POSSESSION.describe()
    assert "10C (possession of other weapons)" in KNIFE_OR_OFFENSIVE_WEAPON.describe()
    assert "any offence flagged as involving a knife or sharp instrument" in KNIFE_INVOLVEMENT.describe()
    assert "blank knife flag is unknown and counts as not knife-flagged" in KNIFE_INVOLVEMENT.describe()
    assert KNIFE_INVOLVEMENT.with_horizon(6).horizon_months == 6


def test_version_1_stays_loadable_and_is_named_superseded():
    assert KNIFE_INVOLVEMENT_V1.superseded_by == "2" and KNIFE_INVOLVEMENT.superseded_by is None
    assert resolve_label("knife_involvement/1") == KNIFE_INVOLVEMENT_V1
    assert resolve_label("knife_involvement") == KNIFE_INVOLVEMENT
    assert "version 1 (superseded by version 2)" in KNIFE_INVOLVEMENT_V1.describe()
    assert "8M (racially or religiously aggravated harassment)" in KNIFE_INVOLVEMENT_V1.describe()
    saved_before_versions = {k: v for k, v in KNIFE_INVOLVEMENT_V1.to_dict().items()
                             if k not in ("superseded_by", "knife_flag_any_offence", "unknown_knife_flag")}
    old = LabelDefinition.from_dict(saved_before_versions)
    assert old.superseded_by is None and "(superseded by version 2)" in old.describe()


def test_the_default_label_is_version_2():
    import inspect

    from features import build_features

    assert inspect.signature(build_labels).parameters["label"].default is KNIFE_INVOLVEMENT
    assert inspect.signature(build_features).parameters["label"].default is KNIFE_INVOLVEMENT


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
    assert labels(tables, label="knife_involvement/1")["p1"] == 1
    with pytest.raises(ValueError, match="'label' option must be a LabelDefinition, a label name"):
        labels(tables, label="knives")


def test_a_label_without_a_rule_only_names_and_describes_it():
    stored = {"name": "user-provided label", "description": "The table's own 'label' column."}
    label = LabelDefinition.from_dict(stored)
    assert label.version == "unversioned" and not label.has_rule and KNIFE_INVOLVEMENT.has_rule
    assert label.describe() == "Label 'user-provided label' version unversioned: The table's own 'label' column."
    assert LabelDefinition.from_dict(label.to_dict()) == label


@pytest.mark.parametrize(("stored", "message"), [
    ({"description": "no name"}, "must have a 'name'.*got no name"),
    ({"name": "x", "window": 12}, "got unknown field\\(s\\) window"),
])
def test_a_stored_definition_with_no_name_or_an_unknown_field_is_refused(stored, message):
    with pytest.raises(ValueError, match=message):
        LabelDefinition.from_dict(stored)
