"""Score folders, a throw-away PostgreSQL server and a configured review service for the tests.

The PostgreSQL server is Debian's (``make test`` installs the ``postgresql`` package): a
cluster is created in a temporary folder, owned by the unprivileged ``postgres`` user when
the tests run as root, listening on 127.0.0.1 on a free port, and stopped afterwards.
Without the binaries the PostgreSQL tests skip on a developer machine and fail in CI.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from tests.review._postgres import create_database, free_port, postgres_binaries, temporary_postgres  # noqa: F401
from tests.riskmodel.conftest import real_feature_model

FIRST, LATER = "2024-03-31", "2024-06-30"
TEAMS = ("North", "South")
PASSWORD = "a-long-test-password-{}"
USERS = (("pn", "practitioner", "North"), ("ps", "practitioner", "South"), ("ln", "team_lead", "North"),
         ("gov", "governance", None), ("adm", "admin", None))
os.environ.setdefault("RISKMODEL_REVIEW_SECRET_KEY", secrets.token_urlsafe(48))  # fresh for each test run


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


@pytest.fixture(scope="session")
def postgres_url():
    """``postgresql://postgres@127.0.0.1:PORT`` of a temporary cluster (no database name)."""
    if postgres_binaries() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; 'make test' installs Debian's postgresql package.")
        pytest.skip("PostgreSQL server binaries are not installed (make test installs them).")
    with temporary_postgres() as url:
        yield url


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
