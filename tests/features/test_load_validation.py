"""Bad rows are quarantined with their reason; bad files stop with a clear message."""

from __future__ import annotations

import json
import stat
import warnings

import pandas as pd
import pytest
from _extract_fixtures import FILES, UPN1, write_extracts

import features

KEY = b"loader-test-key-0123456789abcdef"


def _replace(relpath, old, new):
    text = FILES[relpath]
    assert old in text, (relpath, old)
    return {relpath: text.replace(old, new, 1)}


def _same_source(files):
    """Leave out the sources the corrupted file does not depend on (keeps tests fast)."""
    folders = {relpath.split("/")[0] for relpath in files}
    return [p for p in FILES if p.split("/")[0] not in folders | {"linkage"}]


def _load(tmp_path, files=None, drop=None):
    """Write the fixture with ``files`` changed (by default only their sources) and load it."""
    if drop is None:
        drop = _same_source(files) if files else ()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return features.load_extracts(write_extracts(tmp_path, files=files, drop=drop), key=KEY)


def _table(report, table, file=None):
    found = [t for t in report.tables if t["table"] == table and (file is None or t["file"] == file)]
    assert len(found) == 1, (table, file)
    return found[0]


ROW_PROBLEMS = [
    ("impossible date", _replace("ssda903/2023/header.csv", "02/02/2009", "31/02/2009"),
     "ssda903_header", 2, "DOB", "not a real date"),
    ("unparseable date", _replace("school_census/exclusions.csv", "05/02/2024", "5th Feb"),
     "school_census_exclusions", 1, "StartDate", "not a real date"),
    ("unknown sex", _replace("school_census/pupils.csv", ",F,WBRI,", ",X,WBRI,"),
     "school_census_pupils", 2, "Sex", "unknown Sex code"),
    ("unknown category", _replace("school_census/exclusions.csv", "PERM", "EXPL"),
     "school_census_exclusions", 2, "Category", "unknown Category code"),
    ("unknown reason", _replace("school_census/exclusions.csv", "PP;BW", "PP;ZZ"),
     "school_census_exclusions", 1, "Reason", "unknown Reason code"),
    ("unknown legal status", _replace("ssda903/2024/episodes.csv", ",J1,", ",J9,"),
     "ssda903_episodes", 2, "LS", "unknown LS code"),
    ("unknown activity", _replace("nccis/activity.csv", ",619,", ",999,"),
     "nccis_activity", 1, "ActivityCode", "unknown ActivityCode code"),
    ("end before start", _replace("ssda903/2023/episodes.csv", "20/12/2022", "01/01/2020"),
     "ssda903_episodes", 2, "DEC", "ends before it starts"),
    ("recorded before offence", _replace("youth_justice/offences.csv", "20/06/2024", "20/06/2023"),
     "youth_justice_offences", 1, "RecordedDate", "ends before it starts"),
    ("outcome before offence", _replace("youth_justice/outcomes.csv", "01/09/2024", "01/09/2023"),
     "youth_justice_outcomes", 1, "OutcomeDate", "dated before its offence"),
    ("too old", _replace("youth_justice/offences.csv", "17/05/2008", "17/05/1980"),
     "youth_justice_offences", 1, "OffenceDate", "age at OffenceDate outside 0 to 25"),
    ("not yet born", _replace("school_census/pupils.csv", "02/02/2009", "02/02/2025"),
     "school_census_pupils", 2, "DOB", "age at CensusDate outside 0 to 25"),
    ("duplicate key", {"youth_justice/offences.csv": FILES["youth_justice/offences.csv"]
                       + FILES["youth_justice/offences.csv"].splitlines()[1] + "\n"},
     "youth_justice_offences", 2, "OffenceID", "duplicate key"),
    ("invalid upn", _replace("school_census/attendance.csv", UPN1, "A12345"),
     "school_census_attendance", 1, "UPN", "not a valid UPN"),
    ("missing required value", _replace("school_census/attendance.csv", ",AUT,150,4", ",,150,4"),
     "school_census_attendance", 2, "Term", "missing required value"),
    ("out of range", _replace("ap_census/placements.csv", ",8\n", ",11\n"),
     "ap_census_placements", 1, "SessionsPerWeek", "outside the allowed range 1 to 10"),
    ("absence exceeds possible", _replace("school_census/attendance.csv", "150,10,20", "15,10,20"),
     "school_census_attendance", 1, "sess_possible", "exceed sessions possible"),
    ("bad academic year", _replace("school_census/attendance.csv", "2023/24", "2023/25"),
     "school_census_attendance", 1, "AcademicYear", "not an academic year"),
    ("not a flag", _replace("youth_justice/offences.csv", ",Y,5", ",maybe,5"),
     "youth_justice_offences", 1, "KnifeFlag", "not a yes/no value"),
    ("malformed offence class", _replace("youth_justice/offences.csv", ",10D,", ",knife,"),
     "youth_justice_offences", 1, "HOClass", "not a well-formed HOClass code"),
    ("cin unknown factor", _replace("cin/2024.xml", ">24A<", ">99Z<"),
     "cin_assessments", "child 1/referral 1/assessment 1", "Factors", "unknown Factors code"),
    ("cin plan ends early", _replace("cin/2024.xml", "2023-11-15", "2022-11-15"),
     "cin_cp_plans", "child 1/referral 1/cpp 1", "CPPendDate", "ends before it starts"),
    ("cin unknown gender", _replace("cin/2024.xml", "<GenderCurrent>1<", "<GenderCurrent>7<"),
     "cin_children", "child 1", "Sex", "unknown Sex code"),
]


