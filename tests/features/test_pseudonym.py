"""Keyed pseudonyms and the pseudonymisation key."""

from __future__ import annotations

import stat

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import features
from features import DataError, Pseudonymiser, load_pseudonym_key

KEY_A, KEY_B = b"a" * 32, b"b" * 32


def test_pseudonyms_are_stable_for_a_key():
    ids = pd.Series(["C001", "C002", "C001"])
    first = Pseudonymiser(KEY_A).pseudonymise(ids, "la")
    again = Pseudonymiser(KEY_A).pseudonymise(ids, "la")
    assert first.tolist() == again.tolist()
    assert first[0] == first[2] != first[1]
    assert first.str.fullmatch(r"[0-9a-f]{16}").all()


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
    assert "a" * 16 not in repr(Pseudonymiser(KEY_A))


def test_a_short_key_is_refused():
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Pseudonymiser(b"short")


@pytest.mark.parametrize(("value", "expected"), [("ab" * 32, bytes.fromhex("ab" * 32)),
                                                  ("a long enough passphrase", b"a long enough passphrase")])
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


def test_a_readable_key_file_warns(tmp_path):
    path = tmp_path / "pseudonym.key"
    path.write_text("cd" * 32)
    path.chmod(0o644)
    with pytest.warns(UserWarning, match="chmod 600"):
        assert load_pseudonym_key(key_file=path) == bytes.fromhex("cd" * 32)


def test_public_names():
    for name in ("Pseudonymiser", "load_pseudonym_key"):
        assert name in features.__all__


def test_a_text_key_made_only_of_hex_letters_is_read_as_text(tmp_path):
    path = tmp_path / "key"
    path.write_text("0123456789abcdef0123")
    path.chmod(0o600)
    assert load_pseudonym_key(key_file=path) == b"0123456789abcdef0123"
