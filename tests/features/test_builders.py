"""Each builder on small hand-built tidy tables: windows, open episodes, no record vs zero."""

import numpy as np
import pandas as pd
import pytest

from features import build_features
from features._builders._sample import empty_tables, make_table

AS_OF = "2024-03-31"


KNOWN_SINCE = [  # a school census record each, long before any as-of date: both are known
    {"person_id": pid, "census_date": "2015-01-15", "sen_provision": "N", "fsm_eligible": False}
    for pid in ("p1", "p2")
]


def tables_with(**rows):
    """Tidy tables for people p1 (aged 15) and p2 (aged 13), both in the school census since
    2015, plus the given rows."""
    tables = empty_tables()
    tables["people"] = make_table("people", [
        {"person_id": "p1", "birth_month": "2008-06-01", "sex": "M", "ethnicity": "WBRI", "ethnicity_group": "White"},
        {"person_id": "p2", "birth_month": "2010-09-01", "sex": "F", "ethnicity": "BAFR", "ethnicity_group": "Black"},
    ])
    tables["pupils"] = make_table("pupils", KNOWN_SINCE)
    for name, records in rows.items():
        tables[name] = make_table(name, records)
    return tables


def values(tables, feature, as_of=AS_OF):
    frame = build_features(tables, [as_of], data_end="2026-01-01").frame.set_index("person_id")
    return frame[feature].to_dict()


def test_age_is_counted_in_whole_months_from_the_month_of_birth():
    got = values(tables_with(), "age_years")
    assert got["p1"] == pytest.approx(15 + 9 / 12)
    assert got["p2"] == pytest.approx(13 + 6 / 12)


@pytest.mark.parametrize(
    ("start", "expected_3m", "expected_12m"),
    [
        ("2024-03-31", 1, 1),  # on the as-of date: counts
        ("2024-01-01", 1, 1),
        ("2023-12-31", 0, 1),  # exactly 3 months before: outside the 3-month window
        ("2023-04-01", 0, 1),
        ("2023-03-31", 0, 0),  # exactly 12 months before: outside
        ("2024-04-01", 0, 0),  # after the as-of date: unknown
    ],
)
def test_suspension_windows_are_half_open(start, expected_3m, expected_12m):
    tables = tables_with(exclusions=[{"person_id": "p1", "start_date": start, "category": "SUSP",
                                      "reasons": "LD", "sessions": 2}])
    assert values(tables, "suspensions_3m")["p1"] == expected_3m
    assert values(tables, "suspensions_12m")["p1"] == expected_12m
    assert values(tables, "suspension_sessions_12m")["p1"] == 2 * expected_12m


def test_exclusion_reasons_split_violence_and_weapons():
    tables = tables_with(exclusions=[
        {"person_id": "p1", "start_date": "2023-10-02", "category": "SUSP", "reasons": "LD;PP", "sessions": 3},
        {"person_id": "p1", "start_date": "2023-11-02", "category": "PERM", "reasons": "BW"},
        {"person_id": "p1", "start_date": "2023-12-02", "category": "LNCH", "reasons": "VA"},
        {"person_id": "p2", "start_date": "2023-11-02", "category": "SUSP", "reasons": "OWX", "sessions": 1},
    ])
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    assert frame.loc["p1", "violent_exclusions_24m"] == 1  # the lunchtime exclusion does not count
    assert frame.loc["p1", "weapon_exclusions_24m"] == 1
    assert frame.loc["p2", "weapon_exclusions_24m"] == 0  # codes match whole, not as prefixes
    assert frame.loc["p1", "permanent_exclusion_24m"] == 1
    assert frame.loc["p1", "days_since_permanent_exclusion"] == (pd.Timestamp(AS_OF) - pd.Timestamp("2023-11-02")).days
    assert np.isnan(frame.loc["p2", "days_since_permanent_exclusion"])
    assert frame.loc["p1", "suspensions_12m"] == 1


def _term(person, year, term, end, possible, authorised, unauthorised):
    return {"person_id": person, "academic_year": year, "term": term, "term_end": end,
            "sessions_possible": possible, "sessions_authorised": authorised, "sessions_unauthorised": unauthorised}


