"""Signed model folders: a manifest of every file's SHA-256, and an HMAC-SHA256 over it.

Signing writes ``signature.json`` into a model folder: the relative path and SHA-256 of
*every* other file in the folder (so a file any step of training adds is covered without
being named here), an identifier of the key, and HMAC-SHA256 of that manifest's canonical
JSON under the signing key. Checksums alone protect nothing against a deliberate change:
whoever can edit ``model.txt`` can recompute its checksum. The HMAC cannot be recomputed
without the key, which is held outside the artifact store (``RISKMODEL_SIGNING_KEY`` or a key
file readable by its owner only) and is separate from the pseudonymisation key.

Verification checks the HMAC before it trusts anything the manifest says, then compares the
folder with it: a changed, added or removed file, a manifest not in this format, or a
signature made with another key is refused. :class:`SignedFolder` then reads each file's
bytes once and checks them against the verified manifest, so what is parsed is what was
verified.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import features

SIGNING_KEY_ENV = "RISKMODEL_SIGNING_KEY"
SIGNATURE_FILE = "signature.json"
SIGNATURE_FORMAT = "riskmodel-signed-folder/1"
ALGORITHM = "HMAC-SHA256"
_KEY_ID_LABEL = b"riskmodel signing key id"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_HEX16 = re.compile(r"[0-9a-f]{16}")
_MAX_SIGNATURE_BYTES = 1 << 20
_RECORD_FIELDS = {"format", "algorithm", "key_id", "files", "signature"}


class ModelIntegrityError(ValueError):
    """A saved model folder is unsigned, incomplete, altered, or signed with another key."""


class SigningKeyError(ValueError):
    """The model signing key is missing, unreadable, weak, or shared with another purpose."""


# --- the key ----------------------------------------------------------------------------


def load_signing_key(*, key_file=None, pseudonym_key: bytes | None = None) -> bytes:
    """Return the model signing key, from ``key_file`` or ``RISKMODEL_SIGNING_KEY``.

    Either holds the key as hex: at least 64 hex characters (32 bytes), for example from
    ``python -c "import secrets; print(secrets.token_hex(32))"``. A key file must be
    readable by its owner only (``chmod 600``).

    Parameters
    ----------
    key_file : path-like, optional
        File holding the key; by default the environment variable is read.
    pseudonym_key : bytes, optional
        The pseudonymisation key in use, if any; the signing key must differ from it.

    Returns
    -------
    bytes

    Raises
    ------
    SigningKeyError
        If no key is configured, the file is missing or shared, the text is not hex, the key
        is weak (see :func:`check_key_strength`) or equals the pseudonymisation key.
    """
    if key_file is not None:
        text, where = _read_key_file(Path(key_file)), f"the signing key file {key_file}"
    else:
        text, where = os.environ.get(SIGNING_KEY_ENV, "").strip(), f"the environment variable {SIGNING_KEY_ENV}"
        if not text:
            raise SigningKeyError(
                f"No model signing key: set the environment variable {SIGNING_KEY_ENV} to at least "
                "64 hex characters, or pass '--signing-key-file'. Keep the key outside the MLflow "
                "artifact store, and use a different key from the pseudonymisation key."
            )
    key = _decode_hex(text, where=where)
    check_key_strength(key, what=f"The model signing key in {where}")
    if pseudonym_key is not None:
        check_keys_differ(key, pseudonym_key)
    return key


def check_key_strength(key: bytes, *, what: str = "The key") -> None:
    """Refuse a weak signing key, by the library's one key rule (:func:`features.key_weakness`).

    Parameters
    ----------
    key : bytes
    what : str, default="The key"
        How the message names the key (never its value).

    Raises
    ------
    SigningKeyError
        If the key is shorter than 32 bytes, has fewer than 8 distinct byte values, repeats
        a shorter pattern or is a key printed in this library's documentation.

    Examples
    --------
    >>> check_key_strength(bytes(range(32)) + bytes(range(100, 132)))
    >>> check_key_strength(bytes([1, 2]) * 16)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    riskmodel._signing.SigningKeyError: The key uses fewer than 8 distinct byte values...
    """
    problem = features.key_weakness(bytes(key))
    if problem:
        raise SigningKeyError(
            f"{what} {problem}. Generate one with: python -c \"import secrets; print(secrets.token_hex(32))\"."
        )


def check_keys_differ(signing_key: bytes, pseudonym_key: bytes) -> None:
    """Refuse a signing key equal to the pseudonymisation key.

    Raises
    ------
    SigningKeyError
    """
    if hmac.compare_digest(bytes(signing_key), bytes(pseudonym_key)):
        raise SigningKeyError(
            "The model signing key is the same as the pseudonymisation key. Use two different "
            "keys: whoever may sign models must not thereby be able to reverse pseudonyms."
        )


def key_id(key: bytes) -> str:
    """A public identifier of ``key`` (16 hex characters of an HMAC), naming it without revealing it."""
    return hmac.new(key, _KEY_ID_LABEL, hashlib.sha256).hexdigest()[:16]


def _read_key_file(path: Path) -> str:
    if not path.is_file():
        raise SigningKeyError(f"The signing key file {path} does not exist or is not a file.")
    if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(
            f"The signing key file {path} can be read by other users; restrict it with "
            "'chmod 600' (and consider the key exposed if others could read it)."
        )
    return path.read_text(encoding="utf-8", errors="replace").strip()


def _decode_hex(text: str, *, where: str) -> bytes:
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = None
    if key is None or not text:
        raise SigningKeyError(
            f"The model signing key in {where} is not hexadecimal; it must be at least 64 hex "
            "characters (0-9, a-f)."
        )
    return key


# --- signing and verifying a folder -------------------------------------------------------


def sign_model_folder(folder, key: bytes) -> str:
    """Sign every file in ``folder``; write ``signature.json`` and return the signature (hex).

    Parameters
    ----------
    folder : path-like
    key : bytes
        The signing key (see :func:`load_signing_key`).

    Returns
    -------
    str
        The HMAC-SHA256 signature, 64 hex characters.

    Raises
    ------
    SigningKeyError
        If the key is weak (see :func:`check_key_strength`).
    ModelIntegrityError
        If the folder holds a link or a special file.
    """
    check_key_strength(key, what="The model signing key")
    folder = Path(folder)
    names = _present_files(folder, f"The model folder '{folder}'")
    manifest = {"format": SIGNATURE_FORMAT, "algorithm": ALGORITHM, "key_id": key_id(key),
                "files": {name: _sha256_file(folder / name) for name in names}}
    signature = _hmac(key, manifest)
    (folder / SIGNATURE_FILE).write_text(json.dumps({**manifest, "signature": signature}, indent=2,
                                                    sort_keys=True) + "\n", encoding="utf-8")
    return signature


@dataclass(frozen=True)
class SignedFolder:
    """A folder whose signature has been verified; reads files checked against its manifest."""

    folder: Path
    files: dict
    signature: str
    label: str

    def read(self, name: str) -> bytes:
        """The bytes of ``name``, refused unless they still match the signed manifest."""
        if name not in self.files:
            raise _refusal(self.label, f"has no signed file '{name}'; it is not a complete RiskModel folder")
        content = (self.folder / name).read_bytes()
        if not hmac.compare_digest(hashlib.sha256(content).hexdigest(), self.files[name]):
            raise _refusal(self.label, f"has a file '{name}' that changed after it was signed")
        return content


def verify_model_folder(folder, key: bytes, *, description: str | None = None) -> SignedFolder:
    """Verify ``folder``'s signature under ``key`` and that its files are exactly the signed ones.

    Parameters
    ----------
    folder : path-like
    key : bytes
        The signing key (see :func:`load_signing_key`).
    description : str, optional
        How messages name the model, e.g. "The registered model 'knife-crime-risk' version 3";
        by default "The model folder '<folder>'".

    Returns
    -------
    SignedFolder

    Raises
    ------
    ModelIntegrityError
        If the folder is unsigned, its ``signature.json`` is malformed, it was signed with
        another key, the manifest was altered, or any file was changed, added or removed.
    """
    folder = Path(folder)
    label = description or f"The model folder '{folder}'"
    record = _read_record(folder, label)
    manifest = {k: record[k] for k in _RECORD_FIELDS - {"signature"}}
    if record["key_id"] != key_id(key):
        raise _refusal(label, "was signed with a different signing key from the one configured "
                               f"({SIGNING_KEY_ENV} or '--signing-key-file')")
    if not hmac.compare_digest(_hmac(key, manifest), record["signature"]):
        raise _refusal(label, f"has a {SIGNATURE_FILE} whose signature does not match its contents: "
                               "the list of files or their checksums were altered")
    _compare_files(folder, record["files"], label)
    return SignedFolder(folder, dict(record["files"]), record["signature"], label)


def _read_record(folder: Path, label: str) -> dict:
    path = folder / SIGNATURE_FILE
    if not folder.is_dir():
        raise ModelIntegrityError(f"{label} does not exist or is not a folder.")
    if not path.is_file():
        raise _refusal(label, f"is not signed (it has no {SIGNATURE_FILE}); it was saved by an older "
                               "version or is incomplete. Retrain, or copy the whole signed folder again")
    if path.stat().st_size > _MAX_SIGNATURE_BYTES:
        raise _refusal(label, f"has a {SIGNATURE_FILE} too large to be a signature")
    try:
        record = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        record = None
    if not _well_formed(record):
        raise _refusal(label, f"has a malformed {SIGNATURE_FILE} (not this library's signed manifest, "
                               f"format {SIGNATURE_FORMAT})")
    return record


def _well_formed(record) -> bool:
    if not isinstance(record, dict) or set(record) != _RECORD_FIELDS:
        return False
    files = record["files"]
    return (record["format"] == SIGNATURE_FORMAT and record["algorithm"] == ALGORITHM
            and isinstance(record["key_id"], str) and _HEX16.fullmatch(record["key_id"]) is not None
            and isinstance(record["signature"], str) and _HEX64.fullmatch(record["signature"]) is not None
            and isinstance(files, dict) and len(files) > 0
            and all(_safe_name(n) and isinstance(d, str) and _HEX64.fullmatch(d) for n, d in files.items()))


def _safe_name(name) -> bool:
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        return False
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and "." not in path.parts \
        and path.as_posix() == name and name != SIGNATURE_FILE


def _compare_files(folder: Path, signed: dict, label: str) -> None:
    present = set(_present_files(folder, label))
    added, removed = sorted(present - set(signed)), sorted(set(signed) - present)
    if removed:
        raise _refusal(label, f"is missing signed file(s) {', '.join(map(repr, removed))}")
    if added:
        raise _refusal(label, f"has file(s) added after signing: {', '.join(map(repr, added))}")
    changed = [name for name in sorted(signed)
               if not hmac.compare_digest(_sha256_file(folder / name), signed[name])]
    if changed:
        raise _refusal(label, f"has file(s) changed after signing: {', '.join(map(repr, changed))}")


def _present_files(folder: Path, label: str) -> list[str]:
    """Relative paths of every file under ``folder`` but the signature; links and devices refused."""
    names = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not (path.is_dir() or path.is_file()):
            raise _refusal(label, f"holds '{path.relative_to(folder).as_posix()}', which is a link or "
                                   "special file; a model folder holds plain files only")
        if path.is_file() and path.relative_to(folder).as_posix() != SIGNATURE_FILE:
            names.append(path.relative_to(folder).as_posix())
    return names


def _hmac(key: bytes, manifest: dict) -> str:
    canonical = json.dumps(manifest, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(key, canonical.encode("ascii"), hashlib.sha256).hexdigest()


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _refusal(label: str, problem: str) -> ModelIntegrityError:
    return ModelIntegrityError(
        f"{label} {problem}, so the model was refused. "
        "Do not use it: load the registered model again, or retrain."
    )
