"""The synthetic authority writes exactly the documented extract formats."""

import re
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features import _codes
from features._synth import synthesize
from features._synth._dates import dmy, iso
from features._synth._ids import upns

DMY = re.compile(r"^\d{2}/\d{2}/\d{4}$")
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UPN = re.compile(r"^[A-Z]\d{12}$")
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

HEADERS = {
    "linkage/person_index.csv": "PERSON_REF,LA_CHILD_ID,UPN,YJ_ID,NCCIS_ID",
    "ssda903/2024/header.csv": "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
    "ssda903/2024/episodes.csv": "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,"
                                 "HOME_POST,PL_POST,URN",
    "ssda903/2024/missing.csv": "CHILD,DOB,MISSING,MIS_START,MIS_END",
    "ssda903/2024/oc2.csv": "CHILD,DOB,SDQ_SCORE,SDQ_REASON,CONVICTED,HEALTH_CHECK,IMMUNISATIONS,TEETH_CHECK,"
                            "HEALTH_ASSESSMENT,SUBSTANCE_MISUSE,INTERVENTION_RECEIVED,INTERVENTION_OFFERED",
    "school_census/pupils.csv": "CensusDate,URN,UPN,Surname,Forename,DOB,Sex,Ethnicity,Postcode,NCyearActual,"
                                "SENprovision,PrimarySENtype,FSMeligible",
    "school_census/exclusions.csv": "UPN,URN,Category,Reason,StartDate,Sessions",
    "school_census/attendance.csv": "UPN,URN,AcademicYear,Term,sess_possible,sess_authorised,sess_unauthorised",
    "ap_census/placements.csv": "CensusDate,UPN,DOB,URN,SettingType,PrimaryReason,EntryDate,LeavingDate,"
                                "SessionsPerWeek",
    "nccis/activity.csv": "NCCIS_ID,UPN,DOB,Month,ActivityCode,ActivityStartDate",
    "youth_justice/offences.csv": "YJ_ID,DOB,OffenceID,OffenceDate,RecordedDate,HOClass,HOCode,"
                                  "OffenceDescription,YJBCategory,KnifeFlag,Gravity",
    "youth_justice/outcomes.csv": "YJ_ID,OffenceID,OutcomeDate,OutcomeType,Tier,LengthMonths",
}


@pytest.fixture(scope="module", params=[50_000, 1_000], ids=["one block", "four blocks"])
def data(tmp_path_factory, request):
    out = tmp_path_factory.mktemp("synth_formats")
    synthesize(out, n_young_people=4_000, seed=11, people_per_block=request.param)
    return out


def _read(data, path):
    return pd.read_csv(data / path, dtype=str, keep_default_na=False)


def _check_letter(upn):
    return CHECK_LETTERS[sum(int(d) * w for d, w in zip(upn[1:], range(2, 14))) % 23]


@pytest.mark.parametrize(("path", "header"), HEADERS.items())
def test_header_is_exactly_the_documented_one(data, path, header):
    assert (data / path).read_text(encoding="utf-8").split("\n", 1)[0] == header


def test_every_collection_year_has_its_returns(data):
    for year in range(2018, 2027):
        assert (data / "cin" / f"{year}.xml").exists()
        for name in ("header", "episodes", "missing", "oc2"):
            assert (data / "ssda903" / str(year) / f"{name}.csv").exists()


@pytest.mark.parametrize(("year", "codes"), [(2018, {"1", "2"}), (2024, {"1", "2"}), (2025, {"M", "F"}),
                                             (2026, {"M", "F"})])
def test_ssda903_sex_codes_change_in_2024_25(data, year, codes):
    assert set(_read(data, f"ssda903/{year}/header.csv")["SEX"]) == codes


def test_ssda903_dates_are_day_month_year(data):
    episodes = _read(data, "ssda903/2023/episodes.csv")
    assert episodes["DECOM"].str.match(DMY).all()
    assert episodes.loc[episodes["DEC"] != "", "DEC"].str.match(DMY).all()
    assert _read(data, "ssda903/2023/header.csv")["DOB"].str.match(DMY).all()


