"""Owner-only files and folders for everything that holds person-level data.

Features, groups, scores, explanations, case pages, quarantine files and crash logs
describe individual young people, so each is created readable and writable by its
owner only (files ``0o600``, folders ``0o700``) whatever the process umask. A file is
opened with ``os.open(..., 0o600)`` and its mode set again before any content is
written, so an existing file with a wider mode is narrowed first and no reader ever
sees content under a wider mode. Every writer of person-level data in the library
goes through these functions.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(path) -> Path:
    """Create ``path`` (and any missing parents) owner-only and return it.

    Folders that already exist are narrowed to ``0o700`` only for ``path`` itself;
    existing parents (``/tmp``, a home folder) are left as they are.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = private_folder(Path(tmp) / "a" / "b")
    ...     oct(folder.stat().st_mode & 0o777), oct(folder.parent.stat().st_mode & 0o777)
    ('0o700', '0o700')
    """
    path = Path(path)
    _make_missing(path)
    os.chmod(path, FOLDER_MODE)
    return path


def _make_missing(path):
    """Create ``path`` and its missing parents with mode ``0o700``; leave existing ones."""
    missing = [folder for folder in (path, *path.parents) if not folder.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(folder, FOLDER_MODE)


@contextlib.contextmanager
def private_file(path, mode="w", *, encoding="utf-8", newline=None) -> Iterator:
    """Open ``path`` for writing as an owner-only file.

    Missing parent folders are created owner-only; an existing parent is left as it is
    (use :func:`private_folder` for an output folder the library owns).

    Parameters
    ----------
    path : path-like
        The file; replaced if it exists.
    mode : {"w", "wb"}, default="w"
        Text or binary.
    encoding, newline : str, optional
        As for :func:`open`, text mode only.

    Yields
    ------
    file object
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"The 'mode' of a private file must be 'w' or 'wb'; got '{mode}'.")
    path = Path(path)
    _make_missing(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    text = {"encoding": encoding, "newline": newline} if mode == "w" else {}
    with os.fdopen(descriptor, mode, **text) as handle:
        yield handle


def write_private_text(path, text: str, *, newline=None) -> Path:
    """Write ``text`` (UTF-8) to an owner-only file and return its path."""
    with private_file(path, "w", newline=newline) as handle:
        handle.write(text)
    return Path(path)


def write_private_bytes(path, content: bytes) -> Path:
    """Write ``content`` to an owner-only file and return its path."""
    with private_file(path, "wb") as handle:
        handle.write(content)
    return Path(path)


__all__ = ["private_file", "private_folder", "write_private_bytes", "write_private_text"]