@pytest.mark.parametrize(
    ("files", "table", "row", "column", "reason"),
    [case[1:] for case in ROW_PROBLEMS], ids=[case[0] for case in ROW_PROBLEMS],
)
def test_a_bad_row_is_quarantined_with_its_reason(tmp_path, files, table, row, column, reason):
    report = _load(tmp_path, files=files).report
    others = [t for t in report.tables if t["problems"] and t["table"] != table]
    assert all("record was quarantined" in p["reason"] for t in others for p in t["problems"])
    entry = _table(report, table, file=next(iter(files)))
    assert entry["rows_quarantined"] == 1
    assert entry["rows_in"] == entry["rows_accepted"] + 1
    problem = entry["problems"][0]
    assert (problem["row"], problem["column"]) == (row, column)
    assert reason in problem["reason"]


def test_every_problem_is_reported_at_once(tmp_path):
    text = FILES["school_census/pupils.csv"]
    text = text.replace("18/01/2024,100001,B2", "18/13/2024,100001,B2").replace(",F,WBRI,", ",Q,WXYZ,")
    report = _load(tmp_path, files={"school_census/pupils.csv": text}).report
    entry = _table(report, "school_census_pupils")
    assert entry["rows_quarantined"] == 1
    assert {p["column"] for p in entry["problems"]} == {"CensusDate", "Sex", "Ethnicity"}
    assert {p["row"] for p in entry["problems"]} == {2}


def test_quarantined_rows_leave_the_tidy_tables(tmp_path):
    files = _replace("school_census/exclusions.csv", "PERM", "EXPL")
    extracts = _load(tmp_path, files=files)
    assert extracts.tables["exclusions"]["category"].tolist() == ["SUSP"]


def test_a_quarantined_cin_child_takes_its_records_with_it(tmp_path):
    files = _replace("cin/2024.xml", "<LAchildID>C001</LAchildID>", "<LAchildID></LAchildID>")
    extracts = _load(tmp_path, files=files)
    counts = {t["table"]: t["rows_quarantined"] for t in extracts.report.tables if t["table"].startswith("cin")}
    assert counts == {"cin_children": 1, "cin_referrals": 1, "cin_assessments": 1,
                      "cin_section47": 1, "cin_cp_plans": 1}
    assert extracts.tables["cin_referrals"].empty


@pytest.mark.parametrize(("sex", "expected"), [("0", "U"), ("9", "U"), ("2", "F")])
def test_cin_gender_codes_are_read_as_sex(tmp_path, sex, expected):
    files = _replace("cin/2024.xml", "<GenderCurrent>1</GenderCurrent>", f"<Sex>{expected}</Sex>"
                     if sex == "2" else f"<GenderCurrent>{sex}</GenderCurrent>")
    files = {k: v.replace("<Sex>F</Sex>", "<Sex>f</Sex>") for k, v in files.items()}
    data = write_extracts(tmp_path, files=files, drop=["school_census/pupils.csv", "ssda903/2023/header.csv",
                                                       "ssda903/2024/header.csv"])
    people = features.load_extracts(data, key=KEY).tables["people"]
    row = people[people["sources"].str.contains("cin")].iloc[0]
    assert row["sex"] == expected


