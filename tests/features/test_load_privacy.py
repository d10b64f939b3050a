"""No child's identifier or value appears in any message, warning or report."""

from __future__ import annotations

import json
import warnings

import pytest
from _extract_fixtures import FILES, write_extracts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import features

KEY = b"loader-test-key-0123456789abcdef"

# Distinctive values: if any reaches a message, the test finds it.
SECRET_CHILD, SECRET_UPN, SECRET_YJ = "ZQXCHILD77", "Q987654321098", "YJSECRET41"
SECRET_NAME, SECRET_POSTCODE = "Xanthippe", "ZZ9 9ZZ"
SECRETS = [SECRET_CHILD, SECRET_UPN, SECRET_YJ, SECRET_NAME, SECRET_POSTCODE,
           "31/02/1999", "1999-02-31", "QQBADCODE", "UPNBAD123", "17/05/1966", "OFFSECRET9"]

CORRUPT = {
    "ssda903/2024/header.csv": f"""CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB
{SECRET_CHILD},QQBADCODE,31/02/1999,QQBADCODE,UPNBAD123,,
{SECRET_CHILD},1,17/05/1966,WBRI,{SECRET_UPN},,
""",
    "school_census/pupils.csv": f"""CensusDate,URN,UPN,Surname,Forename,DOB,Sex,Ethnicity,Postcode,NCyearActual,SENprovision,PrimarySENtype,FSMeligible
1999-02-31,100001,UPNBAD123,{SECRET_NAME},{SECRET_NAME},17/05/1966,QQBADCODE,QQBADCODE,{SECRET_POSTCODE},QQBADCODE,QQBADCODE,QQBADCODE,QQBADCODE
""",
    "youth_justice/offences.csv": f"""YJ_ID,DOB,OffenceID,OffenceDate,RecordedDate,HOClass,HOCode,OffenceDescription,YJBCategory,KnifeFlag,Gravity
{SECRET_YJ},17/05/1966,OFFSECRET9,31/02/1999,1999-02-31,QQBADCODE,,{SECRET_NAME},QQBADCODE,QQBADCODE,QQBADCODE
{SECRET_YJ},17/05/2008,OFFSECRET9,12/06/2024,,10D,,,,,
{SECRET_YJ},{SECRET_NAME},x,x,x,x,x,x,x,x,x,x,x,x,x,x
""",
    "cin/2024.xml": FILES["cin/2024.xml"].replace("C001", SECRET_CHILD).replace(
        "2008-05-17", "1999-02-31").replace("<Ethnicity>BCRB", "<Ethnicity>QQBADCODE"),
}


def _collect(action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = action()
        except features.DataError as error:
            return str(error), caught
    return result, caught


def _assert_no_secret(text):
    for secret in SECRETS:
        assert secret not in text, secret


def test_row_problems_never_quote_values(tmp_path):
    data = write_extracts(tmp_path / "data", files=CORRUPT)
    report, caught = _collect(lambda: features.validate_extracts(data, tmp_path / "out", key=KEY))
    assert report.n_problems >= 20
    _assert_no_secret((tmp_path / "out/validation.json").read_text())
    _assert_no_secret(json.dumps(report.to_dict()) + report.summary() + repr(report))
    _assert_no_secret(" ".join(str(w.message) for w in caught))
    quarantine = (tmp_path / "out/quarantine/school_census_pupils.csv").read_text()
    assert SECRET_NAME in quarantine  # the data owner's copy keeps the values


FILE_PROBLEMS = {
    "truncated xml": {"cin/2024.xml": CORRUPT["cin/2024.xml"][:700]},
    "missing column": {"school_census/pupils.csv": CORRUPT["school_census/pupils.csv"].replace(",UPN,", ",UPNX,", 1)},
    "headerless file": {"youth_justice/offences.csv": CORRUPT["youth_justice/offences.csv"].split("\n", 1)[1]},
    "headerless repeated values": {"youth_justice/outcomes.csv":
                                   f"{SECRET_YJ},{SECRET_YJ},{SECRET_YJ}\n{SECRET_YJ},{SECRET_YJ},{SECRET_YJ}\n"},
    "mostly too many fields": {"youth_justice/offences.csv":
                               "YJ_ID,DOB\n" + f"{SECRET_YJ},{SECRET_NAME}" + ",x" * 20 + "\n"},
}


@pytest.mark.parametrize("files", list(FILE_PROBLEMS.values()), ids=list(FILE_PROBLEMS))
def test_file_problems_never_quote_values(tmp_path, files):
    data = write_extracts(tmp_path, files={**CORRUPT, **files})
    message, caught = _collect(lambda: features.load_extracts(data, key=KEY))
    assert isinstance(message, str), "expected a DataError"
    _assert_no_secret(message)
    _assert_no_secret(" ".join(str(w.message) for w in caught))


def test_extracts_repr_shows_counts_only(tmp_path):
    extracts = features.load_extracts(write_extracts(tmp_path, files=CORRUPT), key=KEY)
    _assert_no_secret(repr(extracts))


CELL = st.one_of(
    st.sampled_from(["", "A100000000001", "B200000000002", "A12", "PERM", "SUSP", "FIXD", "LNCH",
                     "XXXX", "PP", "PP;BW", "ZZ", "05/02/2024", "31/02/2024", "2024-02-05",
                     "6", "-1", "2.5", "lots", "01/01/1990", "100001"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8),
)
ROW = st.tuples(*[CELL] * 6)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(ROW, max_size=25))
def test_rows_in_equals_accepted_plus_quarantined(tmp_path_factory, rows):
    import csv
    import io

    folder = tmp_path_factory.mktemp("prop")
    pupils = FILES["school_census/pupils.csv"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["UPN", "URN", "Category", "Reason", "StartDate", "Sessions"])
    writer.writerows(rows)
    files = {"school_census/exclusions.csv": buffer.getvalue(), "school_census/pupils.csv": pupils}
    data = write_extracts(folder, files=files, drop=[p for p in FILES if p not in files])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extracts = features.load_extracts(data, key=KEY)
    entry = next(t for t in extracts.report.tables if t["table"] == "school_census_exclusions")
    assert entry["rows_in"] == sum(any(cell.strip() for cell in row) for row in rows)
    assert entry["rows_in"] == entry["rows_accepted"] + entry["rows_quarantined"]
    assert len(extracts.tables["exclusions"]) == entry["rows_accepted"]
    assert len({p["row"] for p in entry["problems"]}) == entry["rows_quarantined"]
