"""Signed model folders and the signing key: every refusal, and the attacks they answer."""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pytest

from riskmodel import (
    ModelIntegrityError,
    RiskModel,
    SigningKeyError,
    check_key_strength,
    load_signing_key,
    sign_model_folder,
    verify_model_folder,
)
from riskmodel import _model

OTHER_KEY = hashlib.sha256(b"another authority's signing key").digest()


@pytest.fixture
def folder(model, tmp_path):
    return model.save(tmp_path / "m")


def _signature(folder) -> dict:
    return json.loads((folder / "signature.json").read_text())


# --- the key ----------------------------------------------------------------------------


def test_key_comes_from_the_environment(signing_key):
    assert load_signing_key() == signing_key


def test_key_comes_from_an_owner_only_file(tmp_path, signing_key):
    path = tmp_path / "signing.key"
    path.write_text(signing_key.hex() + "\n")
    path.chmod(0o600)
    assert load_signing_key(key_file=path) == signing_key


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o644])
def test_a_key_file_readable_by_others_is_refused(tmp_path, signing_key, mode):
    path = tmp_path / "signing.key"
    path.write_text(signing_key.hex())
    path.chmod(mode)
    with pytest.raises(SigningKeyError, match="can be read by other users; restrict it with 'chmod 600'"):
        load_signing_key(key_file=path)


def test_a_missing_key_or_key_file_is_explained(tmp_path, monkeypatch):
    monkeypatch.delenv("RISKMODEL_SIGNING_KEY")
    with pytest.raises(SigningKeyError, match="No model signing key: set the environment variable"):
        load_signing_key()
    with pytest.raises(SigningKeyError, match="does not exist"):
        load_signing_key(key_file=tmp_path / "absent.key")


@pytest.mark.parametrize("text, message", [
    ("not hex at all, but long enough to be a key of some kind..........", "not hexadecimal"),
    ("ab" * 16, "too short: use at least 32 bytes"),
    ("00" * 32, "example key printed in this library's documentation"),
    ("61" * 32, "example key printed|fewer than 8 distinct byte values"),  # 'aaaa...' as bytes
    ("0123456789abcdeffedcba9876543210" * 2, "repeats a shorter pattern"),  # a 16-byte block repeated
    ("00" * 16 + "01" * 8 + "02" * 8, "fewer than 8 distinct byte values"),  # three distinct bytes
])
def test_weak_or_malformed_keys_are_refused(monkeypatch, text, message):
    monkeypatch.setenv("RISKMODEL_SIGNING_KEY", text)
    with pytest.raises(SigningKeyError, match=message):
        load_signing_key()


def test_the_refusal_never_quotes_the_key(monkeypatch):
    monkeypatch.setenv("RISKMODEL_SIGNING_KEY", "0123456789abcdef" * 4)
    with pytest.raises(SigningKeyError) as error:
        load_signing_key()
    assert "0123456789abcdef" not in str(error.value)


def test_a_random_key_is_accepted():
    check_key_strength(os.urandom(32))


def test_the_signing_key_must_differ_from_the_pseudonym_key(signing_key):
    with pytest.raises(SigningKeyError, match="same as the pseudonymisation key"):
        load_signing_key(pseudonym_key=signing_key)
    assert load_signing_key(pseudonym_key=OTHER_KEY) == signing_key


def test_saving_with_a_weak_key_is_refused(model, tmp_path):
    with pytest.raises(SigningKeyError, match="fewer than 8 distinct byte values"):
        model.save(tmp_path / "m", signing_key=bytes([1, 2]) * 16)


# --- signing and verifying --------------------------------------------------------------


def test_a_signed_folder_verifies_and_load_keeps_the_signature(model, folder, signing_key):
    signed = verify_model_folder(folder, signing_key)
    record = _signature(folder)
    assert set(signed.files) == {"model.txt", "trees.json", "metadata.json", "training_probabilities.npy"}
    assert signed.signature == record["signature"] == model.signature
    assert RiskModel.load(folder).signature == model.signature


def test_every_file_in_the_folder_is_signed_whatever_its_name(model, tmp_path, signing_key):
    folder = tmp_path / "m"
    (folder / "monitoring").mkdir(parents=True)
    (folder / "monitoring" / "reference_bins.json").write_text("{}")
    model.save(folder)
    assert "monitoring/reference_bins.json" in _signature(folder)["files"]
    RiskModel.load(folder)
    (folder / "monitoring" / "reference_bins.json").write_text('{"changed": true}')
    with pytest.raises(ModelIntegrityError, match="changed after signing: 'monitoring/reference_bins.json'"):
        RiskModel.load(folder)