def test_ssda903_codes_are_from_the_lists(data):
    episodes = pd.concat([_read(data, f"ssda903/{y}/episodes.csv") for y in range(2018, 2027)])
    assert set(episodes["RNE"]) <= set(_codes.RNE)
    assert set(episodes["LS"]) <= set(_codes.LEGAL_STATUS)
    assert set(episodes["PLACE"]) <= set(_codes.PLACEMENT)
    assert set(episodes["PLACE_PROVIDER"]) <= set(_codes.PLACE_PROVIDER)
    assert set(episodes["REC"]) - {""} <= set(_codes.REASON_EPISODE_CEASED)
    assert set(episodes["REASON_PLACE_CHANGE"]) - {""} <= set(_codes.REASON_PLACE_CHANGE)
    assert set(episodes["CIN"]) <= set(_codes.NEED_CATEGORY)
    assert "J1" in set(episodes["LS"])
    assert (episodes["CHILD"].str.len() <= 10).all() and episodes["CHILD"].str.isalnum().all()


def test_open_episodes_are_repeated_in_the_next_return(data):
    this = _read(data, "ssda903/2023/episodes.csv")
    later = _read(data, "ssda903/2024/episodes.csv")
    open_now = this[this["DEC"] == ""][["CHILD", "DECOM"]]
    carried = open_now.merge(later, on=["CHILD", "DECOM"])
    assert len(open_now) > 0 and len(carried) == len(open_now)


def test_cin_xml_parses_with_the_dfe_structure(data):
    for year, sex_tag in ((2024, "GenderCurrent"), (2025, "Sex")):
        root = ET.parse(data / "cin" / f"{year}.xml").getroot()
        assert root.findtext("Header/CollectionDetails/Collection") == "CIN"
        assert root.findtext("Header/CollectionDetails/ReferenceDate") == f"{year}-03-31"
        children = root.findall("Children/Child")
        assert children and all(c.find(f"ChildIdentifiers/{sex_tag}") is not None for c in children)
        ids = [c.findtext("ChildIdentifiers/LAchildID") for c in children]
        assert all(i.isalnum() for i in ids) and len(set(ids)) == len(ids)
        dates = [e.text for e in root.iter() if e.tag.endswith("Date") and e.tag != "ReferenceDate"]
        assert dates and all(ISO.match(d) for d in dates)
        factors = {e.text for e in root.iter("AssessmentFactors")}
        assert factors <= set(_codes.ASSESSMENT_FACTOR)


def test_cin_assessments_record_exploitation_factors(data):
    factors = set()
    for year in range(2018, 2027):
        factors |= {e.text for e in ET.parse(data / "cin" / f"{year}.xml").getroot().iter("AssessmentFactors")}
    assert {"13A", "24A", "10A", "3A", "2A"} <= factors


def test_upns_are_valid_and_consistent(data):
    pupils = _read(data, "school_census/pupils.csv")
    assert pupils["UPN"].str.match(UPN).all()
    assert all(_check_letter(u) == u[0] for u in pupils["UPN"].unique())
    assert not pupils.duplicated(["UPN", "CensusDate"]).any()


def test_person_index_ids_are_unique(data):
    index = _read(data, "linkage/person_index.csv")
    for column in index.columns:
        values = index.loc[index[column] != "", column]
        assert values.is_unique, column
    assert index["PERSON_REF"].ne("").all()


def test_every_youth_justice_id_is_in_the_index(data):
    index = _read(data, "linkage/person_index.csv")
    assert set(_read(data, "youth_justice/offences.csv")["YJ_ID"]) <= set(index["YJ_ID"])


def test_nccis_ids_missing_from_the_index_carry_a_upn(data):
    index = _read(data, "linkage/person_index.csv")
    activity = _read(data, "nccis/activity.csv")
    unlisted = activity[~activity["NCCIS_ID"].isin(index["NCCIS_ID"])]
    assert len(unlisted) > 0 and (unlisted["UPN"] != "").all()
    assert set(activity["ActivityCode"].astype(int)) <= set(_codes.NCCIS_ACTIVITY)