def test_attendance_uses_only_terms_ended_and_is_missing_without_census_record():
    tables = tables_with(attendance=[
        _term("p1", 2023, "AUT", "2023-12-31", 100, 5, 10),
        _term("p1", 2023, "SPR", "2024-03-31", 100, 30, 25),
        _term("p1", 2023, "SUM", "2024-07-31", 100, 100, 0),  # not ended on the as-of date
    ])
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    assert frame.loc["p1", "attendance_rate_12m"] == pytest.approx(1 - 70 / 200)
    assert frame.loc["p1", "unauthorised_absence_rate_12m"] == pytest.approx(35 / 200)
    assert frame.loc["p1", "persistent_absence_12m"] == 1
    assert frame.loc["p1", "severe_absence_12m"] == 0
    for column in ("attendance_rate_12m", "persistent_absence_12m", "severe_absence_12m"):
        assert np.isnan(frame.loc["p2", column])  # no census record: no attendance, not perfect


@pytest.mark.parametrize(
    ("census", "entry", "leaving", "now", "last_year"),
    [
        ("2024-01-18", "2023-11-01", None, 1, 1),
        ("2024-01-18", "2023-11-01", "2024-02-01", 0, 1),
        ("2024-01-18", "2023-11-01", "2024-05-01", 1, 1),  # leaving after the as-of date is unknown
        ("2022-01-20", "2021-11-01", None, 0, 1),  # open in an old census only: not current
        ("2024-04-18", "2023-11-01", None, 0, 0),  # census after the as-of date: unknown
        ("2024-01-18", "2022-11-01", "2023-01-01", 0, 0),
    ],
)
def test_alternative_provision_is_known_from_its_census(census, entry, leaving, now, last_year):
    tables = tables_with(ap_placements=[{"person_id": "p1", "census_date": census, "entry_date": entry,
                                         "leaving_date": leaving, "setting_type": "OOT", "primary_reason": "PEX"}])
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    assert (frame.loc["p1", "ap_now"], frame.loc["p1", "ap_12m"]) == (now, last_year)


def _month(person, month_end, code, group):
    return {"person_id": person, "month_end": month_end, "activity_code": code, "activity_group": group}


def test_neet_months_only_for_tracked_young_people_aged_16_and_over():
    tables = tables_with(nccis_activity=[
        _month("p1", "2023-11-30", 619, "NEET"),
        _month("p1", "2023-12-31", 810, "NOT_KNOWN"),
        _month("p1", "2024-01-31", 619, "NEET"),
        _month("p1", "2024-02-29", 230, "EET"),
        _month("p1", "2024-04-30", 619, "NEET"),  # after the as-of date
    ])
    tables["people"].loc[0, "birth_month"] = pd.Timestamp("2007-06-01")  # p1 aged 16
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    assert frame.loc["p1", "neet_months_12m"] == 2
    assert frame.loc["p1", "not_known_months_12m"] == 1
    assert frame.loc["p1", "neet_now"] == 0  # the latest snapshot (February) is EET
    assert np.isnan(frame.loc["p2", "neet_months_12m"])  # aged 13


def test_social_care_open_episodes_plans_and_factors():
    tables = tables_with(
        cin_referrals=[
            {"person_id": "p1", "referral_date": "2023-06-01", "closure_date": "2024-06-01", "referral_source": "6"},
            {"person_id": "p2", "referral_date": "2022-01-01", "closure_date": "2022-06-01"},
        ],
        cin_assessment_factors=[
            {"person_id": "p1", "assessment_start": "2023-06-05", "assessment_authorised": "2023-07-01", "factor": "13A"},
            {"person_id": "p1", "assessment_start": "2023-06-05", "assessment_authorised": "2024-04-02", "factor": "24A"},
            {"person_id": "p2", "assessment_start": "2021-12-05", "assessment_authorised": "2022-01-20", "factor": "3B"},
            {"person_id": "p2", "assessment_start": "2021-12-05", "assessment_authorised": "2022-01-20", "factor": "18B"},
        ],
        cin_section47=[{"person_id": "p1", "s47_start": "2023-06-03"}],
        cin_cp_plans=[
            {"person_id": "p1", "cpp_start": "2023-07-01", "cpp_end": None, "latest_category": "NEG"},
            {"person_id": "p2", "cpp_start": "2022-02-01", "cpp_end": "2022-12-01", "latest_category": "PHY"},
        ],
    )
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    p1, p2 = frame.loc["p1"], frame.loc["p2"]
    assert (p1.cin_referrals_12m, p1.cin_open_now, p2.cin_open_now) == (1, 1, 0)
    assert (p1.af_gangs_24m, p1.af_criminal_exploitation_24m) == (1, 0)  # 24A authorised after the date
    assert (p2.af_domestic_violence_24m, p2.af_child_on_child_abuse_24m) == (0, 0)  # over 24 months ago
    assert p1.s47_enquiries_24m == 1
    assert (p1.cp_plan_now, p1.cp_plan_ended_24m, p2.cp_plan_now, p2.cp_plan_ended_24m) == (1, 0, 0, 1)


