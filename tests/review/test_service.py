"""The review service through Django's test client, on SQLite and on a real PostgreSQL server.

Each test runs inside a transaction rolled back afterwards, so tests see the same starting
state: the first batch imported for two teams and one user per role.
"""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from riskmodel.cli import app

from tests.review.conftest import FIRST, LATER, Service, create_database, set_up_service


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def service(request, tmp_path_factory, score_folders, teams_file) -> Service:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('review-sqlite') / 'review.sqlite3'}"
    else:
        url = create_database(request.getfixturevalue("postgres_url"), "review_service_tests")
    return set_up_service(url, request.param, score_folders, teams_file)


@pytest.fixture(autouse=True)
def rolled_back(service):
    """Run the test in a transaction, rolled back after (as Django's TestCase does)."""
    from django.core import signals
    from django.db import close_old_connections, transaction

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def client_for(username: str | None = None, *, csrf: bool = False):
    from django.test import Client

    client = Client(enforce_csrf_checks=csrf)
    if csrf:
        from django.contrib.auth.models import User

        client.force_login(User.objects.get(username=username))
    elif username is not None:
        response = client.post("/login/", {"username": username, "password": Service.password(username)})
        assert response.status_code == 302, response.status_code
    return client


def events(kind: str, **filters):
    from review.models import AuditEvent

    return AuditEvent.objects.filter(kind=kind, **filters)


DECISION = {"agrees": "no", "action": "already_known", "reason": "Known to the team; a plan is in place."}


# --- signing in and the pages' permissions ---------------------------------------------------


@pytest.mark.parametrize("path", ["/caseload/", "/case/{pid}/", "/governance/", "/audit-log/"])
def test_pages_send_a_signed_out_visitor_to_sign_in(service, path):
    response = client_for().get(path.format(pid=service.cases["North"][0]))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_a_practitioner_sees_their_teams_highest_band_by_rank(service):
    response = client_for("pn").get("/caseload/")
    assert response.status_code == 200
    html = response.content.decode()
    shown = re.findall(r'href="/case/([0-9a-f]+)/"', html)
    assert shown == service.cases["North"][: len(shown)] and shown
    assert not set(shown) & set(service.cases["South"])
    assert "not reviewed" in html and "expire on" in html
    assert events("caseload_view", username="pn").count() == 1


def test_another_teams_case_is_not_found_and_the_refusal_is_logged(service):
    other = service.cases["South"][0]
    response = client_for("pn").get(f"/case/{other}/")
    assert response.status_code == 404
    assert other not in response.content.decode()
    assert events("case_refused", username="pn", person_id=other).count() == 1
    assert client_for("pn").post(f"/case/{other}/review/", DECISION).status_code == 404
    from review.models import Decision

    assert not Decision.objects.exists()


@pytest.mark.parametrize("username, path", [("gov", "/case/{pid}/"), ("gov", "/caseload/"), ("pn", "/governance/"),
                                            ("pn", "/audit-log/"), ("ln", "/audit-log/"), ("gov", "/audit-log/"),
                                            ("adm", "/case/{pid}/"), ("adm", "/governance/")])
def test_each_role_is_refused_the_pages_of_other_roles(service, username, path):
    response = client_for(username).get(path.format(pid=service.cases["North"][0]))
    assert response.status_code == 403


def test_a_case_page_shows_the_case_content_with_strict_headers(service):
    pid = service.cases["North"][0]
    response = client_for("pn").get(f"/case/{pid}/")
    assert response.status_code == 200
    html = response.content.decode()
    for words in ("young people with scores like this", "What raises the score", "Sources with no record",
                  "knife-crime-risk, version 2", "Records up to and including 31 March 2024", "expire on"):
        assert words in html, words
    assert "<script" not in html and "style=" not in html
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert events("case_view", username="pn", person_id=pid).count() == 1


def test_a_decision_is_recorded_shown_and_logged(service):
    pid = service.cases["North"][1]
    client = client_for("pn")
    response = client.post(f"/case/{pid}/review/", DECISION)
    assert response.status_code == 303
    page = client.get(response["Location"]).content.decode()
    assert "Your decision was recorded" in page and DECISION["reason"] in page
    assert "disagrees: Already known, plan in place" in client.get("/caseload/").content.decode()
    logged = events("decision", username="pn", person_id=pid)
    assert logged.count() == 1 and "already_known" in logged.get().detail
    assert DECISION["reason"] not in logged.get().detail


