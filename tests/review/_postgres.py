"""A throw-away PostgreSQL cluster on 127.0.0.1, for the review tests and benchmark.

Uses Debian's server binaries (``/usr/lib/postgresql/*/bin``). PostgreSQL refuses to run as
root, so when we are root the cluster belongs to the unprivileged ``postgres`` user the
package creates and its commands run through ``runuser``.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def temporary_postgres() -> Iterator[str]:
    """Start a cluster with trust authentication on a free port; yields its URL without a database."""
    bindir = postgres_binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL server binaries are not installed (Debian's postgresql package).")
    root = Path(tempfile.mkdtemp(prefix="riskmodel-postgres-"))  # pytest's own temp folders are root-only
    data, sockets = root / "data", root / "sockets"
    data.mkdir()
    sockets.mkdir()
    run_as = _unprivileged(root)
    port = free_port()
    _run(run_as + [str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--no-sync"])
    options = f"-p {port} -k {sockets} -h 127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200"
    _run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log.txt"), "-w", "start"])
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}"
    finally:
        subprocess.run(run_as + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, check=False)
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """Create (or re-create) database ``name``; returns its URL."""
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


def _unprivileged(root: Path) -> list[str]:
    if os.geteuid() != 0:
        return []
    user = pwd.getpwnam("postgres")
    for path in [root, *root.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    return [shutil.which("runuser") or "/sbin/runuser", "-u", "postgres", "--"]


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        name = next((Path(part).name for part in command if "/postgresql/" in part), command[0])
        raise RuntimeError(f"{name} failed: {result.stderr[-2000:]}")
