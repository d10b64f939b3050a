"""``riskmodel monitor`` end to end on a small synthetic authority (no real records)."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from riskmodel.cli import app


def _monitor(authority, data, out, monkeypatch, *extra):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", authority["uri"])
    monkeypatch.chdir(authority["folder"])
    return CliRunner().invoke(app, ["monitor", "--data", str(data), "--as-of", authority["as_of"], "--out", str(out),
                                    "--key-file", str(authority["key_file"]), *extra])


def test_the_training_data_itself_raises_no_alert(authority, tmp_path, monkeypatch):
    result = _monitor(authority, authority["folder"] / "data", tmp_path, monkeypatch, "--model", "knife-crime-risk@1")
    assert result.exit_code == 0, result.output
    payload = json.loads((tmp_path / "monitor.json").read_text())
    assert payload["model"]["version"] == 1
    assert not [c for c in payload["checks"] if c["status"] == "alert"]
    assert (tmp_path / "monitor.html").is_file()


def test_a_source_missing_most_recent_rows_is_an_alert_named_in_the_output(authority, tmp_path, monkeypatch):
    import shutil

    data = tmp_path / "data"
    shutil.copytree(authority["folder"] / "data", data)
    activity = pd.read_csv(data / "nccis" / "activity.csv", dtype=str)
    start = (pd.Timestamp(authority["as_of"]) - pd.DateOffset(months=5)).strftime("%Y-%m")
    recent = (activity["Month"] >= start) & (activity["Month"] <= authority["as_of"][:7])
    drop = recent & (pd.Series(range(len(activity))) % 10 != 0)
    activity[~drop].to_csv(data / "nccis" / "activity.csv", index=False)
    result = _monitor(authority, data, tmp_path / "out", monkeypatch)
    assert result.exit_code == 3, result.output
    assert "nccis" in result.output and "alert" in result.output
    payload = json.loads((tmp_path / "out" / "monitor.json").read_text())
    assert any(c["kind"] == "source" and c["name"] == "nccis" for c in payload["checks"])


def test_monitoring_is_logged_against_the_model_version(authority, tmp_path, monkeypatch):
    from training import _tracking

    _monitor(authority, authority["folder"] / "data", tmp_path, monkeypatch)
    with _tracking.quiet_mlflow():
        _tracking.mlflow.set_tracking_uri(authority["uri"])
        runs = _tracking.mlflow.search_runs(experiment_names=["riskmodel-monitoring"], output_format="list")
        version = _tracking.MlflowClient().get_model_version("knife-crime-risk", "1")
    assert runs and runs[0].data.tags["model_version"] == "1"
    assert "riskmodel-monitoring.status" in version.tags


def test_a_bad_as_of_date_is_exit_2_without_a_traceback(authority, tmp_path, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", authority["uri"])
    monkeypatch.chdir(authority["folder"])
    result = CliRunner().invoke(app, ["monitor", "--data", str(authority["folder"] / "data"), "--as-of", "1990-01-01",
                                      "--out", str(tmp_path), "--key-file", str(authority["key_file"])])
    assert result.exit_code == 2
    assert "outside the extracts" in result.output and "Traceback" not in result.output
