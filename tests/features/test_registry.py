"""The declared features: coverage of the issue's list, protected characteristics, wording."""

import pytest

from features import CONCEPTS, Feature, FeatureRegistry, default_registry
from features._builders import BUILDERS
from features._catalog import DEFAULT_FEATURES


def test_between_35_and_45_features_cover_every_concept_but_personal_characteristics():
    registry = default_registry()
    assert 35 <= len(registry) <= 45
    assert {f.concept for f in registry} == set(CONCEPTS) - {"personal characteristics"}


@pytest.mark.parametrize("name", [
    "age_years", "attendance_rate_12m", "persistent_absence_12m", "severe_absence_12m", "suspensions_3m",
    "suspensions_12m", "suspension_sessions_12m", "violent_exclusions_24m", "weapon_exclusions_24m",
    "permanent_exclusion_24m", "days_since_permanent_exclusion", "ap_now", "ap_12m", "neet_months_12m",
    "not_known_months_12m", "cin_referrals_12m", "cin_open_now", "af_gangs_24m", "af_criminal_exploitation_24m",
    "af_sexual_exploitation_24m", "af_missing_24m", "af_domestic_violence_24m", "af_drug_misuse_24m",
    "af_child_on_child_abuse_24m", "cp_plan_now", "cp_plan_ended_24m", "looked_after_now",
    "looked_after_past_24m", "placement_moves_12m", "residential_placement_12m", "remand_12m",
    "missing_episodes_12m", "offences_24m", "violent_offences_24m", "weapon_or_knife_offences_24m",
    "max_outcome_tier_24m", "days_since_last_offence", "age_at_first_offence",
])
def test_the_issue_list_is_declared(name):
    assert name in default_registry().names


def test_every_declared_feature_has_a_builder_and_every_built_feature_a_declaration():
    built = {name for builder in BUILDERS for name in builder.NAMES}
    everything = default_registry(allow_protected={c: "test" for c in ("sex", "ethnicity", "disability", "sen")})
    assert set(everything.names) == built


def test_every_statement_takes_its_value_or_states_a_flag():
    for feature in DEFAULT_FEATURES:
        assert feature.description.endswith(".")
        if feature.kind != "flag":
            assert "{value}" in feature.statement, feature.name
        assert feature.direction in (-1, 0, 1)


def test_allowing_a_protected_characteristic_needs_a_written_justification():
    registry = default_registry(allow_protected={"ethnicity": "  Needed to correct recording bias.  "})
    added = [f for f in registry.protected if f.protected != "age"]  # age is an input by design
    assert {f.protected for f in added} == {"ethnicity"}
    assert all(f.justification == "Needed to correct recording bias." for f in added)
    assert all(f.concept == "personal characteristics" and f.direction == 0 for f in added)


@pytest.mark.parametrize(("allow", "message"), [
    ({"religion": "x"}, "'religion', which is not a protected characteristic"),
    ({"sex": "  "}, "allows 'sex' without a written justification"),
    ({"sen": None}, "allows 'sen' without a written justification"),
])
def test_bad_allowances_are_refused(allow, message):
    with pytest.raises(ValueError, match=message):
        default_registry(allow_protected=allow)


def test_a_protected_feature_without_justification_cannot_be_declared():
    with pytest.raises(ValueError, match="has no written justification"):
        Feature("sex_male", "d", "people", "w", "flag", "personal characteristics", "s", protected="sex")


@pytest.mark.parametrize(("name", "value", "text"), [
    ("suspensions_12m", 3.0, "3 suspensions in the last 12 months"),
    ("attendance_rate_12m", 0.853, "attended 85% of school sessions over the last year"),
    ("age_years", 15.9, "aged 15"),
    ("suspensions_12m", float("nan"), "no record suspensions in the last 12 months"),
])
def test_state_fills_the_value_into_the_statement(name, value, text):
    assert default_registry()[name].state(value) == text


def test_registry_round_trips_and_tabulates():
    registry = default_registry(allow_protected={"sex": "why"})
    assert FeatureRegistry.from_dict(registry.to_dict()) == registry
    table = registry.to_markdown().splitlines()
    assert len([line for line in table if line.startswith("|")]) == len(registry) + 2 and "`suspensions_12m`" in registry.to_markdown()


def test_monotone_constraints_read_the_directions():
    registry = default_registry()
    assert registry.monotone_constraints(["suspensions_12m", "attendance_rate_12m", "age_years", "other"]) == [1, -1, 0, 0]


def test_the_documented_table_matches_the_registry():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "feature-registry.md").read_text(encoding="utf-8")
    assert default_registry().to_markdown() in doc