@pytest.mark.parametrize("change", [{"action": "not-a-declared-action"}, {"agrees": ""}, {"reason": ""},
                                    {"reason": "x" * 2001}])
def test_an_incomplete_decision_is_refused(service, change):
    from review.models import Decision

    response = client_for("pn").post(f"/case/{service.cases['North'][0]}/review/", {**DECISION, **change})
    assert response.status_code == 400
    assert "was not recorded" in response.content.decode()
    assert not Decision.objects.exists()


def test_a_post_without_a_csrf_token_is_refused(service):
    from review.models import Decision

    client = client_for("pn", csrf=True)
    response = client.post(f"/case/{service.cases['North'][0]}/review/", DECISION)
    assert response.status_code == 403
    assert not Decision.objects.exists()


def test_sign_ins_are_logged_and_repeated_failures_lock_the_account(service):
    from review._settings import LOCKOUT

    client = client_for()
    for _ in range(LOCKOUT.attempts):
        assert client.post("/login/", {"username": "pn", "password": "wrong"}).status_code == 401
    assert events("sign_in_failed", username="pn").count() == LOCKOUT.attempts
    refused = client.post("/login/", {"username": "pn", "password": Service.password("pn")})
    assert refused.status_code == 401
    assert events("sign_in_locked", username="pn").count() == 1  # the right password, refused by the lock
    assert events("sign_in_failed", username="pn").count() == LOCKOUT.attempts
    client_for("ps")
    assert events("sign_in", username="ps").count() == 1


def test_sessions_expire_after_inactivity(service):
    from django.conf import settings

    assert 0 < settings.SESSION_COOKIE_AGE <= 3600
    client = client_for("pn")
    session = client.session
    session.set_expiry(-1)
    session.save()
    assert client.get("/caseload/").status_code == 302


def test_a_sessions_expiry_moves_on_at_most_once_a_minute_and_sign_out_ends_it(service):
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from review._sessions import REFRESHED_KEY

    client = client_for("pn")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    signed_in = Session.objects.get(pk=key).expire_date
    assert client.get("/caseload/").status_code == 200
    assert Session.objects.get(pk=key).expire_date == signed_in  # saved at sign-in less than a minute ago
    session = client.session
    session[REFRESHED_KEY] -= 61  # as if last saved over a minute ago...
    session.save()
    two_minutes_old = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE - 120)
    Session.objects.filter(pk=key).update(expire_date=two_minutes_old)
    assert client.get("/caseload/").status_code == 200
    moved = Session.objects.get(pk=key).expire_date
    assert moved - two_minutes_old > timedelta(seconds=100)  # ...so this request moved the expiry on
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.filter(pk=key).exists()
    assert client.get("/caseload/").status_code == 302


def test_the_audit_log_lists_views_and_decisions_for_an_admin(service):
    pid = service.cases["North"][0]
    client_for("pn").post(f"/case/{pid}/review/", DECISION)
    html = client_for("adm").get("/audit-log/").content.decode()
    assert "Recorded decision" in html and pid in html and "Signed in" in html
    assert DECISION["reason"] not in html


