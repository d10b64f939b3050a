"""``riskmodel review``: the review service where front-line staff record their judgement.

``init`` creates or migrates the database, ``import`` loads a scoring batch for teams,
``user add`` adds a member of staff (password on standard input, never the command line),
``export-decisions`` writes the pseudonymised decisions for ``riskmodel audit --decision``,
``serve`` runs the service with a production WSGI server (gunicorn, several worker
processes), and ``clearsessions`` deletes expired sessions.
"""

from __future__ import annotations

import contextlib
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer

from ._app import out, reported_errors

review_app = typer.Typer(name="review", help="The review service for front-line staff (Django).",
                         no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
user_app = typer.Typer(name="user", help="Members of staff.", no_args_is_help=True)
review_app.add_typer(user_app, name="user")

DbOption = Annotated[str, typer.Option("--db", help="Database URL: sqlite:///review.sqlite3 or postgresql://user@host:5432/name.")]
ROLES_HELP = "practitioner, team_lead, governance or admin."


def _start(db: str) -> None:
    import review

    review.configure(db)


@contextlib.contextmanager
def _errors():
    """The review service's bad-input and database errors as one-paragraph messages, no traceback."""
    import review
    from django.db import DatabaseError

    with reported_errors():
        try:
            yield
        except review.ReviewError as error:
            raise ValueError(str(error)) from None
        except DatabaseError as error:
            raise ValueError(
                f"The review database could not be used ({type(error).__name__}). Check the '--db' URL, that the "
                "server is running and reachable, and that 'riskmodel review init' has been run."
            ) from None


@review_app.command("init")
def init(db: DbOption) -> None:
    """Create the database, or migrate it to this version."""
    import review

    with _errors():
        _start(db)
        applied = review.migrate()
    out.print(f"Review database ready ({len(applied)} migration(s) applied).")


@review_app.command("import")
def import_(
    db: DbOption,
    scores: Annotated[Path, typer.Option("--scores", help="The folder 'riskmodel score --out' wrote.")],
    team: Annotated[str | None, typer.Option("--team", help="One locality team for the whole batch.")] = None,
    teams: Annotated[Path | None, typer.Option("--teams", help="CSV file of person_id,team.")] = None,
    expiry_days: Annotated[int, typer.Option("--expiry-days", help="Days after the data date when the scores expire.")] = 90,
) -> None:
    """Import one scoring batch and assign its young people to teams (again: no change)."""
    import review

    with _errors():
        _start(db)
        result = review.import_batch(scores, team=team, teams_file=teams, expiry_days=expiry_days)
        _record_import(result)
    _say_import(result)


@user_app.command("add")
def user_add(
    db: DbOption,
    username: Annotated[str, typer.Option("--username")],
    role: Annotated[str, typer.Option("--role", help=ROLES_HELP)],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
    team: Annotated[str | None, typer.Option("--team", help="The team (practitioners and team leads).")] = None,
) -> None:
    """Add a member of staff; the password is read from standard input."""
    import review

    with _errors():
        if not password_stdin:
            raise ValueError("Give '--password-stdin' and send the password on standard input; a password is "
                             "never taken on the command line, where other users and the shell history see it.")
        password = sys.stdin.readline().rstrip("\r\n")
        _start(db)
        user = review.add_user(username, role=role, password=password, team=team)
        _record(None, "user_added", detail=f"role {role}" + (f", team {team}" if team else ""), username=user.username)
    out.print(f"Added {user.username} as {role}{f' in {team}' if team else ''}.")


@review_app.command("export-decisions")
def export_decisions(
    db: DbOption,
    out_file: Annotated[Path, typer.Option("--out", help="CSV file for 'riskmodel audit --decision'.")],
) -> None:
    """Write the pseudonymised decisions (no free text, no usernames) for the audit."""
    import review

    with _errors():
        _start(db)
        n = review.export_decisions(out_file)
        _record(None, "export", detail=f"{n} decisions")
    out.print(f"{n} decisions -> {out_file} (readable by its owner only). Join outcomes and group columns by "
              "person_id and as_of, then run 'riskmodel audit --decision decision'.")


@review_app.command("serve")
def serve(
    db: DbOption,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8000,
    workers: Annotated[int | None, typer.Option("--workers", min=1, max=64, show_default="one per core, 2 to 8",
                                                help="Worker processes (each page is Python: processes, not "
                                                     "threads, serve pages at once).")] = None,
    threads: Annotated[int, typer.Option("--threads", min=1, max=32, help="Threads in each worker process.")] = 2,
) -> None:
    """Run the service with gunicorn (a production WSGI server) until stopped (Ctrl+C or SIGTERM)."""
    import review

    with _errors():
        _start(db)
        _check_migrated()
    workers = workers or review.default_workers()
    out.print(f"Serving the review service on http://{host}:{port}/login/ with {workers} worker processes "
              "(Ctrl+C to stop).", soft_wrap=True, highlight=False)
    review.serve(host=host, port=port, workers=workers, threads=threads)


@review_app.command("clearsessions")
def clearsessions(db: DbOption) -> None:
    """Delete expired sessions from the database (run it daily, e.g. from cron)."""
    import review

    with _errors():
        _start(db)
        removed = review.clear_expired_sessions()
    out.print(f"Removed {removed} expired session(s).")


def demo_review(scores: Path, out_dir: Path) -> dict[str, Path | str]:
    """The demo's review step: a SQLite database with the batch for two teams and one user per role.

    Passwords are generated and written to a file readable by its owner only.
    """
    import pandas as pd

    import review

    database = out_dir / "review.sqlite3"
    url = f"sqlite:///{database.resolve()}"
    review.configure(url)
    review.migrate()
    teams = _demo_teams(pd.read_csv(scores / "scores.csv", usecols=["person_id"], dtype=str)["person_id"])
    teams_file = out_dir / "review-teams.csv"
    teams.to_csv(teams_file, index=False)
    _record_import(review.import_batch(scores, teams_file=teams_file, expiry_days=_demo_expiry(scores)))
    passwords = _demo_users(review)
    password_file = _write_passwords(out_dir / "review-passwords.txt", passwords)
    out.print(f"Review service users and their generated passwords: {password_file} (readable by its owner only).")
    command = f"riskmodel review serve --db {url} --host 127.0.0.1 --port 8000"
    out.print(f"Start the review service with: {command}", soft_wrap=True, highlight=False)
    return {"review service database": database, "review service users (owner-only)": password_file,
            "start the review service": command}


def _demo_expiry(scores: Path) -> int:
    """The synthetic records end in the past: count the usual 90 days from today instead."""
    import datetime as dt
    import json

    import review

    data_date = dt.date.fromisoformat(json.loads((scores / "batch.json").read_text())["data_date"])
    return max((dt.date.today() - data_date).days, 0) + review.DEFAULT_EXPIRY_DAYS


DEMO_TEAMS = ("North locality", "South locality")
DEMO_USERS = (("practitioner-north", "practitioner", "North locality"), ("lead-north", "team_lead", "North locality"),
              ("practitioner-south", "practitioner", "South locality"), ("governance", "governance", None),
              ("admin", "admin", None))


def _demo_teams(person_ids):
    """Split the young people between the two demo teams by a hash of the pseudonym."""
    import numpy as np
    import pandas as pd

    half = pd.util.hash_pandas_object(person_ids, index=False).to_numpy() % 2
    return pd.DataFrame({"person_id": person_ids.to_numpy(), "team": np.where(half == 0, *DEMO_TEAMS)})


def _demo_users(review) -> list[tuple[str, str, str]]:
    from django.contrib.auth import get_user_model

    made = []
    for username, role, team in DEMO_USERS:
        if get_user_model().objects.filter(username=username).exists():
            continue
        password = secrets.token_urlsafe(18)
        review.add_user(username, role=role, password=password, team=team)
        made.append((username, role, password))
    return made


def _write_passwords(path: Path, passwords: list[tuple[str, str, str]]) -> Path:
    import os

    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        for username, role, password in passwords:
            handle.write(f"{username}\t{role}\t{password}\n")
    return path


def _record_import(result) -> None:
    if result.created:
        _record(None, "import", detail=f"batch {result.batch_id}, data date {result.data_date.isoformat()}, "
                                       f"{sum(result.cases_by_team.values())} cases")


def _record(request, kind: str, **kwargs) -> None:
    from review._audit import record

    record(request, kind, **kwargs)


def _say_import(result) -> None:
    if not result.created:
        out.print(f"This batch (data date {result.data_date.isoformat()}) was imported before; nothing changed.")
        return
    teams = ", ".join(f"{name}: {n}" for name, n in result.cases_by_team.items())
    out.print(f"Imported the batch of {result.data_date.isoformat()} ({teams}); its scores expire on "
              f"{result.expires_on.isoformat()}.")


def _check_migrated() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise ValueError("The review database is not created or not up to date; run 'riskmodel review init --db URL' first.")
