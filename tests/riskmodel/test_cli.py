"""The command-line contract: help on every command, messages not tracebacks on bad input."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from riskmodel.cli import app

COMMANDS = ["synth", "validate", "features", "train", "score", "explain", "audit", "demo"]


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(runner, command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_features_list_prints_the_registry(runner):
    result = runner.invoke(app, ["features", "--list"])
    assert result.exit_code == 0
    assert "Feature registry" in result.output


def test_missing_data_folder_is_a_message_not_a_traceback(runner, tmp_path, key_env):
    result = runner.invoke(app, ["validate", "--data", str(tmp_path / "absent"), "--out", str(tmp_path / "v")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "cannot continue" in result.output


def test_features_without_dates_says_what_is_needed(runner, tmp_path):
    result = runner.invoke(app, ["features", "--data", str(tmp_path), "--out", str(tmp_path / "f.parquet")])
    assert result.exit_code == 2
    assert "--as-of" in result.output


@pytest.mark.parametrize("model", ["knife-crime-risk/latest", "knife-crime-risk/1.5"])
def test_model_version_must_be_a_whole_number(runner, tmp_path, key_env, model):
    result = runner.invoke(app, ["score", "--data", str(tmp_path), "--as-of", "2025-01-01",
                                 "--out", str(tmp_path / "s"), "--model", model])
    assert result.exit_code == 2
    assert "whole-number version" in result.output


def _audit_on(runner, tmp_path, table, *, label):
    table.to_csv(tmp_path / "scores.csv", index=False)
    return runner.invoke(app, ["audit", "--scores", str(tmp_path / "scores.csv"), "--label", label,
                               "--score", "p", "--threshold", "0.5", "--group", "sex",
                               "--out", str(tmp_path / "audit")])


def test_audit_with_unknown_column_is_a_message(runner, tmp_path):
    table = pd.DataFrame({"y": [0, 1] * 20, "p": [0.1, 0.9] * 20, "sex": ["F", "M"] * 20})
    result = _audit_on(runner, tmp_path, table, label="outcome")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "'outcome' named by the 'label' option is not in the scores" in result.output


def test_audit_reference_must_be_column_equals_value(runner, tmp_path):
    result = runner.invoke(app, ["audit", "--scores", str(tmp_path / "s.csv"), "--label", "y",
                                 "--score", "p", "--threshold", "0.5", "--group", "sex",
                                 "--reference", "sex", "--out", str(tmp_path / "audit")])
    assert result.exit_code == 2
    assert "COLUMN=VALUE" in result.output


def test_audit_writes_report_and_json(runner, tmp_path):
    n = 400
    table = pd.DataFrame({
        "y": ([1] + [0] * 9) * (n // 10),
        "p": [i / n for i in range(n)],
        "sex": ["F", "M"] * (n // 2),
    })
    table.to_csv(tmp_path / "scores.csv", index=False)
    result = runner.invoke(app, ["audit", "--scores", str(tmp_path / "scores.csv"), "--label", "y",
                                 "--score", "p", "--top-k", "40", "--group", "sex", "--n-boot", "50",
                                 "--out", str(tmp_path / "audit")])
    assert result.exit_code == 0, result.output
    audit = json.loads((tmp_path / "audit" / "audit.json").read_text())
    assert {g["value"] for g in audit["groups"]} == {"F", "M"}
    assert (tmp_path / "audit" / "report.html").exists()


def test_synth_then_validate_accepts_every_row(runner, tmp_path, key_env):
    data = tmp_path / "data"
    assert runner.invoke(app, ["synth", "--out", str(data), "--young-people", "300", "--seed", "3"]).exit_code == 0
    result = runner.invoke(app, ["validate", "--data", str(data), "--out", str(tmp_path / "v")])
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "v" / "validation.json").read_text())
    assert sum(t["rows_quarantined"] for t in report["tables"]) == 0


def test_audit_names_the_label_column_that_is_not_binary(runner, tmp_path):
    table = pd.DataFrame({"outcome": [0, 2] * 20, "p": [0.1, 0.9] * 20, "sex": ["F", "M"] * 20})
    result = _audit_on(runner, tmp_path, table, label="outcome")
    assert result.exit_code == 2
    assert "'outcome' values must be binary" in result.output


def test_score_format_must_be_csv_or_parquet(runner, tmp_path, key_env):
    result = runner.invoke(app, ["score", "--data", str(tmp_path), "--as-of", "2025-01-01",
                                 "--out", str(tmp_path / "s"), "--format", "xlsx"])
    assert result.exit_code == 2
    assert "'csv' or 'parquet'" in result.output


def test_a_message_from_another_library_is_withheld(capsys):
    import typer

    from riskmodel.cli._app import reported_errors

    with pytest.raises(typer.Exit), reported_errors():
        pd.Series(["SECRET-VALUE-123"]).astype(float)
    shown = capsys.readouterr().err
    assert "SECRET-VALUE-123" not in shown
    assert "details are withheld" in shown


def test_the_librarys_own_message_is_shown(capsys):
    import typer

    from riskmodel.cli._app import parse_model, reported_errors

    with pytest.raises(typer.Exit), reported_errors():
        parse_model("knife-crime-risk/x")
    assert "whole-number version" in capsys.readouterr().err


def test_features_takes_a_label_name_or_name_and_version(runner, tmp_path, key_env):
    from features import synthesize

    synthesize(tmp_path / "data", n_young_people=1000, seed=4)
    for label, version in (("knife_involvement", "2"), ("knife_involvement/1", "1")):
        out = tmp_path / f"f{version}.parquet"
        result = runner.invoke(app, ["features", "--data", str(tmp_path / "data"), "--as-of", "2022-03-31",
                                     "--out", str(out), "--label", label])
        assert result.exit_code == 0, result.output
        report = json.loads((tmp_path / f"f{version}_label_report.json").read_text())
        assert (report["label"], report["version"]) == ("knife_involvement", version)
        assert f"version {version}" in result.output and "Label report" in result.output
    assert "superseded by version 2" in result.output


def test_an_unknown_label_lists_the_choices(runner, tmp_path, key_env):
    result = runner.invoke(app, ["features", "--data", str(tmp_path), "--as-of", "2022-03-31",
                                 "--out", str(tmp_path / "f.parquet"), "--label", "knives"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "knife_involvement/1" in result.output and "knife_or_offensive_weapon" in result.output
