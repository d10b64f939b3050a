"""The --scheduler options of features, train, score and explain."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from riskmodel.cli import _dask, app


@pytest.fixture
def runner():
    return CliRunner()


@pytest.mark.parametrize("command", ["features", "train", "score", "explain"])
def test_each_distributed_command_offers_the_scheduler_options(runner, command):
    result = runner.invoke(app, [command, "--help"], terminal_width=200)
    for option in ("--scheduler", "--workers", "--memory-per-worker"):
        assert option in result.output, option


@pytest.mark.parametrize(("options", "message"), [
    (["--scheduler", "http://scheduler:8786"], "must be 'local' or a scheduler address"),
    (["--scheduler", "local", "--memory-per-worker", "lots"], "must be an amount such as 4GB"),
])
def test_a_bad_scheduler_option_is_a_message_not_a_traceback(runner, tmp_path, key_env, options, message):
    result = runner.invoke(app, ["features", "--data", str(tmp_path), "--as-of", "2024-03-31",
                                 "--out", str(tmp_path / "f.parquet"), *options])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert message in " ".join(result.output.split())


def test_a_scheduler_that_does_not_answer_is_a_message(runner, tmp_path, key_env, monkeypatch):
    monkeypatch.setattr(_dask, "CONNECT_TIMEOUT", 1)
    result = runner.invoke(app, ["features", "--data", str(tmp_path), "--as-of", "2024-03-31",
                                 "--out", str(tmp_path / "f.parquet"), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "No Dask scheduler answered at 'tcp://127.0.0.1:9'" in " ".join(result.output.split())


def test_features_on_a_local_cluster_equal_features_in_one_process(runner, tmp_path, key_env):
    data = tmp_path / "data"
    assert runner.invoke(app, ["synth", "--out", str(data), "--young-people", "300", "--seed", "4"]).exit_code == 0
    outputs = {}
    for name, extra in (("one", []), ("local", ["--scheduler", "local", "--workers", "2", "--memory-per-worker", "1GB"])):
        target = tmp_path / f"{name}.parquet"
        result = runner.invoke(app, ["features", "--data", str(data), "--as-of", "2023-03-31", "--as-of",
                                     "2024-03-31", "--out", str(target), *extra])
        assert result.exit_code == 0, result.output
        outputs[name] = (pd.read_parquet(target), pd.read_parquet(tmp_path / f"{name}_groups.parquet"))
    pd.testing.assert_frame_equal(outputs["local"][0], outputs["one"][0])
    pd.testing.assert_frame_equal(outputs["local"][1], outputs["one"][1])


@pytest.mark.parametrize(("failure", "message"), [
    ("killed", "A Dask worker died while working"),
    ("closed", "The connection to the Dask scheduler at 'tcp://127.0.0.1:8786' was lost"),
])
def test_a_cluster_failure_during_the_work_becomes_a_message(monkeypatch, failure, message):
    import contextlib

    from distributed import KilledWorker
    from distributed.comm import CommClosedError

    monkeypatch.setattr(_dask, "_client", lambda *args: contextlib.nullcontext("client"))
    error = KilledWorker("task", "worker", 3) if failure == "killed" else CommClosedError("closed")
    with pytest.raises(ValueError, match=message):
        with _dask.dask_client("tcp://127.0.0.1:8786"):
            raise error
