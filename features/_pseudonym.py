"""Keyed pseudonyms for every identifier, and the key they are made with.

A pseudonym is the first 16 hex characters of HMAC-SHA256(key, namespace + value):
stable for one key, unlinkable without it, and different for the same value in two
namespaces (a UPN and a youth justice id that happen to be equal never collide).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ._loaders._errors import DataError

KEY_ENV = "RISKMODEL_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16
PSEUDONYM_CHARS = 16
_SEPARATOR = b"\x1f"


def load_pseudonym_key(*, key_file=None, create=False):
    """Return the pseudonymisation key.

    The key comes from ``key_file`` when given, else from the environment variable
    ``RISKMODEL_PSEUDONYM_KEY``. Either holds hex (64 characters for 32 bytes) or
    text of at least 16 characters.

    Parameters
    ----------
    key_file : path-like, optional
        File holding the key.
    create : bool, default=False
        If ``key_file`` does not exist, create it with a new random 32-byte key,
        readable by its owner only (``0o600``).

    Returns
    -------
    bytes

    Raises
    ------
    DataError
        If no key is configured, the key file is missing (and ``create`` is false),
        or the key is shorter than 16 bytes.

    Examples
    --------
    >>> import os
    >>> os.environ["RISKMODEL_PSEUDONYM_KEY"] = "00" * 32
    >>> len(load_pseudonym_key())
    32
    """
    if key_file is not None:
        return _key_from_file(Path(key_file), create=create)
    value = os.environ.get(KEY_ENV, "").strip()
    if not value:
        raise DataError(
            f"No pseudonymisation key: set the environment variable {KEY_ENV} (64 hex "
            "characters, or text of at least 16 characters) or pass a key file. Keep the "
            "same key for every run, or people will not match across runs."
        )
    return _decode_key(value, where=f"the environment variable {KEY_ENV}")


def _key_from_file(path, *, create):
    if not path.exists():
        if not create:
            raise DataError(
                f"The pseudonymisation key file {path} does not exist. Give the path of "
                f"the authority's key file, or set {KEY_ENV}."
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        warnings.warn(
            f"The pseudonymisation key file {path} is readable by other users; "
            "restrict it with 'chmod 600'.", stacklevel=3,
        )
    return _decode_key(path.read_text(encoding="utf-8").strip(), where=f"the key file {path}")


def _decode_key(text, *, where):
    key = text.encode("utf-8")
    if len(text) >= 2 * MIN_KEY_BYTES and len(text) % 2 == 0:  # long enough to be a hex key
        try:
            key = bytes.fromhex(text)
        except ValueError:
            pass
    if len(key) < MIN_KEY_BYTES:
        raise DataError(
            f"The pseudonymisation key in {where} is too short: use at least "
            f"{MIN_KEY_BYTES} bytes (32 hex characters or 16 characters of text)."
        )
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
        The secret key, at least 16 bytes (see :func:`load_pseudonym_key`).

    Examples
    --------
    >>> p = Pseudonymiser(b"k" * 32)
    >>> out = p.pseudonymise(pd.Series(["A1", None, "A1"]), "upn")
    >>> bool(out[0] == out[2]), len(out[0]), bool(out.isna()[1])
    (True, 16, True)
    """

    def __init__(self, key):
        if not isinstance(key, (bytes, bytearray)) or len(key) < MIN_KEY_BYTES:
            raise ValueError(f"The pseudonymisation key must be at least {MIN_KEY_BYTES} bytes.")
        self._base = hmac.new(bytes(key), digestmod=hashlib.sha256)
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
        cache = self._cache.setdefault(namespace, {})
        prefix = namespace.encode("utf-8") + _SEPARATOR
        hashed = np.array(
            [cache.get(u) or cache.setdefault(u, self._one(prefix + u.encode("utf-8"))) for u in uniques],
            dtype=object,
        )
        out = hashed[codes] if len(hashed) else np.full(len(codes), None, dtype=object)
        out = np.where(codes < 0, None, out)
        return pd.Series(out, index=values.index, dtype="str")

    def _one(self, message):
        mac = self._base.copy()
        mac.update(message)
        return mac.hexdigest()[:PSEUDONYM_CHARS]
