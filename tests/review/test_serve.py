"""``riskmodel review serve --workers 2``: gunicorn's worker processes on 127.0.0.1, as staff would reach them.

The service is set up with the ``riskmodel review`` commands, served by two worker
processes sharing one SQLite database, signed in to over HTTP, written to by several
sessions at once (decisions and audit rows: no "database is locked"), and stopped by SIGTERM.
"""

from __future__ import annotations

import os
import re
import signal
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
import requests

from tests.review._live import cli, start
from tests.review._postgres import free_port
from tests.review.conftest import FIRST

PASSWORD = "serve-test-password-pn"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DECISION = {"agrees": "yes", "action": "no_action", "reason": "Read the records; no action is needed."}


@pytest.fixture(scope="module")
def served(tmp_path_factory, score_folders):
    folder = tmp_path_factory.mktemp("review-serve")
    url = f"sqlite:///{folder / 'review.sqlite3'}"
    env = dict(os.environ)
    cli("review", "init", "--db", url, env=env)
    cli("review", "import", "--db", url, "--scores", str(score_folders[FIRST]), "--team", "North",
        "--expiry-days", "3650", env=env)
    cli("review", "user", "add", "--db", url, "--username", "pn", "--role", "practitioner", "--team", "North",
        "--password-stdin", stdin=PASSWORD + "\n", env=env)
    port = free_port()
    server = start(url, port, "--workers", "2", env=env)
    try:
        yield f"http://127.0.0.1:{port}", server
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=30)


def signed_in(base: str) -> requests.Session:
    http = requests.Session()
    token = TOKEN.search(http.get(base + "/login/").text).group(1)
    response = http.post(base + "/login/", data={"username": "pn", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 200 and response.url.endswith("/caseload/")
    return http


def test_two_worker_processes_serve_signed_in_pages_and_concurrent_writes(served):
    base, server = served
    assert len(psutil.Process(server.pid).children()) == 2
    http = signed_in(base)
    caseload = http.get(base + "/caseload/")
    assert caseload.status_code == 200 and caseload.headers["Cache-Control"] == "no-store"
    cases = re.findall(r'href="/case/([0-9a-f]+)/"', caseload.text)[:12]
    assert len(cases) >= 4

    def review(person_id: str) -> list[int]:
        session = requests.Session()
        session.cookies.update(http.cookies)
        page = session.get(f"{base}/case/{person_id}/")
        form = {**DECISION, "csrfmiddlewaretoken": TOKEN.search(page.text).group(1)}
        decided = session.post(f"{base}/case/{person_id}/review/", data=form, allow_redirects=False)
        return [page.status_code, decided.status_code]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(review, cases))
    assert answers == [[200, 303]] * len(cases)
    assert http.get(base + "/caseload/").text.count("agrees: No action") == len(cases)


def test_sigterm_stops_the_master_and_its_workers(served):
    base, server = served
    workers = psutil.Process(server.pid).children()
    assert signed_in(base).get(base + "/caseload/").status_code == 200
    server.send_signal(signal.SIGTERM)
    assert server.wait(timeout=60) == 0
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert not alive
    output = server.stdout.read()
    assert "Traceback" not in output and "/case/" not in output and "/caseload/" not in output
