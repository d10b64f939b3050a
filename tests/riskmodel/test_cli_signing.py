"""The command line and signed models: the key options, and refusals as one paragraph, exit 2."""

from __future__ import annotations

import hashlib
import json
from functools import partial

import pytest
from typer.testing import CliRunner

from riskmodel.cli import app

PSEUDONYM_KEY = hashlib.sha256(b"riskmodel cli test pseudonym key").hexdigest()


@pytest.fixture(scope="module")
def registered(tmp_path_factory, model, X, signing_key):
    """The toy model signed and registered in a private MLflow store; yields the store and its folder."""
    from training import _tracking

    folder = tmp_path_factory.mktemp("store")
    uri = f"sqlite:///{folder / 'mlflow.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        patch.chdir(folder)
        with _tracking.tracked_run("cli-signing"):
            _tracking.log_and_register(model, registered_name="knife-crime-risk",
                                       signature_frame=X.head(0), signing_key=signing_key)
    (signed,) = [p.parent for p in folder.rglob("signature.json")]
    return uri, signed


@pytest.fixture
def env(monkeypatch, registered):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", registered[0])
    monkeypatch.setenv("RISKMODEL_PSEUDONYM_KEY", PSEUDONYM_KEY)


def _score(tmp_path, *extra):
    return CliRunner().invoke(app, ["score", "--data", str(tmp_path / "no-data"), "--as-of", "2025-01-01",
                                    "--out", str(tmp_path / "s"), *extra])


def _refused(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_score_with_a_sound_model_reports_the_absent_data_folder(env, tmp_path):
    result = _score(tmp_path)
    _refused(result, "The data folder")  # the model loaded; then the absent data folder stops the command
    assert "signature" not in result.output


def test_score_refuses_a_tampered_model_in_one_paragraph(env, registered, tmp_path):
    folder = registered[1]
    original = (folder / "signature.json").read_bytes()
    record = json.loads(original)
    record["files"]["model.txt"] = "0" * 64
    (folder / "signature.json").write_text(json.dumps(record))
    try:
        _refused(_score(tmp_path), "signature does not match its contents")
    finally:
        (folder / "signature.json").write_bytes(original)


def test_score_refuses_a_model_signed_with_another_key(env, monkeypatch, tmp_path):
    monkeypatch.setenv("RISKMODEL_SIGNING_KEY", hashlib.sha256(b"another key").hexdigest())
    _refused(_score(tmp_path), "signed with a different signing key")


def test_the_signing_key_file_option_is_read_and_must_be_owner_only(env, monkeypatch, tmp_path, signing_key):
    monkeypatch.delenv("RISKMODEL_SIGNING_KEY")
    _refused(_score(tmp_path), "No model signing key")
    key_file = tmp_path / "signing.key"
    key_file.write_text(signing_key.hex())
    key_file.chmod(0o644)
    _refused(_score(tmp_path, "--signing-key-file", str(key_file)), "can be read by other users")
    key_file.chmod(0o600)
    assert "The data folder" in _score(tmp_path, "--signing-key-file", str(key_file)).output


def test_the_same_key_for_signing_and_pseudonyms_is_refused(env, monkeypatch, tmp_path, signing_key):
    monkeypatch.setenv("RISKMODEL_PSEUDONYM_KEY", signing_key.hex())
    _refused(_score(tmp_path), "same as the pseudonymisation key")


def test_train_needs_a_signing_key_before_it_reads_anything(env, monkeypatch, tmp_path):
    monkeypatch.delenv("RISKMODEL_SIGNING_KEY")
    features = tmp_path / "f.csv"
    features.write_text("person_id,as_of,label\n")
    _refused(CliRunner().invoke(app, ["train", "--features", str(features)]), "No model signing key")


def test_a_model_refused_while_the_extracts_are_read_stops_score_before_it_scores(env, monkeypatch, tmp_path):
    from features import synthesize

    synthesize(tmp_path / "data", n_young_people=300, seed=1)
    monkeypatch.setenv("RISKMODEL_SIGNING_KEY", hashlib.sha256(b"another key").hexdigest())
    monkeypatch.setenv("RISKMODEL_STORE", str(tmp_path / "stores"))
    result = CliRunner().invoke(app, ["score", "--data", str(tmp_path / "data"), "--as-of", "2024-12-31",
                                      "--out", str(tmp_path / "s")])
    _refused(result, "signed with a different signing key")
    assert "Scoring" not in result.output
    assert not (tmp_path / "s" / "scores.csv").exists() and not (tmp_path / "stores").exists()


@pytest.fixture
def refusing(monkeypatch):
    """``registered_model_meanwhile``, with a registry that refuses the model at once."""
    from riskmodel import ModelIntegrityError
    from riskmodel.cli import _commands

    def refused(*arguments):
        raise ModelIntegrityError("refused")

    monkeypatch.setattr(_commands, "_registered_model", refused)
    return partial(_commands.registered_model_meanwhile, "m", None, b"k")


def test_the_refusal_stops_the_reading_at_its_next_step(refusing):
    import time

    from riskmodel import ModelIntegrityError

    taken = []
    with pytest.raises(ModelIntegrityError, match="refused"):
        with refusing(taken.append) as (_, step):
            for number in range(500):
                step(f"step {number}")
                time.sleep(0.01)
    assert len(taken) < 500


def test_a_refused_model_is_the_error_reported_when_the_reading_fails_too(refusing):
    from riskmodel import ModelIntegrityError

    with pytest.raises(ModelIntegrityError, match="refused"):
        with refusing(print):
            raise ValueError("the data folder is absent")


def test_an_interrupt_while_reading_stays_an_interrupt(refusing):
    with pytest.raises(KeyboardInterrupt):
        with refusing(print):
            raise KeyboardInterrupt