def test_the_audit_log_refuses_changes_and_deletions(service):
    from django.db import DatabaseError, transaction

    from review.models import AppendOnlyError, AuditEvent

    client_for("pn")
    event = AuditEvent.objects.first()
    event.detail = "changed"
    with pytest.raises(AppendOnlyError, match="append-only"):
        event.save()
    with pytest.raises(AppendOnlyError, match="append-only"):
        event.delete()
    with pytest.raises(AppendOnlyError, match="append-only"):
        AuditEvent.objects.all().update(detail="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.all()._raw_delete(AuditEvent.objects.db)


def test_governance_sees_aggregates_with_small_cells_withheld(service):
    from django.contrib.auth.models import User

    from review._governance import summarise
    from review._export import EXPORT_COLUMNS
    from review.models import Case, Decision

    user = User.objects.get(username="pn")
    north = list(Case.objects.filter(team__name="North"))
    south = list(Case.objects.filter(team__name="South").order_by("rank")[:3])
    assert len(north) >= 10
    Decision.objects.bulk_create([Decision(case=c, user=user, agrees=True, action="early_help", reason="r")
                                  for c in north + south])
    summary = summarise()
    n = len(north) + 3
    assert summary["total"][0].reviewed == str(n) and summary["total"][0].agree == f"100% ({n})"
    teams = {row.group: row for row in summary["team"]}
    assert teams["South"].reviewed == "withheld"  # 3 reviews: a small cell
    assert teams["North"].reviewed == "withheld"  # else South's count = 27 - North's
    html = client_for("gov").get("/governance/").content.decode()
    assert f"100% ({n})" in html and "withheld" in html
    assert not any(pid in html for pid in service.cases["North"] + service.cases["South"])
    assert events("governance_view", username="gov").count() == 1


# --- import, supersession, expiry and the export ----------------------------------------------


def test_importing_the_same_batch_again_changes_nothing(service, score_folders, teams_file):
    import review
    from review.models import Batch, Case

    before = (Batch.objects.count(), Case.objects.count())
    again = review.import_batch(score_folders[FIRST], teams_file=teams_file, expiry_days=3650)
    assert not again.created
    assert (Batch.objects.count(), Case.objects.count()) == before


def test_a_later_batch_supersedes_the_earlier_one_in_caseloads(service, score_folders):
    import review
    from review.models import Case

    client = client_for("pn")
    assert "2024-03-31" in client.get("/caseload/").content.decode()  # the earlier batch's rows are now kept
    result = review.import_batch(score_folders[LATER], team="North", expiry_days=3650)
    assert result.created and result.data_date == date(2024, 6, 30)
    html = client.get("/caseload/").content.decode()
    assert "30 June 2024" in html or "2024-06-30" in html
    newer = list(Case.objects.filter(batch_id=result.batch_id).order_by("rank").values_list("person_id", flat=True))
    shown = re.findall(r'href="/case/([0-9a-f]+)/"', html)
    assert shown and shown == newer[: len(shown)]
    dropped = set(service.cases["North"]) - set(newer)
    assert dropped  # the earlier batch's highest band is not the later one's
    assert client_for("pn").get(f"/case/{sorted(dropped)[0]}/").status_code == 404
    south = client_for("ps").get("/caseload/").content.decode()
    assert "2024-03-31" in south  # another team's caseload is untouched


def test_expired_scores_leave_the_caseload_with_their_expiry_shown(service, score_folders):
    import review
    from review.models import Case

    result = review.import_batch(score_folders[LATER], team="North")  # default 90 days: long past
    assert result.expires_on == date(2024, 9, 28)
    html = client_for("pn").get("/caseload/").content.decode()
    assert "expired on" in html and "2024-09-28" in html
    assert not re.findall(r'href="/case/([0-9a-f]+)/"', html)
    expired = Case.objects.filter(batch_id=result.batch_id, team__name="North").values_list("person_id", flat=True)
    response = client_for("pn").get(f"/case/{expired.first()}/")
    assert response.status_code == 410


@pytest.mark.parametrize("problem, message", [
    ("missing column", "lacks the column"), ("a case without a team", "have no row in"),
    ("duplicate", "more than once"),
])
def test_a_bad_teams_file_is_refused_with_a_clear_message(service, score_folders, teams_file, tmp_path, problem, message):
    import review

    teams = pd.read_csv(teams_file, dtype=str)
    if problem == "missing column":
        teams = teams.rename(columns={"team": "locality"})
    elif problem == "a case without a team":
        cases = pd.read_json(score_folders[LATER] / "cases.jsonl", lines=True, dtype={"person_id": str})
        teams = teams[teams["person_id"] != cases["person_id"].iloc[0]]
    else:
        teams = pd.concat([teams, teams.head(1)])
    path = tmp_path / "teams.csv"
    teams.to_csv(path, index=False)
    with pytest.raises(review.ReviewError, match=message):
        review.import_batch(score_folders[LATER], teams_file=path)


def test_a_folder_without_the_batch_files_is_refused(service, tmp_path):
    import review

    (tmp_path / "scores.csv").write_text("person_id\n")
    with pytest.raises(review.ReviewError, match="lacks batch.json, cases.jsonl"):
        review.import_batch(tmp_path, team="North")


def test_the_decision_export_is_read_back_by_the_audit(service, tmp_path):
    import review
    from django.contrib.auth.models import User

    from review._export import EXPORT_COLUMNS
    from review.models import Case, Decision

    user = User.objects.get(username="pn")
    cases = list(Case.objects.order_by("rank"))
    Decision.objects.bulk_create([Decision(case=c, user=user, agrees=i % 3 != 0, action="no_action",
                                           reason="private words") for i, c in enumerate(cases)])
    path = tmp_path / "decisions.csv"
    assert review.export_decisions(path) == len(cases)
    assert path.stat().st_mode & 0o077 == 0
    text = path.read_text()
    assert "private words" not in text
    exported = pd.read_csv(path, dtype={"person_id": str})
    assert list(exported.columns) == EXPORT_COLUMNS
    assert not exported.astype(str).isin(["pn", "private words"]).any().any()  # no username, no free text
    assert exported["decision"].tolist() == [int(i % 3 != 0) for i in range(len(cases))]
    # Governance joins outcomes and groups by pseudonym; synthetic ones here.
    exported["label"] = (exported.index % 4 == 0).astype(int)
    exported["group"] = exported["team"]
    table = tmp_path / "joined.csv"
    exported.to_csv(table, index=False)
    out = tmp_path / "audit"
    run = CliRunner().invoke(app, ["audit", "--scores", str(table), "--label", "label", "--prediction", "model_flag",
                                   "--group", "group", "--decision", "decision", "--n-boot", "20", "--min-cell", "3",
                                   "--out", str(out)])
    assert run.exit_code == 0, run.output
    audit = (out / "audit.json").read_text()
    assert "decision" in audit


def test_an_earlier_batch_imported_later_does_not_supersede_a_newer_one(service, score_folders, tmp_path):
    import shutil

    import review
    from review.models import Team

    newer = review.import_batch(score_folders[LATER], team="North", expiry_days=3650)
    older = tmp_path / "older"
    shutil.copytree(score_folders[FIRST], older)
    (older / "scores.csv").write_text((older / "scores.csv").read_text() + "\n", encoding="utf-8")  # another batch
    assert review.import_batch(older, team="North", expiry_days=3650).created
    assert Team.objects.get(name="North").current_batch_id == newer.batch_id
    shown = re.findall(r'href="/case/([0-9a-f]+)/"', client_for("pn").get("/caseload/").content.decode())
    assert shown and set(shown) <= set(newer_ids(newer.batch_id))


def test_a_caseload_page_needs_a_fixed_number_of_queries(service):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("pn")
    assert client.get("/caseload/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/caseload/").status_code == 200
    # session, user with team and batch, the page's decisions, audit (+ BEGIN/COMMIT): the caseload's rows
    # are read once per process, and the session is saved at most once a minute
    statements = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in ("SELECT", "INSERT", "UPDATE")]
    assert len(statements) <= 4, "; ".join(s[:60] for s in statements)


def newer_ids(batch_id):
    from review.models import Case

    return Case.objects.filter(batch_id=batch_id).values_list("person_id", flat=True)


def test_request_log_lines_name_the_route_not_the_pseudonym(service):
    import io

    from review._logs import install

    other = service.cases["South"][0]
    handler = install()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        assert client_for("pn").get(f"/case/{other}/").status_code == 404
        assert client_for("pn", csrf=True).post(f"/case/{other}/review/", DECISION).status_code == 403
        assert client_for("pn").get("/no-such-page/").status_code == 404
    finally:
        handler.setStream(previous)
    logged = stream.getvalue()
    assert "Not Found: route case/<str:person_id>/" in logged
    assert "Forbidden (CSRF cookie not set.): route case/<str:person_id>/review/" in logged
    assert "Not Found: an address that is no page of the service" in logged
    assert other not in logged and "no-such-page" not in logged