def test_a_folder_with_no_signature_is_refused(folder):
    (folder / "signature.json").unlink()
    (folder / "checksums.json").write_text("{}")  # the unkeyed format of earlier versions
    with pytest.raises(ModelIntegrityError, match="is not signed \\(it has no signature.json\\)"):
        RiskModel.load(folder)


def test_a_folder_signed_with_another_key_is_refused(folder):
    sign_model_folder(folder, OTHER_KEY)
    with pytest.raises(ModelIntegrityError, match="signed with a different signing key"):
        RiskModel.load(folder)


def test_loading_with_another_key_is_refused(folder):
    with pytest.raises(ModelIntegrityError, match="signed with a different signing key"):
        RiskModel.load(folder, signing_key=OTHER_KEY)


def test_editing_model_txt_and_recomputing_its_checksum_is_refused(folder):
    """The reviewed attack: change the booster, then make the manifest agree with it."""
    text = (folder / "model.txt").read_text()
    (folder / "model.txt").write_text(text.replace("leaf_value=", "leaf_value=9", 1))
    record = _signature(folder)
    record["files"]["model.txt"] = hashlib.sha256((folder / "model.txt").read_bytes()).hexdigest()
    (folder / "signature.json").write_text(json.dumps(record))
    with pytest.raises(ModelIntegrityError, match="signature does not match its contents"):
        RiskModel.load(folder)


def test_an_altered_booster_never_reaches_lightgbm(folder, monkeypatch):
    parsed = []
    import lightgbm

    monkeypatch.setattr(lightgbm, "Booster", lambda **kwargs: parsed.append(kwargs))
    (folder / "model.txt").write_text("not a LightGBM model at all")
    with pytest.raises(ModelIntegrityError, match="changed after signing: 'model.txt'"):
        RiskModel.load(folder)
    assert parsed == []


@pytest.mark.parametrize("change, message", [
    (lambda f: (f / "extra.txt").write_text("x"), "added after signing: 'extra.txt'"),
    (lambda f: (f / "sub").mkdir() or (f / "sub" / "x.py").write_text("x"), "added after signing: 'sub/x.py'"),
    (lambda f: (f / "training_probabilities.npy").unlink(), "missing signed file.*'training_probabilities.npy'"),
    (lambda f: (f / "metadata.json").write_text("{}"), "changed after signing: 'metadata.json'"),
    (lambda f: (f / "link").symlink_to(f / "model.txt"), "'link', which is a link"),
])
def test_a_file_added_removed_changed_or_linked_is_refused(folder, change, message):
    change(folder)
    with pytest.raises(ModelIntegrityError, match=message):
        RiskModel.load(folder)


def _valid(folder) -> dict:
    return _signature(folder)


@pytest.mark.parametrize("content", [
    "[]", "{}", "not json", "", "null", '"a string"', b"\xff\xfe{}", "[" * 100_000,
    lambda r: {**r, "files": {}},
    lambda r: {**r, "files": []},
    lambda r: {**r, "files": {"../outside.txt": "0" * 64}},
    lambda r: {**r, "files": {"/etc/passwd": "0" * 64}},
    lambda r: {**r, "files": {**r["files"], "model.txt": "ZZ"}},
    lambda r: {**r, "signature": r["signature"][:10]},
    lambda r: {**r, "signature": 7},
    lambda r: {**r, "algorithm": "MD5"},
    lambda r: {**r, "format": "riskmodel-signed-folder/0"},
    lambda r: {**r, "extra": 1},
    lambda r: {k: v for k, v in r.items() if k != "key_id"},
])
def test_a_malformed_manifest_is_refused_without_a_traceback(folder, content):
    if callable(content):
        content = json.dumps(content(_valid(folder)))
    (folder / "signature.json").write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(ModelIntegrityError, match="has a malformed signature.json"):
        RiskModel.load(folder)


def test_a_file_changed_between_verifying_and_reading_is_refused(folder, signing_key):
    signed = verify_model_folder(folder, signing_key)
    (folder / "metadata.json").write_text("{}")
    with pytest.raises(ModelIntegrityError, match="'metadata.json' that changed after it was signed"):
        signed.read("metadata.json")


def test_a_folder_that_is_not_there_is_refused(tmp_path, signing_key):
    with pytest.raises(ModelIntegrityError, match="does not exist or is not a folder"):
        verify_model_folder(tmp_path / "absent", signing_key)


def test_signing_again_after_adding_a_file_restores_a_loadable_model(model, folder, signing_key, X):
    (folder / "notes.md").write_text("added by a later step")
    sign_model_folder(folder, signing_key)
    np.testing.assert_array_equal(RiskModel.load(folder).predict_proba(X), model.predict_proba(X))
