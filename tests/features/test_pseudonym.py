"""Keyed pseudonyms and the pseudonymisation key."""

from __future__ import annotations

import hashlib
import hmac
import stat

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import features
from features import DataError, Pseudonymiser, load_pseudonym_key

# Strong fixture keys: SHA-256 of a label, so they are fixed but not guessable patterns.
KEY_A, KEY_B = hashlib.sha256(b"fixture key A").digest(), hashlib.sha256(b"fixture key B").digest()
PASSPHRASE = "correct horse battery staple, with a long tail"


def test_pseudonyms_are_stable_for_a_key():
    ids = pd.Series(["C001", "C002", "C001"])
    first = Pseudonymiser(KEY_A).pseudonymise(ids, "la")
    again = Pseudonymiser(KEY_A).pseudonymise(ids, "la")
    assert first.tolist() == again.tolist()
    assert first[0] == first[2] != first[1]
    assert first.str.fullmatch(r"[0-9a-f]{16}").all()


@settings(max_examples=60, deadline=None)
@given(key_size=st.sampled_from([32, 63, 64, 65, 200]), seed=st.binary(min_size=1, max_size=8),
       ids=st.lists(st.text(min_size=1, max_size=12).filter(str.strip), min_size=1, max_size=20))
def test_a_pseudonym_is_the_first_16_hex_characters_of_hmac_sha256(key_size, seed, ids):
    key = hashlib.shake_256(seed).digest(key_size)
    out = Pseudonymiser(key).pseudonymise(pd.Series(ids), "upn")
    expected = [hmac.new(key, b"upn\x1f" + i.strip().encode(), hashlib.sha256).hexdigest()[:16] for i in ids]
    assert out.tolist() == expected


def test_pseudonyms_differ_across_keys_and_namespaces():
    ids = pd.Series(["C001"])
    a = Pseudonymiser(KEY_A).pseudonymise(ids, "la")[0]
    assert a != Pseudonymiser(KEY_B).pseudonymise(ids, "la")[0]
    assert a != Pseudonymiser(KEY_A).pseudonymise(ids, "upn")[0]


def test_missing_stays_missing_and_index_is_kept():
    ids = pd.Series(["X", None], index=[10, 20])
    out = Pseudonymiser(KEY_A).pseudonymise(ids, "la")
    assert out.index.tolist() == [10, 20]
    assert out.isna().tolist() == [False, True]
    assert Pseudonymiser(KEY_A).pseudonymise(pd.Series([], dtype="str"), "la").empty


def test_surrounding_spaces_do_not_change_the_pseudonym():
    out = Pseudonymiser(KEY_A).pseudonymise(pd.Series([" C001", "C001 "]), "la")
    assert out[0] == out[1]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12).filter(str.strip), min_size=1, max_size=30, unique_by=str.strip))
def test_distinct_ids_get_distinct_pseudonyms(ids):
    out = Pseudonymiser(KEY_A).pseudonymise(pd.Series(ids), "la")
    assert out.nunique() == len(ids)


def test_the_key_is_never_shown():
    text = repr(Pseudonymiser(KEY_A))
    assert KEY_A.hex()[:8] not in text and "hidden" in text


WEAK_KEYS = [
    (b"short", "too short"),
    (b"k" * 31, "too short"),
    (bytes(32), "example key printed in this library's documentation"),
    (b"k" * 32, "example key printed"),
    (b"\x07" * 40, "fewer than 8 distinct byte values"),
    (b"aaaaaaaaaaaaaaaaaaaaaaaabbbbbbbbbbbbbbbb", "fewer than 8 distinct byte values"),
    (b"0123456789" * 4, "repeats a shorter pattern"),
    (b"abcdefgh" * 5, "repeats a shorter pattern"),
]


@pytest.mark.parametrize(("key", "reason"), WEAK_KEYS)
def test_weak_keys_are_refused(key, reason):
    with pytest.raises(DataError, match=reason):
        Pseudonymiser(key)
    with pytest.raises(DataError, match=reason):
        features.check_key_strength(key)


