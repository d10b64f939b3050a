"""Owner-only files for person-level data, whatever the umask; formulas neutralised in quarantine."""

from __future__ import annotations

import os
import stat
import warnings

import pandas as pd
import pytest
from _extract_fixtures import FILES, write_extracts

import features
from features import private_file, private_folder, write_private_bytes, write_private_text
from features._loaders._report import neutralise_formulas

KEY = b"loader-test-key-0123456789abcdef"


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o002, 0o000])
def umask(request):
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def test_new_files_and_folders_are_owner_only_whatever_the_umask(tmp_path, umask):
    text = write_private_text(tmp_path / "a" / "b" / "scores.csv", "x\n")
    binary = write_private_bytes(tmp_path / "a" / "c.parquet", b"PAR1")
    folder = private_folder(tmp_path / "cases")
    assert (_mode(text), _mode(binary), _mode(folder)) == (0o600, 0o600, 0o700)
    assert _mode(tmp_path / "a") == _mode(tmp_path / "a" / "b") == 0o700


def test_an_existing_wider_file_and_folder_are_narrowed(tmp_path, umask):
    path = tmp_path / "old.csv"
    path.write_text("old")
    path.chmod(0o666)
    (tmp_path / "out").mkdir(mode=0o777)
    (tmp_path / "out").chmod(0o777)
    write_private_text(path, "new")
    private_folder(tmp_path / "out")
    assert (_mode(path), _mode(tmp_path / "out"), path.read_text()) == (0o600, 0o700, "new")


def test_an_existing_parent_that_is_not_ours_is_left_alone(tmp_path, umask):
    tmp_path.chmod(0o755)
    write_private_text(tmp_path / "features.parquet", "x")
    assert _mode(tmp_path) == 0o755


def test_private_file_refuses_other_modes(tmp_path):
    with pytest.raises(ValueError, match="must be 'w' or 'wb'; got 'a'"):
        with private_file(tmp_path / "x", "a"):
            pass


def test_feature_and_group_parquet_files_are_owner_only(tmp_path, umask):
    data = write_extracts(tmp_path / "data")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tables = features.load_extracts(data, key=KEY).tables
        feature_set = features.build_features(tables, ["2024-03-31"])
    written = feature_set.write(tmp_path / "new" / "features.parquet")
    assert [_mode(path) for path in written] == [0o600, 0o600]
    assert _mode(tmp_path / "new") == 0o700
    assert len(features.FeatureSet.read(written[0]).frame) == len(feature_set.frame)


FORMULAS = ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "=cmd|' /c calc'!A1"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_gets_a_leading_quote(value):
    out = neutralise_formulas(pd.DataFrame({"c": [value, "safe", None]}))["c"]
    assert out[0] == "'" + value and out[1] == "safe" and pd.isna(out[2])


def test_quarantine_files_neutralise_formulas_and_are_owner_only(tmp_path, umask):
    pupils = FILES["school_census/pupils.csv"]
    header, row = pupils.split("\n")[:2]
    bad = row.replace(row.split(",")[0], "=1+2", 1)  # a formula in CensusDate: not a date
    data = write_extracts(tmp_path / "data", files={"school_census/pupils.csv": f"{header}\n{row}\n{bad}\n"})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        features.validate_extracts(data, tmp_path / "out", key=KEY)
    path = tmp_path / "out" / "quarantine" / "school_census_pupils.csv"
    quarantined = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert quarantined["CensusDate"].tolist() == ["'=1+2"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in quarantined.to_numpy().ravel())
    assert (_mode(path), _mode(path.parent)) == (0o600, 0o700)