def _episode(person, decom, dec, rne="S", ls="C2", place="U4"):
    return {"person_id": person, "decom": decom, "dec": dec, "rne": rne, "legal_status": ls, "place": place}


def test_looked_after_now_past_moves_residential_and_remand():
    tables = tables_with(
        cla_episodes=[
            _episode("p1", "2023-01-10", "2023-06-01", "S", "J1", "U4"),
            _episode("p1", "2023-06-01", "2023-09-01", "P", "C2", "K2"),
            _episode("p1", "2023-09-01", "2024-05-01", "T", "C2", "U6"),  # ends after the date: open
            _episode("p2", "2021-01-01", "2022-09-01", "S", "V2", "U4"),
        ],
        cla_oc2=[{"person_id": "p1", "year_end": "2023-03-31", "substance_misuse": True}],
    )
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    p1, p2 = frame.loc["p1"], frame.loc["p2"]
    assert (p1.looked_after_now, p1.looked_after_past_24m) == (1, 0)
    assert (p2.looked_after_now, p2.looked_after_past_24m) == (0, 1)
    assert p1.placement_moves_12m == 2
    assert (p1.residential_placement_12m, p1.remand_12m) == (1, 1)
    assert p1.substance_misuse_oc2_24m == 1


def test_missing_episodes_by_type_and_window():
    tables = tables_with(cla_missing=[
        {"person_id": "p1", "missing_type": "M", "start": "2024-03-01"},
        {"person_id": "p1", "missing_type": "M", "start": "2023-06-01"},
        {"person_id": "p1", "missing_type": "A", "start": "2024-02-01"},
        {"person_id": "p1", "missing_type": "A", "start": "2024-04-02"},
    ])
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    assert (frame.loc["p1", "missing_episodes_12m"], frame.loc["p1", "away_episodes_12m"]) == (2, 1)
    assert frame.loc["p1", "missing_or_away_3m"] == 2


def _offence(person, offence, recorded, ho="8N", category="VAP", knife=False, ref="o1"):
    return {"person_id": person, "offence_ref": ref, "offence_date": offence, "recorded_date": recorded,
            "ho_class": ho, "yjb_category": category, "knife_flag": knife}


def test_youth_justice_counts_only_offences_recorded_by_the_date():
    tables = tables_with(
        yj_offences=[
            _offence("p1", "2021-05-01", "2021-05-20", "49", "THEFT", ref="o1"),
            _offence("p1", "2023-09-01", "2023-09-10", "10D", "WEAP", ref="o2"),
            _offence("p1", "2024-01-10", "2024-02-01", "8N", "VAP", knife=True, ref="o3"),
            _offence("p1", "2024-03-20", "2024-04-05", "34B", "ROB", ref="o4"),  # recorded after the date
        ],
        yj_outcomes=[
            {"person_id": "p1", "offence_ref": "o2", "outcome_date": "2023-11-01", "outcome_type": "RO",
             "tier": "FIRST_TIER", "tier_rank": 3},
            {"person_id": "p1", "offence_ref": "o3", "outcome_date": "2024-05-01", "outcome_type": "DTO",
             "tier": "CUSTODY", "tier_rank": 5},
        ],
    )
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    p1, p2 = frame.loc["p1"], frame.loc["p2"]
    assert (p1.offences_12m, p1.offences_24m, p1.violent_offences_24m, p1.weapon_or_knife_offences_24m) == (2, 2, 1, 2)
    assert p1.max_outcome_tier_24m == 3
    assert p1.days_since_last_offence == (pd.Timestamp(AS_OF) - pd.Timestamp("2024-01-10")).days
    assert p1.age_at_first_offence == pytest.approx(12 + 11 / 12)
    assert (p2.offences_24m, p2.max_outcome_tier_24m) == (0, 0)
    assert np.isnan(p2.days_since_last_offence) and np.isnan(p2.age_at_first_offence)


