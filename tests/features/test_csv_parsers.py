"""The fast CSV parser (Arrow's C reader) and the strict one (Python's csv) agree.

A file goes through the fast parser only when the two cannot differ; every other file,
and every file with a malformed line, goes through the strict one. These tests read the
same bytes both ways and require identical frames, notes, misshapen rows, errors and
quarantine, on hand-written files with malformed lines and on generated ones.
"""

from __future__ import annotations

import warnings
from unittest import mock

import pandas as pd
import pytest
from _extract_fixtures import FILES, write_extracts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import features
from features._loaders import _csv

KEY = b"csv-parser-test-key-0123456789ab"
HEADER = "UPN,Name,Date"
REQUIRED, OPTIONAL = ("UPN",), ("Name", "Date")
ATTENDANCE = "school_census/attendance.csv"
WIDE = "\u00e9"  # two bytes in UTF-8

CORPUS = {
    "clean": f"{HEADER}\nA1,Ann,2024-01-01\nB2,Bo,2024-01-02\n",
    "no final newline": f"{HEADER}\nA1,Ann,2024-01-01\nB2,Bo,2024-01-02",
    "crlf and bare cr": f"{HEADER}\r\nA1,Ann,2024-01-01\rB2,Bo,2024-01-02\r\n",
    "blank lines": f"\n{HEADER}\n\nA1,Ann,2024-01-01\n\n\nB2,Bo,x\n\n",
    "blank rows of commas": f"{HEADER}\n,,\nA1,Ann,2024-01-01\n , , \n",
    "a line of spaces": f"{HEADER}\nA1,Ann,2024-01-01\n   \nB2,Bo,x\n",
    "stray spaces": f"{HEADER}\n A1 , Ann ,\t2024-01-01 \n",
    "well-formed quotes": f'{HEADER}\n"A1","O\'Neil, Ann","2024-01-01"\nB2,"say ""hi""",\n',
    "a newline in quotes": f'{HEADER}\nA1,"two\nlines",2024-01-01\nB2,"cr\r\nlf",x\n',
    "an empty quoted field": f'{HEADER}\nA1,"",2024-01-01\n',
    "too many fields": f"{HEADER}\nA1,Ann,2024-01-01,extra\nB2,Bo,2024-01-02\nC3,Cy,2024-01-03\n",
    "too few fields": f"{HEADER}\nA1,Ann\nB2,Bo,2024-01-02\nC3,Cy,2024-01-03\n",
    "mostly ragged": f"{HEADER}\nA1\nB2\nC3,Cy,2024-01-03\n",
    "a quote inside a field": f'{HEADER}\nA1,Ann "Jo" Lee,2024-01-01\n',
    "text after a closing quote": f'{HEADER}\nA1,"Ann"x,2024-01-01\n',
    "an unclosed quote": f'{HEADER}\nA1,"Ann,2024-01-01\nB2,Bo,2024-01-02\n',
    "a quote after a space": f'{HEADER}\nA1, "Ann",2024-01-01\n',
    "a NUL": f"{HEADER}\nA1,An\x00n,2024-01-01\n",
    "a field over the limit": f"{HEADER}\nA1,{'n' * 140_000},2024-01-01\n",
    "a field over the limit in bytes only": f"{HEADER}\nA1,{WIDE * 70_000},2024-01-01\n",
    "a field over the limit in characters": f"{HEADER}\nA1,{WIDE * 140_000},2024-01-01\n",
    "a header with a blank cell": "UPN,,Date\nA1,Ann,2024-01-01\n",
    "a quoted header with a comma": '"UPN","Name, in full",Date\nA1,Ann,2024-01-01\n',
    "a quoted header with a line break": 'UPN,"Na\nme",Date\nA1,Ann,2024-01-01\n',
    "a header only": f"{HEADER}\n",
    "extra columns": f"{HEADER},Notes,\nA1,Ann,2024-01-01,note,\n",
    "a missing required column": "Name,Date\nAnn,2024-01-01\n",
    "a duplicated column": "UPN,Name,upn\nA1,Ann,A1\n",
    "unicode spaces": f"{HEADER}\nA1,\u00a0Ann\u2003,2024-01-01\n",
    "one column": "UPN\nA1\n\nB2\n ,\n",
}


@pytest.fixture(autouse=True)
def fast_parser_for_small_files(monkeypatch):
    """The fast parser is tried on every file here, not only on large ones."""
    monkeypatch.setattr(_csv, "SMALL_FILE_BYTES", 0)


