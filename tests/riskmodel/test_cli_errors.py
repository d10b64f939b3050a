"""No traceback ever reaches a user; path and key problems are messages; crashes leave a private log."""

from __future__ import annotations

import hashlib
import stat

import pytest
from typer.testing import CliRunner

from riskmodel.cli import app
from riskmodel.cli._app import EXIT_SOFTWARE

STRONG_KEY = hashlib.sha256(b"cli error tests key").hexdigest()  # for key files; key_env sets the variable
SECRET = "ZQXSECRET4417"
NCCIS = "NCCIS_ID,UPN,DOB,Month,ActivityCode,ActivityStartDate\nN001,,17/05/2008,2024-03,210,01/03/2024\n"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def data(tmp_path):
    folder = tmp_path / "data"
    (folder / "nccis").mkdir(parents=True)
    (folder / "nccis" / "activity.csv").write_text(NCCIS)
    return folder


@pytest.fixture
def state_home(tmp_path, monkeypatch):
    folder = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(folder))
    return folder


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def _explode(*args, **kwargs):
    raise RuntimeError(f"cell value {SECRET} could not be handled")


def test_an_unexpected_error_is_one_line_exit_70_and_a_private_log(runner, tmp_path, data, key_env, monkeypatch):
    import features

    monkeypatch.setattr(features, "validate_extracts", _explode)
    result = runner.invoke(app, ["validate", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == EXIT_SOFTWARE == 70
    assert "Traceback" not in result.output and SECRET not in result.output
    line = [text for text in result.output.splitlines() if "failed unexpectedly" in text]
    assert line and "'validate' command" in line[0] and "RuntimeError" in line[0]
    logs = list((tmp_path / "out" / "crash-logs").glob("crash-*.log"))
    assert len(logs) == 1 and str(logs[0]) in result.output.replace("\n", "")
    assert _mode(logs[0]) == 0o600 and _mode(logs[0].parent) == 0o700
    assert "Traceback" in logs[0].read_text() and SECRET in logs[0].read_text()


def test_a_crash_without_an_output_folder_logs_under_the_state_folder(runner, tmp_path, key_env, state_home, monkeypatch):
    import training

    monkeypatch.setattr(training, "read_feature_table", _explode)
    result = runner.invoke(app, ["train", "--features", str(tmp_path / "f.parquet")])
    assert result.exit_code == 70 and SECRET not in result.output
    logs = list((state_home / "riskmodel" / "crash-logs").glob("crash-*.log"))
    assert len(logs) == 1 and _mode(logs[0]) == 0o600


def test_an_output_folder_under_a_file_is_a_message(runner, tmp_path, data, key_env):
    (tmp_path / "a-file").write_text("x")
    result = runner.invoke(app, ["validate", "--data", str(data), "--out", str(tmp_path / "a-file" / "out")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "part of it is a file where a folder is needed" in result.output


def test_an_extract_that_is_a_folder_is_a_message(runner, tmp_path, key_env):
    (tmp_path / "data" / "nccis" / "activity.csv").mkdir(parents=True)
    result = runner.invoke(app, ["validate", "--data", str(tmp_path / "data"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "nccis/activity.csv is not a file" in result.output


def test_a_21_digit_activity_code_is_quarantined_not_a_crash(runner, tmp_path, data, key_env):
    (data / "nccis" / "activity.csv").write_text(NCCIS + "N002,,17/05/2008,2024-03,123456789012345678901,\n")
    result = runner.invoke(app, ["validate", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2 rows read, 1 accepted, 1 quarantined" in result.output


def test_the_key_source_is_named_and_the_key_never_shown(runner, tmp_path, data, key_env):
    result = runner.invoke(app, ["validate", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "Pseudonymisation key: from the environment variable RISKMODEL_PSEUDONYM_KEY" in result.output
    assert key_env not in result.output and key_env[:8] not in result.output


def test_the_default_key_file_is_used_only_with_a_notice(runner, tmp_path, data, monkeypatch):
    monkeypatch.delenv("RISKMODEL_PSEUDONYM_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "No pseudonymisation key" in result.output
    key_file = tmp_path / ".pseudonym.key"
    key_file.write_text(STRONG_KEY)
    key_file.chmod(0o600)
    result = runner.invoke(app, ["validate", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "from the default key file ./.pseudonym.key" in result.output


def test_a_shared_key_file_is_refused_unless_allowed(runner, tmp_path, data, monkeypatch):
    monkeypatch.delenv("RISKMODEL_PSEUDONYM_KEY", raising=False)
    key_file = tmp_path / "shared.key"
    key_file.write_text(STRONG_KEY)
    key_file.chmod(0o644)
    command = ["validate", "--data", str(data), "--out", str(tmp_path / "out"), "--key-file", str(key_file)]
    refused = runner.invoke(app, command)
    assert refused.exit_code == 2 and "can be read by other users" in refused.output
    allowed = runner.invoke(app, [*command, "--allow-shared-key-file"])
    assert allowed.exit_code == 0, allowed.output
    assert f"from the key file {key_file} (--key-file)" in allowed.output.replace("\n", "")


@pytest.mark.parametrize("weak", ["00" * 32, "aaaaaaaaaaaaaaaa", "ab" * 32])
def test_a_weak_key_is_refused(runner, tmp_path, data, monkeypatch, weak):
    monkeypatch.setenv("RISKMODEL_PSEUDONYM_KEY", weak)
    result = runner.invoke(app, ["validate", "--data", str(data), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "pseudonymisation key" in result.output