@pytest.mark.parametrize("value", ["00" * 32, "a" * 16, "aaaaaaaaaaaaaaaa" * 2, "ab" * 32])
def test_weak_keys_in_the_environment_are_refused(monkeypatch, value):
    monkeypatch.setenv("RISKMODEL_PSEUDONYM_KEY", value)
    with pytest.raises(DataError, match="environment variable RISKMODEL_PSEUDONYM_KEY"):
        load_pseudonym_key()


def test_a_weak_key_message_never_quotes_the_key(monkeypatch):
    value = "Zq" * 20
    monkeypatch.setenv("RISKMODEL_PSEUDONYM_KEY", value)
    with pytest.raises(DataError) as caught:
        load_pseudonym_key()
    assert "Zq" not in str(caught.value)


@given(st.binary(min_size=32, max_size=64))
@settings(max_examples=200)
def test_random_keys_pass_and_the_checks_agree_with_their_rules(key):
    distinct, period = len(set(key)), next(
        (n for n in range(1, len(key) // 2 + 1) if len(key) % n == 0 and key == key[:n] * (len(key) // n)), None)
    weak = distinct < 8 or period is not None or key in (bytes(32), b"k" * 32, b"a" * 32)
    if weak:
        with pytest.raises(DataError):
            features.check_key_strength(key)
    else:
        features.check_key_strength(key)


@pytest.mark.parametrize(("value", "expected"), [(KEY_A.hex(), KEY_A), (PASSPHRASE, PASSPHRASE.encode())])
def test_key_from_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("RISKMODEL_PSEUDONYM_KEY", value)
    assert load_pseudonym_key() == expected


def test_no_key_configured_is_a_data_error(monkeypatch):
    monkeypatch.delenv("RISKMODEL_PSEUDONYM_KEY", raising=False)
    with pytest.raises(DataError, match="RISKMODEL_PSEUDONYM_KEY"):
        load_pseudonym_key()


def test_too_short_a_key_is_a_data_error(monkeypatch):
    monkeypatch.setenv("RISKMODEL_PSEUDONYM_KEY", "short")
    with pytest.raises(DataError, match="too short"):
        load_pseudonym_key()


def test_created_key_file_is_private_and_reused(tmp_path):
    path = tmp_path / "keys" / "pseudonym.key"
    key = load_pseudonym_key(key_file=path, create=True)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_pseudonym_key(key_file=path, create=True) == key
    assert load_pseudonym_key(key_file=path) == key


def test_missing_key_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_pseudonym_key(key_file=tmp_path / "absent.key")


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660])
def test_a_key_file_readable_by_others_is_refused_unless_allowed(tmp_path, mode):
    path = tmp_path / "pseudonym.key"
    path.write_text(KEY_B.hex())
    path.chmod(mode)
    with pytest.raises(DataError, match=r"can be read by other users.*chmod 600.*--allow-shared-key-file"):
        load_pseudonym_key(key_file=path)
    assert load_pseudonym_key(key_file=path, allow_shared_file=True) == KEY_B


def test_a_weak_key_in_a_file_is_refused(tmp_path):
    path = tmp_path / "pseudonym.key"
    path.write_text("00" * 32)
    path.chmod(0o600)
    with pytest.raises(DataError, match=r"key file .*pseudonym.key is an example key"):
        load_pseudonym_key(key_file=path)


def test_a_key_file_that_is_a_folder_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="is a folder"):
        load_pseudonym_key(key_file=tmp_path)


def test_public_names():
    for name in ("Pseudonymiser", "load_pseudonym_key", "check_key_strength"):
        assert name in features.__all__


def test_a_text_key_made_only_of_hex_letters_is_read_as_text(tmp_path):
    path = tmp_path / "key"
    path.write_text("0123456789abcdef0123456789fedcba")
    path.chmod(0o600)
    assert load_pseudonym_key(key_file=path) == b"0123456789abcdef0123456789fedcba"