def test_small_files_take_the_strict_parser(monkeypatch):
    monkeypatch.undo()
    assert _csv._parse_fast(CORPUS["clean"].encode()) is None
    assert _csv._parse_fast(CORPUS["clean"].encode() * 4_000) is not None


def _read(path, *, fast):
    """``read_extract`` of ``path``, with the fast parser allowed or not: its result or its error."""
    with mock.patch.object(_csv, "_parse_fast", _csv._parse_fast if fast else lambda data: None):
        try:
            return _csv.read_extract(path, relpath="x.csv", required=REQUIRED, optional=OPTIONAL)
        except features.DataError as error:
            return str(error)


def _assert_same(fast, strict):
    if isinstance(strict, str):
        assert fast == strict
        return
    (frame, notes, misshapen), (strict_frame, strict_notes, strict_misshapen) = fast, strict
    pd.testing.assert_frame_equal(frame, strict_frame, check_exact=True)
    assert notes == strict_notes
    pd.testing.assert_series_equal(misshapen, strict_misshapen, check_exact=True)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("name", list(CORPUS))
def test_the_fast_and_strict_parsers_read_a_file_alike(tmp_path, name, encoding):
    path = tmp_path / "x.csv"
    path.write_bytes(CORPUS[name].replace("Ann", "Ánn").encode(encoding, errors="replace"))
    _assert_same(_read(path, fast=True), _read(path, fast=False))


@pytest.mark.parametrize("name", ["clean", "crlf and bare cr", "blank lines", "well-formed quotes",
                                  "a newline in quotes", "stray spaces", "a field over the limit in bytes only"])
def test_a_file_both_parsers_read_alike_takes_the_fast_parser(name):
    assert _csv._parse_fast(CORPUS[name].encode()) is not None


@pytest.mark.parametrize("name", ["too many fields", "too few fields", "a line of spaces",
                                  "a quote inside a field", "text after a closing quote",
                                  "an unclosed quote", "a quote after a space", "a NUL",
                                  "a field over the limit", "a field over the limit in characters"])
def test_a_file_with_a_malformed_or_doubtful_line_takes_the_strict_parser(name):
    assert _csv._parse_fast(CORPUS[name].encode()) is None


LINES = st.lists(
    st.text(alphabet=st.sampled_from(list('ab1 ,"\r\n\t\u00e9;')), max_size=24), max_size=12,
)


@settings(max_examples=300, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=LINES)
def test_the_parsers_agree_on_generated_files(tmp_path, lines):
    path = tmp_path / "x.csv"
    path.write_bytes((HEADER + "\n" + "\n".join(lines)).encode("utf-8"))
    _assert_same(_read(path, fast=True), _read(path, fast=False))


def _load(folder, *, fast):
    with mock.patch.object(_csv, "_parse_fast", _csv._parse_fast if fast else lambda data: None):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return features.load_extracts(folder, key=KEY)


@pytest.mark.parametrize("damage", ["ragged rows", "quoted fields"])
def test_the_fast_parser_leaves_tables_and_quarantine_unchanged(tmp_path, damage):
    header, *rows = FILES[ATTENDANCE].strip().split("\n")
    rows += [rows[0].replace(",AUT,", ",XMAS,"), rows[0].replace(",150,", ",-1,")]
    if damage == "ragged rows":
        rows += [rows[0] + ",extra", rows[0].rsplit(",", 2)[0], "", "not,a,date,row,at,all,1"]
    else:
        rows = [",".join(f'"{cell}"' for cell in row.split(",")) for row in rows]
    text = "\n".join([header, *rows]) + "\n"
    assert (_csv._parse_fast(text.encode()) is None) == (damage == "ragged rows")
    folder = write_extracts(tmp_path, files={ATTENDANCE: text})
    fast, strict = _load(folder, fast=True), _load(folder, fast=False)
    assert fast.report.to_dict() == strict.report.to_dict()
    assert fast.report.n_quarantined > 0
    for name, table in strict.tables.items():
        pd.testing.assert_frame_equal(fast.tables[name], table, check_exact=True)
    fast_q, strict_q = fast.report._quarantine_frames(), strict.report._quarantine_frames()
    assert fast_q.keys() == strict_q.keys()
    for name, frame in strict_q.items():
        pd.testing.assert_frame_equal(fast_q[name], frame, check_exact=True)
