"""Loading a folder of valid extracts: tidy tables, normalisation, linkage, people."""

from __future__ import annotations

import pandas as pd
import pytest
from _extract_fixtures import FILES, UNREADABLE, UPN1, write_broken_extracts, write_extracts

import features
from features._loaders._schemas import check_tidy_tables
from features._loaders._tidy import TIDY_TABLES

KEY = b"loader-test-key-0123456789abcdef"


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    return features.load_extracts(write_extracts(tmp_path_factory.mktemp("data")), key=KEY)


def test_every_tidy_table_has_its_columns_and_dtypes(extracts):
    assert list(extracts.tables) == list(TIDY_TABLES)
    for name, columns in TIDY_TABLES.items():
        frame = extracts.tables[name]
        assert list(frame.columns) == list(columns), name
        for column, dtype in columns.items():
            assert str(frame[column].dtype) == str(pd.Series(dtype=dtype).dtype), (name, column)


def test_valid_extracts_load_with_no_problems(extracts):
    totals = extracts.report.to_dict()["totals"]
    assert totals["problems"] == 0
    assert totals["rows_quarantined"] == 0
    assert totals["rows_in"] == totals["rows_accepted"] > 20


def test_absent_sources_give_empty_tables(tmp_path):
    keep = ("school_census/pupils.csv",)
    data = write_extracts(tmp_path, drop=[p for p in FILES if p not in keep])
    tables = features.load_extracts(data, key=KEY).tables
    assert len(tables["pupils"]) == 2
    for name in TIDY_TABLES:
        if name not in ("pupils", "people"):
            assert tables[name].empty and list(tables[name].columns) == list(TIDY_TABLES[name])


def test_person_ids_are_pseudonyms_and_link_across_sources(extracts):
    tables = extracts.tables
    people = tables["people"]
    assert len(people) == 2
    assert people["person_id"].str.fullmatch(r"[0-9a-f]{16}").all()
    everyone = set(people["person_id"])
    for name, frame in tables.items():
        assert set(frame["person_id"]) <= everyone, name
    linked = people.loc[people["sources"].str.contains("youth_justice"), "person_id"].item()
    for name in ("pupils", "exclusions", "cla_episodes", "cin_referrals", "nccis_activity",
                 "ap_placements", "yj_offences", "yj_outcomes", "cla_oc2"):
        assert linked in set(tables[name]["person_id"]), name


def test_child_missing_from_the_index_links_through_upn(extracts):
    people = extracts.tables["people"].set_index("sources")
    assert "ssda903;school_census" in people.index


def test_no_raw_identifier_or_name_survives(extracts):
    raw = ["C001", "C003", UPN1, "P0001", "Y001", "N001", "OFF-1", "Zedfamily", "Quentin",
           "NW10 4AB", "17/05/2008", "2008-05-17"]
    for name, frame in extracts.tables.items():
        text = frame.astype("str").to_csv()
        for value in raw:
            assert value not in text, (name, value)


def test_codes_are_normalised_across_years(extracts):
    tables = extracts.tables
    assert set(tables["exclusions"]["category"]) == {"SUSP", "PERM"}
    assert tables["exclusions"].set_index("category")["sessions"].isna().to_dict() == {"SUSP": False, "PERM": True}
    assert set(tables["people"]["sex"]) == {"M", "F"}


def test_later_ssda903_return_wins(extracts):
    episodes = extracts.tables["cla_episodes"]
    first = episodes[episodes["decom"] == pd.Timestamp("2022-06-01")]
    assert len(first) == 1
    assert first["collection_year"].item() == 2024
    assert first["dec"].item() == pd.Timestamp("2023-08-15")
    assert first["record_ref"].item() == "ssda903/2024/episodes.csv:row 1"


def test_people_keep_only_coarse_birth_and_place(extracts):
    people = extracts.tables["people"].set_index("sources")
    full = people.loc[people.index.str.contains("cin")].iloc[0]
    assert full["birth_month"] == pd.Timestamp("2008-05-01")
    assert full["postcode_district"] == "NW10"
    assert full["ethnicity_group"] == "Black"
    assert not full["disability"]
    other = people.loc["ssda903;school_census"]
    assert pd.isna(other["disability"])


def test_school_census_wins_over_social_care_for_people(tmp_path):
    pupils = FILES["school_census/pupils.csv"].replace(",M,BCRB,", ",M,WOTH,")
    data = write_extracts(tmp_path, files={"school_census/pupils.csv": pupils})
    people = features.load_extracts(data, key=KEY).tables["people"]
    assert "WOTH" in set(people["ethnicity"])
    assert "BCRB" not in set(people["ethnicity"])


def test_a_weak_value_yields_to_a_recorded_one(tmp_path):
    pupils = FILES["school_census/pupils.csv"].replace(",M,BCRB,", ",U,NOBT,")
    data = write_extracts(tmp_path, files={"school_census/pupils.csv": pupils})
    people = features.load_extracts(data, key=KEY).tables["people"]
    row = people[people["sources"].str.contains("cin")].iloc[0]
    assert (row["sex"], row["ethnicity"]) == ("M", "BCRB")