def test_exclusions_use_both_category_eras_and_known_reasons(data):
    exclusions = _read(data, "school_census/exclusions.csv")
    year = pd.to_datetime(exclusions["StartDate"]).dt.year
    assert set(exclusions["Category"]) == {"FIXD", "SUSP", "PERM", "LNCH"}
    assert (year[exclusions["Category"] == "FIXD"] <= 2019).all()
    reasons = set(exclusions["Reason"].str.split(";").explode())
    assert reasons <= set(_codes.EXCLUSION_REASON)
    assert {"PP", "PA", "VP", "VA", "OW", "BW"} <= reasons
    assert (exclusions.loc[exclusions["Category"] == "PERM", "Sessions"] == "").all()


def test_attendance_terms_and_sessions_add_up(data):
    attendance = pd.read_csv(data / "school_census" / "attendance.csv", dtype={"UPN": str})
    assert set(attendance["Term"]) == set(_codes.TERMS)
    absent = attendance["sess_authorised"] + attendance["sess_unauthorised"]
    assert (absent <= attendance["sess_possible"]).all() and (attendance["sess_unauthorised"] >= 0).all()
    assert attendance["AcademicYear"].str.match(r"^\d{4}/\d{2}$").all()


def test_youth_justice_records_are_coherent(data):
    offences = _read(data, "youth_justice/offences.csv")
    outcomes = _read(data, "youth_justice/outcomes.csv")
    offence_day = pd.to_datetime(offences["OffenceDate"], format="%d/%m/%Y")
    recorded_day = pd.to_datetime(offences["RecordedDate"], format="%d/%m/%Y")
    assert (recorded_day >= offence_day).all() and (recorded_day - offence_day).dt.days.max() <= 90
    classes = set(offences["HOClass"])
    assert offences["HOClass"].str.fullmatch(_codes.HO_CLASS_PATTERN).all() and "10D" in classes
    # the Home Office classes the generator writes; four common ones the library does not list
    assert classes - set(_codes.HO_CLASS) <= {"92D", "28E", "58A", "17"}
    assert {"10C", "3B", "8N", "34B"} <= classes <= set(_codes.HO_CLASS) | {"92D", "28E", "58A", "17"}
    assert (offences.loc[offences["HOClass"] == "8M", "KnifeFlag"] == "N").all()
    assert set(offences["YJBCategory"]) <= set(_codes.YJB_CATEGORY)
    assert offences["Gravity"].astype(int).between(1, 8).all()
    flagged = offences[offences["KnifeFlag"] == "Y"]
    assert set(flagged["YJBCategory"]) <= {"VAP", "ROB", "WEAP"} and len(flagged) > 0
    tiers = outcomes["OutcomeType"].map(lambda c: _codes.OUTCOME_TYPE[c][0])
    assert (tiers == outcomes["Tier"]).all()
    assert set(outcomes["OffenceID"]) <= set(offences["OffenceID"])


def test_postcodes_are_in_the_fictional_districts(data):
    pupils = _read(data, "school_census/pupils.csv")
    assert pupils["Postcode"].str.match(r"^ZZ\d{1,2} \d[A-Z]{2}$").all()


@given(st.lists(st.integers(min_value=-20_000, max_value=40_000), min_size=1, max_size=30))
def test_date_formats_agree(days):
    days = np.array(days)
    as_dmy = pd.to_datetime(pd.Series(dmy(days)), format="%d/%m/%Y")
    as_iso = pd.to_datetime(pd.Series(iso(days)))
    assert (as_dmy == as_iso).all()


@settings(max_examples=25)
@given(st.lists(st.tuples(st.integers(2001, 2099), st.integers(2000, 2030)), min_size=1, max_size=200),
       st.integers(0, 2**32 - 1))
def test_upns_are_distinct_with_valid_check_letters(keys, seed):
    establishment = np.array([k[0] for k in keys])
    year = np.array([k[1] for k in keys])
    made = upns(establishment, year, np.random.default_rng(seed))
    assert len(set(made)) == len(made)
    assert all(UPN.match(u) and _check_letter(u) == u[0] for u in made)
