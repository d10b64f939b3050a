"""The review service in a real browser: Debian's Chromium driven by Playwright.

The service is set up with the ``riskmodel review`` commands and served by ``riskmodel
review serve`` (gunicorn) on 127.0.0.1; a practitioner signs in, opens the caseload and a
case, records a decision, and an administrator finds it in the audit log. No page may log
a console error or load anything from another address.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import SCREENSHOTS
from tests.review._live import cli, start
from tests.review._postgres import free_port
from tests.review.conftest import FIRST

pytestmark = pytest.mark.browser
PASSWORDS = {"pn": "browser-test-password-pn", "adm": "browser-test-password-adm"}


@pytest.fixture(scope="module")
def live_service(tmp_path_factory, score_folders):
    folder = tmp_path_factory.mktemp("review-browser")
    url = f"sqlite:///{folder / 'review.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k != "RISKMODEL_REVIEW_SECRET_KEY"}
    cli("review", "init", "--db", url, env=env)
    cli("review", "import", "--db", url, "--scores", str(score_folders[FIRST]), "--team", "North",
         "--expiry-days", "3650", env=env)
    cli("review", "user", "add", "--db", url, "--username", "pn", "--role", "practitioner", "--team", "North",
         "--password-stdin", stdin=PASSWORDS["pn"] + "\n", env=env)
    cli("review", "user", "add", "--db", url, "--username", "adm", "--role", "admin", "--password-stdin",
         stdin=PASSWORDS["adm"] + "\n", env=env)
    assert (folder / "review.secret-key").stat().st_mode & 0o077 == 0
    assert (folder / "review.sqlite3").stat().st_mode & 0o077 == 0
    port = free_port()
    server = start(url, port, env=env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


def test_a_practitioner_records_a_decision_and_the_admin_sees_it_in_the_audit_log(browser, live_service):
    problems: list[str] = []
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("request", lambda r: r.url.startswith(live_service) or r.url.startswith("data:")
            or problems.append(f"external: {r.url}"))
    shots = Path(os.environ.get("RISKMODEL_SCREENSHOTS", SCREENSHOTS))
    shots.mkdir(parents=True, exist_ok=True)

    _sign_in(page, live_service, "pn")
    assert page.url.endswith("/caseload/")
    page.screenshot(path=str(shots / "review-caseload.png"), full_page=True)
    first = page.locator("a.pseudonym").first
    person_id = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert page.url.endswith(f"/case/{person_id}/")
    assert page.get_by_role("heading", name="What raises the score").is_visible()
    page.get_by_label("Disagree with the band").check()
    page.get_by_label("Referral to early help").check()
    page.get_by_label("Reason").fill("Seen at school this week; early help is the right offer.")
    with page.expect_navigation():
        page.get_by_role("button", name="Record decision").click()
    assert page.get_by_text("Your decision was recorded").is_visible()
    page.screenshot(path=str(shots / "review-case.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()

    _sign_in(page, live_service, "adm")
    assert page.url.endswith("/audit-log/")
    row = page.locator("tr", has_text="Recorded decision")
    assert row.count() == 1 and person_id in row.inner_text()
    page.screenshot(path=str(shots / "review-audit-log.png"), full_page=True)
    context.close()
    assert not problems, problems


def _sign_in(page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORDS[username])
    with page.expect_navigation(timeout=60_000):
        page.get_by_role("button", name="Sign in").click()