def test_records_of_people_outside_the_people_table_are_ignored():
    tables = tables_with(exclusions=[{"person_id": "stranger", "start_date": "2024-01-05", "category": "SUSP",
                                      "reasons": "PP", "sessions": 1}])
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame
    assert set(frame["person_id"]) == {"p1", "p2"}
    assert frame["suspensions_12m"].sum() == 0


def test_an_offence_without_recorded_date_counts_from_its_first_outcome():
    tables = tables_with(
        yj_offences=[
            _offence("p1", "2024-01-10", None, ref="o1"),
            _offence("p1", "2024-02-10", None, ref="o2"),
            _offence("p2", "2024-02-10", None, ref="o1"),  # same reference, another person
        ],
        yj_outcomes=[
            {"person_id": "p1", "offence_ref": "o1", "outcome_date": "2024-05-01", "outcome_type": "YC",
             "tier": "PRECOURT", "tier_rank": 2},
            {"person_id": "p1", "offence_ref": "o2", "outcome_date": "2024-03-01", "outcome_type": "YC",
             "tier": "PRECOURT", "tier_rank": 2},
        ],
    )
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    assert frame.loc["p1", "offences_12m"] == 1  # o2 known from its outcome, o1 not yet
    assert frame.loc["p2", "offences_12m"] == 1  # no outcome: known from the offence date


@pytest.mark.parametrize(("code", "counted"), [
    (540, True), (610, True), (615, True), (616, True), (619, True),
    (620, False), (630, False), (640, False), (650, False), (660, False), (670, False), (680, False),
])
def test_neet_features_count_only_the_available_neet_codes(code, counted):
    tables = tables_with(nccis_activity=[_month("p1", "2024-02-29", code, "NEET")])
    tables["people"].loc[0, "birth_month"] = pd.Timestamp("2007-06-01")  # p1 aged 16
    frame = build_features(tables, [AS_OF], data_end="2026-01-01").frame.set_index("person_id")
    assert frame.loc["p1", "neet_months_12m"] == int(counted)
    assert frame.loc["p1", "neet_now"] == int(counted)


@pytest.mark.parametrize(("place", "residential"), [("K1", 1), ("K2", 1), ("R1", 1), ("R5", 1), ("S1", 0), ("U4", 0)])
def test_residential_care_excludes_residential_schools(place, residential):
    tables = tables_with(cla_episodes=[_episode("p1", "2023-06-01", "2023-09-01", "S", "C2", place)])
    assert values(tables, "residential_placement_12m")["p1"] == residential


@pytest.mark.parametrize(("ho", "category", "knife", "weapon"), [
    ("10D", "WEAP", False, 1), ("10C", "WEAP", False, 1), ("10A", "VAP", False, 1),
    ("8M", "VAP", False, 0),  # racially or religiously aggravated harassment is not a weapon offence
    ("3B", "VAP", True, 1), ("8N", "VAP", None, 0),  # a blank knife flag does not count
])
def test_weapon_or_knife_offences_read_the_published_classes(ho, category, knife, weapon):
    tables = tables_with(yj_offences=[_offence("p1", "2024-01-10", "2024-01-20", ho, category, knife=knife)])
    assert values(tables, "weapon_or_knife_offences_24m")["p1"] == weapon


def test_age_is_declared_a_protected_characteristic_with_a_written_reason():
    from features import PROTECTED_INPUTS, default_registry

    age = default_registry()["age_years"]
    assert age.protected == "age" and "age" in PROTECTED_INPUTS
    assert "Equality Act 2010" in age.justification and "age band" in age.justification
    assert "Written reason: Age is a protected characteristic" in default_registry().to_markdown()