def test_cin_tables_share_the_referral_ref(extracts):
    tables = extracts.tables
    ref = tables["cin_referrals"]["referral_ref"].item()
    for name in ("cin_assessment_factors", "cin_section47", "cin_cp_plans"):
        assert set(tables[name]["referral_ref"]) == {ref}
    assert sorted(tables["cin_assessment_factors"]["factor"]) == ["13A", "24A"]
    assert tables["cin_referrals"]["record_ref"].item() == "cin/2024.xml:child 1/referral 1"


def test_outcomes_point_at_their_offence(extracts):
    offences, outcomes = extracts.tables["yj_offences"], extracts.tables["yj_outcomes"]
    assert outcomes["offence_ref"].item() == offences["offence_ref"].item()
    assert outcomes[["tier", "tier_rank"]].iloc[0].tolist() == ["FIRST_TIER", 3]
    assert offences["knife_flag"].item()


def test_attendance_terms_have_dates(extracts):
    row = extracts.tables["attendance"].iloc[0]
    assert (row["academic_year"], row["term_start"], row["term_end"]) == (
        2023, pd.Timestamp("2023-09-01"), pd.Timestamp("2023-12-31"))


def test_progress_is_reported(tmp_path):
    steps = []
    features.load_extracts(write_extracts(tmp_path), key=KEY, progress=steps.append)
    assert steps == ["person index", "reading the extracts", "linking people"]


def test_reading_the_sources_side_by_side_gives_what_reading_them_in_turn_gives(tmp_path, monkeypatch):
    from features import _load

    data = write_broken_extracts(tmp_path)
    side_by_side = features.load_extracts(data, key=KEY)
    monkeypatch.setattr(_load, "READ_THREADS", 1)
    in_turn = features.load_extracts(data, key=KEY)
    assert side_by_side.report.n_quarantined > 0
    assert side_by_side.report.to_dict() == in_turn.report.to_dict()
    for name, table in in_turn.tables.items():
        pd.testing.assert_frame_equal(side_by_side.tables[name], table, check_exact=True)


def test_of_two_unreadable_sources_the_first_in_reading_order_is_reported(tmp_path):
    data = write_extracts(tmp_path, files=UNREADABLE)
    with pytest.raises(features.DataError, match="ssda903"):
        features.load_extracts(data, key=KEY)


def test_missing_data_folder_is_a_data_error(tmp_path):
    with pytest.raises(features.DataError, match="does not exist"):
        features.load_extracts(tmp_path / "nowhere", key=KEY)


def test_a_folder_without_extracts_is_a_data_error(tmp_path):
    (tmp_path / "something_else").mkdir()
    with pytest.raises(features.DataError, match="holds none of the extracts"):
        features.load_extracts(tmp_path, key=KEY)


def test_tidy_tables_meet_their_pandera_schemas(extracts):
    check_tidy_tables(extracts.tables)


def test_the_schema_check_catches_a_raw_identifier(extracts):
    broken = dict(extracts.tables)
    broken["pupils"] = broken["pupils"].assign(person_id="A100000000001")
    with pytest.raises(ValueError, match=r"pupils.person_id: str_matches"):
        check_tidy_tables(broken)


def test_the_schema_check_lists_every_broken_table_in_table_order(extracts):
    broken = dict(extracts.tables)
    for name in ("yj_outcomes", "pupils", "people"):  # checked side by side, listed in TIDY_TABLES order
        broken[name] = broken[name].assign(record_ref="not a record reference")
    with pytest.raises(ValueError) as raised:
        check_tidy_tables(broken)
    listed = [line.split(".")[0] for line in str(raised.value).splitlines()[1:]]
    assert listed == ["people", "pupils", "yj_outcomes"]


def test_a_referral_in_two_cin_returns_keeps_the_later_one(tmp_path):
    earlier = FILES["cin/2024.xml"].replace("<CINclosureDate>2024-01-10</CINclosureDate>", "")
    data = write_extracts(tmp_path, files={"cin/2023.xml": earlier.replace(">2024<", ">2023<")})
    tables = features.load_extracts(data, key=KEY).tables
    referrals = tables["cin_referrals"]
    assert len(referrals) == 1
    assert referrals[["collection_year", "closure_date"]].iloc[0].tolist() == [2024, pd.Timestamp("2024-01-10")]
    assert len(tables["cin_assessment_factors"]) == 2
    assert tables["cin_section47"]["record_ref"].tolist() == ["cin/2024.xml:child 1/referral 1/s47 1"]


@pytest.mark.parametrize(("code", "expected"), [("1", "M"), ("2", "F"), ("m", "M"), ("F", "F"), ("U", "U")])
def test_ssda903_sex_codes_of_every_year_are_read(tmp_path, code, expected):
    header = f"CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nC009,{code},02/02/2009,WBRI,,,\n"
    data = write_extracts(tmp_path, files={"ssda903/2025/header.csv": header},
                          drop=[p for p in FILES if not p.startswith("linkage")])
    people = features.load_extracts(data, key=KEY).tables["people"]
    assert people["sex"].tolist() == [expected]