def test_iso_and_uk_dates_are_both_read(tmp_path):
    iso = FILES["ssda903/2024/episodes.csv"].replace("15/08/2023", "2023-08-15")
    extracts = _load(tmp_path, files={"ssda903/2024/episodes.csv": iso})
    assert extracts.report.n_problems == 0
    assert pd.Timestamp("2023-08-15") in set(extracts.tables["cla_episodes"]["decom"])


@pytest.mark.parametrize(("encoding", "newline"), [("utf-8", "\n"), ("utf-8-sig", "\n"), ("cp1252", "\r\n")])
def test_encodings_are_read(tmp_path, encoding, newline):
    write_extracts(tmp_path, drop=_same_source({"school_census/pupils.csv": ""}))
    text = FILES["school_census/pupils.csv"].replace("Quentin", "Zoë-Renée").replace("\n", newline)
    (tmp_path / "school_census/pupils.csv").write_bytes(text.encode(encoding))
    extracts = features.load_extracts(tmp_path, key=KEY)
    assert extracts.report.n_problems == 0
    assert len(extracts.tables["pupils"]) == 2


def test_header_names_in_any_case_with_stray_spaces(tmp_path):
    header, rest = FILES["school_census/pupils.csv"].split("\n", 1)
    header = ",".join(f"  {name.lower()} " if i % 2 else name.upper() for i, name in enumerate(header.split(",")))
    extracts = _load(tmp_path, files={"school_census/pupils.csv": header + "\n" + rest})
    assert extracts.report.n_problems == 0
    assert extracts.tables["pupils"]["sen_provision"].tolist() == ["K", "N"]


def test_codes_in_any_case(tmp_path):
    files = _replace("school_census/exclusions.csv", "FIXD,PP;BW", "fixd,pp; bw")
    extracts = _load(tmp_path, files=files)
    assert extracts.report.n_problems == 0
    assert extracts.tables["exclusions"]["reasons"].tolist()[0] == "PP;BW"


def test_extra_columns_are_ignored_with_a_warning_and_a_note(tmp_path):
    text = FILES["youth_justice/outcomes.csv"].replace("LengthMonths\n", "LengthMonths,CaseWorker\n")
    text = text.replace(",9\n", ",9,Somebody Particular\n")
    files = {"youth_justice/outcomes.csv": text}
    data = write_extracts(tmp_path, files=files, drop=_same_source(files))
    with pytest.warns(UserWarning, match="youth_justice/outcomes.csv: extra column 'CaseWorker' ignored"):
        extracts = features.load_extracts(data, key=KEY)
    assert _table(extracts.report, "youth_justice_outcomes")["notes"] == ["extra column 'CaseWorker' ignored"]
    assert "Somebody" not in json.dumps(extracts.report.to_dict())


def test_optional_columns_may_be_absent(tmp_path):
    text = "YJ_ID,OffenceID,OutcomeDate,OutcomeType\nY001,OFF-1,01/09/2024,YRO\n"
    extracts = _load(tmp_path, files={"youth_justice/outcomes.csv": text})
    assert extracts.report.n_problems == 0
    assert extracts.tables["yj_outcomes"]["tier"].tolist() == ["COMMUNITY"]


