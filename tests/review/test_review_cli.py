"""``riskmodel review``: messages, not tracebacks, and the commands' effects."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from riskmodel.cli import app
from tests.review.conftest import FIRST

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('review-cli') / 'review.sqlite3'}"
    result = runner.invoke(app, ["review", "init", "--db", url])
    assert result.exit_code == 0, result.output
    return url


def test_import_twice_is_a_no_op_and_says_so(db, score_folders):
    args = ["review", "import", "--db", db, "--scores", str(score_folders[FIRST]), "--team", "North"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0 and "Imported the batch of 2024-03-31 (North:" in first.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and "imported before; nothing changed" in again.output


def test_a_user_is_added_with_the_password_from_standard_input(db):
    result = runner.invoke(app, ["review", "user", "add", "--db", db, "--username", "lead", "--role", "team_lead",
                                 "--team", "North", "--password-stdin"], input="a-long-enough-password\n")
    assert result.exit_code == 0, result.output
    assert "a-long-enough-password" not in result.output


@pytest.mark.parametrize("args, stdin, message", [
    (["--username", "x", "--role", "admin"], None, "never taken on the command line"),
    (["--username", "x", "--role", "admin", "--password-stdin"], "short\n", "too short"),
    (["--username", "x", "--role", "chief", "--password-stdin"], "a-long-enough-password\n", "must be one of"),
    (["--username", "x", "--role", "practitioner", "--password-stdin"], "a-long-enough-password\n", "needs '--team"),
    (["--username", "x", "--role", "governance", "--team", "North", "--password-stdin"], "a-long-enough-password\n",
     "takes no '--team'"),
])
def test_a_bad_user_is_refused_with_a_message(db, args, stdin, message):
    result = runner.invoke(app, ["review", "user", "add", "--db", db, *args], input=stdin)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("url, message", [
    ("mysql://x/y", "must be 'sqlite' or 'postgresql'"), ("sqlite://", "needs a file path"),
    ("postgresql://host", "needs a host and a database name"),
])
def test_a_bad_database_url_is_refused_with_a_message(url, message):
    result = runner.invoke(app, ["review", "init", "--db", url])
    assert result.exit_code == 2 and message in result.output


def test_an_unreachable_database_is_a_message_not_a_traceback(db):
    result = runner.invoke(app, ["review", "init", "--db", "postgresql://nobody@127.0.0.1:1/review"])
    assert result.exit_code == 2
    assert "could not be used" in result.output and "Traceback" not in result.output
    runner.invoke(app, ["review", "init", "--db", db])  # point the process back at the test database


def test_the_export_is_written_owner_only(db, tmp_path):
    out = tmp_path / "decisions.csv"
    result = runner.invoke(app, ["review", "export-decisions", "--db", db, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().startswith("person_id,as_of,model_name")
    assert out.stat().st_mode & 0o077 == 0


def test_clearsessions_deletes_expired_sessions_only(db):
    from datetime import timedelta

    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    runner.invoke(app, ["review", "init", "--db", db])  # this process's Django points at the test database
    live, stale = SessionStore(), SessionStore()
    live["x"], stale["x"] = 1, 1
    live.save()
    stale.set_expiry(-timedelta(minutes=1))
    stale.save()
    result = runner.invoke(app, ["review", "clearsessions", "--db", db])
    assert result.exit_code == 0 and "Removed 1 expired session(s)." in result.output
    assert Session.objects.filter(pk=live.session_key).exists()
    assert not Session.objects.filter(pk=stale.session_key).exists()
