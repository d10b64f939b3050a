"""Keyed pseudonyms for every identifier, and the key they are made with.

A pseudonym is the first 16 hex characters of HMAC-SHA256(key, namespace + value):
stable for one key, unlinkable without it, and different for the same value in two
namespaces (a UPN and a youth justice id that happen to be equal never collide).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from pathlib import Path

import numpy as np
import pandas as pd

from ._loaders._errors import DataError
from ._private import write_private_text
from ._text import spread

KEY_ENV = "RISKMODEL_PSEUDONYM_KEY"
MIN_KEY_BYTES = 32
MIN_DISTINCT_BYTES = 8
PSEUDONYM_CHARS = 16
_SEPARATOR = b"\x1f"
# Keys printed in this library's documentation and examples before keys were checked for
# strength; anyone can read them, so a key equal to one of them protects nothing.
_PUBLISHED_KEYS = frozenset({bytes(32), b"k" * 32, b"a" * 32, bytes.fromhex("ab" * 32)})
_KEY_ADVICE = (
    "Make a new random key, e.g. with 'python -c \"import secrets; print(secrets.token_hex(32))\"', "
    "keep it outside the data folder, and use the same key for every run."
)


def load_pseudonym_key(*, key_file=None, create=False, allow_shared_file=False):
    """Return the pseudonymisation key, refusing a weak one.

    The key comes from ``key_file`` when given, else from the environment variable
    ``RISKMODEL_PSEUDONYM_KEY``. Either holds hex (64 characters for 32 bytes) or
    text of at least 32 characters. The key must pass :func:`check_key_strength`.

    Parameters
    ----------
    key_file : path-like, optional
        File holding the key. It must be readable by its owner only (``chmod 600``).
    create : bool, default=False
        If ``key_file`` does not exist, create it with a new random 32-byte key,
        readable by its owner only (``0o600``).
    allow_shared_file : bool, default=False
        Accept a key file that group members or other users can read.

    Returns
    -------
    bytes

    Raises
    ------
    DataError
        If no key is configured, the key file is missing (and ``create`` is false) or
        readable by others (and ``allow_shared_file`` is false), or the key is weak.

    Examples
    --------
    >>> import os, secrets
    >>> os.environ["RISKMODEL_PSEUDONYM_KEY"] = secrets.token_hex(32)
    >>> len(load_pseudonym_key())
    32
    """
    if key_file is not None:
        return _key_from_file(Path(key_file), create=create, allow_shared=allow_shared_file)
    value = os.environ.get(KEY_ENV, "").strip()
    if not value:
        raise DataError(
            f"No pseudonymisation key: set the environment variable {KEY_ENV} (64 hex "
            f"characters, or text of at least {MIN_KEY_BYTES} characters) or pass a key file. "
            "Keep the same key for every run, or people will not match across runs."
        )
    return _decode_key(value, where=f"the environment variable {KEY_ENV}")


def check_key_strength(key, *, where="the key"):
    """Refuse a pseudonymisation key that could be guessed.

    With a guessable key, structured identifiers such as UPNs can be recovered from
    their pseudonyms by enumeration, so a key must be at least 32 bytes, use at least
    8 distinct byte values, not repeat a shorter pattern, and not be a key printed in
    this library's documentation.

    Parameters
    ----------
    key : bytes
        The key.
    where : str, default="the key"
        Where the key came from, for the message (never the key itself).

    Raises
    ------
    DataError
        If the key is weak; the message says which rule it breaks.

    Examples
    --------
    >>> import secrets
    >>> check_key_strength(secrets.token_bytes(32))
    >>> check_key_strength(b"ab" * 16)
    Traceback (most recent call last):
    ...
    features._loaders._errors.DataError: The pseudonymisation key in the key uses fewer than 8 ...
    """
    problem = key_weakness(bytes(key))
    if problem:
        raise DataError(f"The pseudonymisation key in {where} {problem}. {_KEY_ADVICE}")


def key_weakness(key: bytes) -> str | None:
    """Why ``key`` could be guessed, as the end of a sentence, or None for a strong key.

    The one rule for every secret key of the library (pseudonymisation and model signing):
    at least 32 bytes, at least 8 distinct byte values, no shorter pattern repeated, and
    not a key printed in this library's documentation.

    Examples
    --------
    >>> key_weakness(bytes([1, 2]) * 16)
    'uses fewer than 8 distinct byte values, so it is easy to guess'
    >>> key_weakness(bytes(range(32))) is None
    True
    """
    if len(key) < MIN_KEY_BYTES:
        return (f"is too short: use at least {MIN_KEY_BYTES} bytes ({2 * MIN_KEY_BYTES} hex "
                f"characters or {MIN_KEY_BYTES} characters of text)")
    if key in _PUBLISHED_KEYS:
        return "is an example key printed in this library's documentation, so anyone can know it"
    if len(set(key)) < MIN_DISTINCT_BYTES:
        return (f"uses fewer than {MIN_DISTINCT_BYTES} distinct byte values, so it is easy to "
                "guess")
    if _period(key) < len(key):
        return "repeats a shorter pattern, so it is easy to guess"
    return None


def _period(key):
    """The length of the shortest block whose repetition makes ``key``."""
    for size in range(1, len(key) // 2 + 1):
        if len(key) % size == 0 and key == key[:size] * (len(key) // size):
            return size
    return len(key)


def _key_from_file(path, *, create, allow_shared):
    if path.is_dir():
        raise DataError(f"The pseudonymisation key file {path} is a folder; give the path of the key file.")
    if not path.exists():
        if not create:
            raise DataError(
                f"The pseudonymisation key file {path} does not exist. Give the path of "
                f"the authority's key file, or set {KEY_ENV}."
            )
        write_private_text(path, secrets.token_hex(MIN_KEY_BYTES) + "\n")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO) and not allow_shared:
        raise DataError(
            f"The pseudonymisation key file {path} can be read by other users. Restrict it "
            "with 'chmod 600', or pass --allow-shared-key-file if sharing it is intended."
        )
    return _decode_key(path.read_text(encoding="utf-8").strip(), where=f"the key file {path}")


def _decode_key(text, *, where):
    key = text.encode("utf-8")
    if len(text) % 2 == 0 and len(text) >= 2 * MIN_KEY_BYTES:  # long enough for hex
        try:
            key = bytes.fromhex(text)
        except ValueError:
            pass
    check_key_strength(key, where=where)
    return key


def clean_ids(values) -> pd.Series:
    """Identifiers as text with surrounding spaces removed; missing stays missing."""
    values = pd.Series(values)
    return values.astype("str").str.strip().mask(values.isna())


class Pseudonymiser:
    """Replace identifiers by keyed pseudonyms.

    Parameters
    ----------
    key : bytes
        The secret key, at least 32 bytes and not guessable (see
        :func:`check_key_strength` and :func:`load_pseudonym_key`).

    Raises
    ------
    DataError
        If the key is weak.

    Examples
    --------
    >>> import secrets
    >>> p = Pseudonymiser(secrets.token_bytes(32))
    >>> out = p.pseudonymise(pd.Series(["A1", None, "A1"]), "upn")
    >>> bool(out[0] == out[2]), len(out[0]), bool(out.isna()[1])
    (True, 16, True)
    """

    def __init__(self, key):
        if not isinstance(key, (bytes, bytearray)):
            raise TypeError("The pseudonymisation key must be bytes (see load_pseudonym_key).")
        check_key_strength(key, where="the key given to Pseudonymiser")
        self._inner, self._outer = _hmac_states(bytes(key))
        self._cache = {}

    def __repr__(self):
        return "Pseudonymiser(key=<hidden>)"

    def pseudonymise(self, values, namespace):
        """Return the pseudonym of each value; missing values stay missing.

        Each distinct value is hashed once, so millions of rows with thousands of
        distinct identifiers cost little.

        Parameters
        ----------
        values : pandas.Series
            Identifiers (converted to text, surrounding spaces removed).
        namespace : str
            What kind of identifier this is, e.g. ``"upn"`` or ``"person"``.

        Returns
        -------
        pandas.Series of str
            16 lower-case hex characters per value, same index.
        """
        codes, uniques = pd.factorize(clean_ids(values))
        texts = uniques.tolist()
        cache = self._cache.setdefault(namespace, {})
        prefix = namespace.encode("utf-8") + _SEPARATOR
        for text in (text for text in texts if text not in cache):
            cache[text] = self._one(prefix + text.encode("utf-8"))
        return spread(map(cache.__getitem__, texts), codes, values.index)

    def _one(self, message):
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:PSEUDONYM_CHARS]


def _hmac_states(key):
    """SHA-256 states after the inner and outer padded keys of HMAC (RFC 2104, section 2).

    Continuing copies of these two states is HMAC-SHA256 itself, as :mod:`hmac` computes
    it, without building an HMAC object per identifier (a test checks the two agree).
    """
    block = hashlib.sha256().block_size
    key = hashlib.sha256(key).digest() if len(key) > block else key
    key = key.ljust(block, b"\x00")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))
    return inner, outer