FILE_PROBLEMS = [
    ("missing column", "school_census/pupils.csv",
     FILES["school_census/pupils.csv"].replace(",UPN,", ",PupilNumber,", 1),
     r"school_census/pupils.csv: required column 'UPN' is missing"),
    ("empty file", "school_census/exclusions.csv", "", r"school_census/exclusions.csv is empty"),
    ("blank file", "nccis/activity.csv", "\n  \n", r"nccis/activity.csv is empty"),
    ("truncated xml", "cin/2024.xml", FILES["cin/2024.xml"][: len(FILES["cin/2024.xml"]) // 2],
     r"cin/2024.xml is not well-formed XML \(problem at line \d+"),
    ("not xml", "cin/2024.xml", "LAchildID,UPN\nC001,X\n", r"cin/2024.xml is not well-formed XML"),
    ("wrong root", "cin/2024.xml", "<Return><Children/></Return>", r"not a CIN census file"),
    ("no children", "cin/2024.xml", "<Message><Header/></Message>", r"no 'Children' element"),
    ("mostly misshapen rows", "youth_justice/outcomes.csv",
     FILES["youth_justice/outcomes.csv"].split("\n")[0] + "\nY001,OFF-1,01/09/2024,RO,,9,extra,more\nY002\n",
     r"youth_justice/outcomes.csv: 2 of 2 rows have a different number of fields from the header \(6\)"),
    ("unclosed quote", "youth_justice/outcomes.csv",
     FILES["youth_justice/outcomes.csv"] + 'Y001,"OFF-1,01/09/2024,RO,,9\n',
     r"youth_justice/outcomes.csv could not be read as CSV at line \d+: a quote is never closed"),
    ("duplicate column", "nccis/activity.csv",
     FILES["nccis/activity.csv"].replace("NCCIS_ID,UPN,", "NCCIS_ID,upn ,UPN,").replace("N001,", "N001,X,"),
     r"nccis/activity.csv: column 'UPN' appears more than once"),
]


@pytest.mark.parametrize(("relpath", "text", "message"), [c[1:] for c in FILE_PROBLEMS],
                         ids=[c[0] for c in FILE_PROBLEMS])
def test_a_bad_file_stops_with_a_message(tmp_path, relpath, text, message):
    with pytest.raises(features.DataError, match=message):
        _load(tmp_path, files={relpath: text})


@pytest.mark.parametrize("relpath", ["nccis/activity.csv", "cin/2024.xml"])
def test_a_folder_where_an_extract_should_be_is_a_data_error(tmp_path, relpath):
    write_extracts(tmp_path, drop=[relpath])
    (tmp_path / relpath).mkdir(parents=True)
    with pytest.raises(features.DataError, match=f"{relpath} is not a file"):
        features.load_extracts(tmp_path, key=KEY)


OUTCOMES_HEADER = FILES["youth_justice/outcomes.csv"].split("\n")[0]


def test_rows_with_more_or_fewer_fields_are_quarantined_and_the_rest_loads(tmp_path):
    text = (OUTCOMES_HEADER + "\nY001,OFF-1,01/09/2024,RO,,9\nY001,OFF-1,01/09/2024,RO,,9,extra,more\n"
            "Y001,OFF-1,02/09/2024,RO,,9\nY001,OFF-1\nY001,OFF-1,03/09/2024,RO,,9\n")
    extracts = _load(tmp_path, files={"youth_justice/outcomes.csv": text})
    entry = _table(extracts.report, "youth_justice_outcomes")
    assert (entry["rows_in"], entry["rows_accepted"], entry["rows_quarantined"]) == (5, 3, 2)
    reasons = {p["row"]: p["reason"] for p in entry["problems"] if p["column"] == "(whole row)"}
    assert reasons == {2: "row has 8 fields; the header has 6", 4: "row has 2 fields; the header has 6"}
    assert len(extracts.tables["yj_outcomes"]) == 3


def test_a_short_row_is_never_padded_into_an_accepted_row(tmp_path):
    text = OUTCOMES_HEADER + "\nY001,OFF-1,01/09/2024,RO,,9\nY001,OFF-1,01/09/2024,RO\nY001,OFF-1,02/09/2024,RO,,9\n"
    entry = _table(_load(tmp_path, files={"youth_justice/outcomes.csv": text}).report, "youth_justice_outcomes")
    assert entry["rows_quarantined"] == 1
    assert entry["problems"][0] == {"row": 2, "column": "(whole row)", "reason": "row has 4 fields; the header has 6"}


def test_misshapen_rows_keep_their_values_in_the_quarantine_file(tmp_path):
    text = OUTCOMES_HEADER + "\nY001,OFF-1,01/09/2024,RO,,9\nY009,OFF-9,01/09/2024,RO,,9,extra\nY001,OFF-1,02/09/2024,RO,,9\n"
    data = write_extracts(tmp_path / "data", files={"youth_justice/outcomes.csv": text},
                          drop=_same_source({"youth_justice/outcomes.csv": ""}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        features.validate_extracts(data, tmp_path / "out", key=KEY)
    quarantine = (tmp_path / "out/quarantine/youth_justice_outcomes.csv").read_text()
    assert "row has 7 fields; the header has 6" in quarantine and "Y009" in quarantine


def test_an_unreadable_encoding_stops_with_a_message(tmp_path):
    write_extracts(tmp_path, drop=_same_source({"nccis/activity.csv": ""}))
    (tmp_path / "nccis/activity.csv").write_bytes(b"NCCIS_ID,UPN\n\x81\x8d\x8f\x90,A\n")
    with pytest.raises(features.DataError, match=r"nccis/activity.csv is not in a readable text encoding"):
        features.load_extracts(tmp_path, key=KEY)


def test_validate_writes_the_report_and_private_quarantine(tmp_path):
    files = _replace("school_census/exclusions.csv", "PERM", "EXPL")
    data = write_extracts(tmp_path / "data", files=files, drop=_same_source(files))
    report = features.validate_extracts(data, tmp_path / "out", key=KEY)
    written = json.loads((tmp_path / "out/validation.json").read_text())
    assert written == json.loads(json.dumps(report.to_dict()))
    assert written["totals"]["rows_quarantined"] == 1
    folder = tmp_path / "out/quarantine"
    path = folder / "school_census_exclusions.csv"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    quarantined = pd.read_csv(path, dtype=str)
    assert quarantined[["file", "row", "UPN", "Category"]].values.tolist() == [
        ["school_census/exclusions.csv", "2", UPN1, "EXPL"]]
    assert quarantined["reason"].item().startswith("Category: unknown Category code")
    assert [p.name for p in folder.iterdir()] == ["school_census_exclusions.csv"]


def test_ssda903_quarantine_gathers_every_year(tmp_path):
    files = {**_replace("ssda903/2023/episodes.csv", ",K2,", ",Q9,"),
             **_replace("ssda903/2024/episodes.csv", ",R5,", ",Q9,")}
    data = write_extracts(tmp_path / "data", files=files, drop=_same_source(files))
    features.validate_extracts(data, tmp_path / "out", key=KEY)
    quarantined = pd.read_csv(tmp_path / "out/quarantine/ssda903_episodes.csv", dtype=str)
    assert quarantined["file"].tolist() == ["ssda903/2023/episodes.csv", "ssda903/2024/episodes.csv"]


def test_a_clean_rerun_removes_the_old_quarantine(tmp_path):
    files = _replace("school_census/exclusions.csv", "PERM", "EXPL")
    bad = write_extracts(tmp_path / "bad", files=files, drop=_same_source(files))
    features.validate_extracts(bad, tmp_path / "out", key=KEY)
    good = write_extracts(tmp_path / "good", drop=_same_source(files))
    features.validate_extracts(good, tmp_path / "out", key=KEY)
    assert list((tmp_path / "out/quarantine").iterdir()) == []


def test_blank_trailing_header_cells_are_ignored(tmp_path):
    text = FILES["nccis/activity.csv"].replace("\n", ",,\n") + ",,,,,,,\n"
    extracts = _load(tmp_path, files={"nccis/activity.csv": text})
    entry = _table(extracts.report, "nccis_activity")
    assert entry["notes"] == ["extra column 'unnamed column 7' ignored",
                              "extra column 'unnamed column 8' ignored", "1 blank row(s) skipped"]
    assert (entry["rows_in"], entry["rows_accepted"]) == (1, 1)


@pytest.mark.parametrize("ho_class", ["3B", "105A", "4/1", "17b"])
def test_a_well_formed_offence_class_is_kept_and_warned_about_if_unlisted(tmp_path, ho_class):
    files = _replace("youth_justice/offences.csv", ",10D,,Possession of a bladed article,WEAP,Y,",
                     f",{ho_class},,Threats,VAP,Y,")
    extracts = _load(tmp_path, files=files)
    entry = _table(extracts.report, "youth_justice_offences")
    assert (entry["rows_quarantined"], entry["rows_accepted"]) == (0, 1)
    listed = ho_class.upper() in features._codes.HO_CLASS
    warned = [w for w in entry["warnings"] if w["column"] == "HOClass"]
    assert len(warned) == (0 if listed else 1)
    if warned:
        assert warned[0]["rows"] == 1 and "kept, decoded as unknown" in warned[0]["reason"]
        assert extracts.report.to_dict()["totals"]["warnings"] >= 1
    assert extracts.tables["yj_offences"]["ho_class"].tolist() == [ho_class.upper()]


def test_a_blank_knife_flag_is_kept_and_counted_as_a_warning(tmp_path):
    extracts = _load(tmp_path, files=_replace("youth_justice/offences.csv", ",Y,5", ",,5"))
    entry = _table(extracts.report, "youth_justice_offences")
    assert entry["rows_quarantined"] == 0
    assert entry["warnings"] == [{"column": "KnifeFlag", "rows": 1, "reason": entry["warnings"][0]["reason"]}]
    assert "unknown" in entry["warnings"][0]["reason"]
    assert extracts.tables["yj_offences"]["knife_flag"].isna().all()
    assert "kept with a warning (KnifeFlag" in extracts.report.summary()
