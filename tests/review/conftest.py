"""Score folders, a throw-away PostgreSQL server and a configured review service for the tests.

The PostgreSQL server is Debian's (``make test`` installs the ``postgresql`` package): a
cluster is created in a temporary folder, owned by the unprivileged ``postgres`` user when
the tests run as root, listening on 127.0.0.1 on a free port, and stopped afterwards.
Without the binaries the PostgreSQL tests skip on a developer machine and fail in CI.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from tests.riskmodel.conftest import real_feature_model

FIRST, LATER = "2024-03-31", "2024-06-30"
TEAMS = ("North", "South")
PASSWORD = "a-long-test-password-{}"
USERS = (("pn", "practitioner", "North"), ("ps", "practitioner", "South"), ("ln", "team_lead", "North"),
         ("gov", "governance", None), ("adm", "admin", None))
os.environ.setdefault("RISKMODEL_REVIEW_SECRET_KEY", "test-only-secret-key-" + "k" * 32)


@pytest.fixture(scope="session")
def score_folders(tmp_path_factory) -> dict[str, Path]:
    """``riskmodel score --out`` folders for two data dates, from the same small synthetic model."""
    from features._builders._sample import sample_tables
    from riskmodel import score_people

    tables = sample_tables(1200, seed=3)
    model = real_feature_model(tables)
    root = tmp_path_factory.mktemp("scores")
    folders = {}
    for as_of in (FIRST, LATER):
        score_people(model, tables, as_of, out_dir=root / as_of)
        folders[as_of] = root / as_of
    return folders


@pytest.fixture(scope="session")
def teams_file(score_folders, tmp_path_factory) -> Path:
    """``person_id,team`` for everyone scored, alternating between the two teams."""
    ids = pd.concat([pd.read_csv(f / "scores.csv", usecols=["person_id"], dtype=str) for f in score_folders.values()])
    ids = ids.drop_duplicates().sort_values("person_id").reset_index(drop=True)
    ids["team"] = [TEAMS[i % 2] for i in range(len(ids))]
    path = tmp_path_factory.mktemp("teams") / "teams.csv"
    ids.to_csv(path, index=False)
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory):
    """``postgresql://postgres@127.0.0.1:PORT`` of a temporary cluster (no database name)."""
    bindir = _postgres_bin()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; 'make test' installs Debian's postgresql package.")
        pytest.skip("PostgreSQL server binaries are not installed (make test installs them).")
    root = Path(tempfile.mkdtemp(prefix="riskmodel-postgres-"))  # pytest's own temp folders are root-only
    data, sockets = root / "data", root / "sockets"
    data.mkdir()
    sockets.mkdir()
    run_as = _unprivileged(root)
    port = _free_port()
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


def _unprivileged(root: Path) -> list[str]:
    """Prefix that runs a command as ``postgres`` when we are root (PostgreSQL refuses root)."""
    if os.geteuid() != 0:
        return []
    user = pwd.getpwnam("postgres")
    for path in [root, *root.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid)
    return [shutil.which("runuser") or "/sbin/runuser", "-u", "postgres", "--"]


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{Path(command[-1]).name} failed: {result.stderr[-2000:]}")


def create_database(server_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server_url}/{name}"


@dataclass
class Service:
    """A migrated review database with the first batch imported and one user per role."""

    url: str
    vendor: str
    cases: dict[str, list[str]] = field(default_factory=dict)  # team -> pseudonyms by rank

    @staticmethod
    def password(username: str) -> str:
        return PASSWORD.format(username)


def set_up_service(url: str, vendor: str, score_folders, teams_file) -> Service:
    import review

    review.configure(url)
    from django.conf import settings

    from review.models import Case

    # Password hashing is deliberately slow; the tests sign in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    review.migrate()
    review.import_batch(score_folders[FIRST], teams_file=teams_file, expiry_days=3650)
    for username, role, team in USERS:
        review.add_user(username, role=role, password=PASSWORD.format(username), team=team)
    service = Service(url=url, vendor=vendor)
    for team in TEAMS:
        service.cases[team] = list(Case.objects.filter(team__name=team).order_by("rank").values_list("person_id", flat=True))
    return service
