"""Benchmark: the review service under 50 concurrent signed-in sessions, on SQLite and PostgreSQL.

A bounded load script against ``riskmodel review serve`` (gunicorn) on 127.0.0.1:

1. a 40,000-person scoring batch is made with ``riskmodel.score_people`` (random tidy tables
   and a LightGBM model, as in ``bench_score.py``), or read from ``--scores DIR``;
2. for each database, ``riskmodel review init`` and ``import`` load it for ``--teams``
   locality teams (``person_id,team``), and 50 practitioners are added across the teams;
3. the service is started with ``--workers`` processes of ``--threads`` threads, and 50
   sessions sign in once (not timed: password hashing is deliberately slow);
4. two load phases run against the same signed-in sessions, each session alternating its
   team's caseload and one of its case pages ``--rounds`` times and recording a decision on
   a fraction (``--decide``) of the cases it opens (the write mix: a decision and an audit
   row, besides the audit row of every page):

   - **realistic**: a random pause of 0 to ``--think`` seconds (default 10, so 5 s on
     average) before each request. A practitioner reads a case page for minutes, not
     seconds, and looks down a caseload before choosing a case, so 50 people all signed in
     at once and each opening a page every 5 s on average (10 pages a second) is already a
     busier service than a team would make it;
   - **closed loop** (``--think 0``): every session sends its next request as soon as the
     last one is answered. This measures the most the service can serve on the machine,
     not what staff would see: with 50 sessions always waiting, latency is about 50 divided
     by the requests served a second.

For each phase the script prints p50/p95/max latency per page, requests a second, the
server's CPU time a request (its processes, from ``psutil``), the load generator's CPU time
a request and the load average. The load generator runs on the same machine as the service:
it is kept light (``http.client``, one persistent connection and one thread per session) and
its CPU time is printed so that its share can be judged.

PostgreSQL is a temporary cluster started for the run (Debian's server binaries), as the
tests do. Run::

    .venv/bin/python benchmarks/bench_review.py
    .venv/bin/python benchmarks/bench_review.py --scores demo-output/scores --databases sqlite
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
RISKMODEL = [sys.executable, "-c", "from riskmodel.cli import main; main()"]
PASSWORD = "benchmark-password-{}"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/case/([0-9a-f]+)/"')
DECISION = {"agrees": "yes", "action": "already_known", "reason": "Known to the team; a plan is in place."}


def make_batch(folder: Path, young_people: int, seed: int) -> Path:
    from bench_score import AS_OF, tables_for_cohort, train_model

    from riskmodel import score_people

    tables = tables_for_cohort(young_people, seed)
    model, _ = train_model(tables, trees=100, leaves=31, seed=seed)
    score_people(model, tables, AS_OF, out_dir=folder)
    return folder


def set_up(url: str, scores: Path, n_teams: int, n_users: int, work: Path, env: dict) -> dict[str, str]:
    import pandas as pd

    ids = pd.read_csv(scores / "scores.csv", usecols=["person_id"], dtype=str)
    ids["team"] = [f"Team {i % n_teams + 1}" for i in range(len(ids))]
    ids.to_csv(work / "teams.csv", index=False)
    _cli(["review", "init", "--db", url], env)
    started = time.perf_counter()
    _cli(["review", "import", "--db", url, "--scores", str(scores), "--teams", str(work / "teams.csv"),
          "--expiry-days", "3650"], env)
    print(f"  import: {time.perf_counter() - started:.1f} s for {len(ids):,} scored young people")
    script = ("import sys, review; review.configure(sys.argv[1]); "
              "[review.add_user(f'p{i}', role='practitioner', team=f'Team {i % int(sys.argv[2]) + 1}', "
              "password=sys.argv[3].format(i)) for i in range(int(sys.argv[4]))]")
    subprocess.run([sys.executable, "-c", script, url, str(n_teams), PASSWORD, str(n_users)], env=env, check=True)
    return {f"p{i}": PASSWORD.format(i) for i in range(n_users)}


class Browser:
    """One person's connection: a persistent ``http.client`` connection and the service's cookies."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.connection.close()  # the server closed an idle keep-alive connection: open a new one
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode("utf-8")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text


@dataclass
class Person:
    """A signed-in practitioner: their connection and the case pages of their caseload's first page."""

    browser: Browser
    cases: list[str]
    rng: random.Random


@dataclass
class Phase:
    timings: dict[str, list[float]] = field(default_factory=lambda: {"caseload": [], "case": [], "decision": []})
    errors: list[str] = field(default_factory=list)
    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0


def sign_in(port: int, users: dict[str, str], seed: int) -> list[Person]:
    """Sign every user in, a few at a time (not timed); each keeps its connection and cookies."""
    from concurrent.futures import ThreadPoolExecutor

    def one(item):
        i, (username, password) = item
        browser = Browser(port)
        browser.request("GET", "/login/")
        status, _ = browser.request("POST", "/login/", {"username": username, "password": password})
        if status != 302:
            raise RuntimeError(f"user {i} could not sign in (status {status})")
        status, caseload = browser.request("GET", "/caseload/")
        cases = CASE_LINK.findall(caseload)
        if status != 200 or not cases:
            raise RuntimeError(f"user {i} has no caseload (status {status})")
        return Person(browser, cases, random.Random(seed + i))

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, enumerate(users.items())))


def run_phase(people: list[Person], server_pid: int, *, rounds: int, think: float, decide: float) -> Phase:
    """Every person alternates their caseload and a case page ``rounds`` times, all at once."""
    phase = Phase()
    lock = threading.Lock()
    barrier = threading.Barrier(len(people) + 1)

    def timed(person: Person, kind: str, method: str, path: str, form: dict | None = None, ok: int = 200) -> str:
        time.sleep(person.rng.uniform(0, think))
        start = time.perf_counter()
        status, text = person.browser.request(method, path, form)
        elapsed = time.perf_counter() - start
        with lock:
            phase.timings[kind].append(elapsed)
            if status != ok:
                phase.errors.append(f"{kind} -> {status}")
        return text

    def session(person: Person) -> None:
        barrier.wait()
        for _ in range(rounds):
            timed(person, "caseload", "GET", "/caseload/")
            case = person.rng.choice(person.cases)
            timed(person, "case", "GET", f"/case/{case}/")
            if person.rng.random() < decide:
                timed(person, "decision", "POST", f"/case/{case}/review/", DECISION, ok=303)

    threads = [threading.Thread(target=session, args=(p,)) for p in people]
    for t in threads:
        t.start()
    server_before, client_before = _server_cpu(server_pid), time.process_time()
    phase.load_before = os.getloadavg()[0]
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    phase.wall = time.perf_counter() - started
    phase.server_cpu = _server_cpu(server_pid) - server_before
    phase.client_cpu = time.process_time() - client_before
    phase.load_after = os.getloadavg()[0]
    return phase


def _server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process and its worker processes."""
    import psutil

    total = 0.0
    root = psutil.Process(pid)
    for process in [root, *root.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def serve(url: str, port: int, workers: int | None, threads: int | None, env: dict) -> subprocess.Popen:
    import urllib.request

    command = RISKMODEL + ["review", "serve", "--db", url, "--port", str(port)]
    command += ["--workers", str(workers)] if workers else []
    command += ["--threads", str(threads)] if threads else []
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError("the review service stopped: " + server.stderr.read()[-2000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the review service did not start")


def report(name: str, phase: Phase) -> None:
    total = sum(len(v) for v in phase.timings.values())
    print(f"  {name}")
    print(f"    {total:,} timed requests in {phase.wall:.1f} s wall ({total / phase.wall:.1f} a second), "
          f"{len(phase.errors)} failed" + (f" (first: {phase.errors[0]})" if phase.errors else ""))
    for kind, values in phase.timings.items():
        if not values:
            continue
        ms = np.array(values) * 1000
        print(f"    {kind:<9} p50 {np.percentile(ms, 50):6.1f} ms   p95 {np.percentile(ms, 95):6.1f} ms   "
              f"max {ms.max():7.1f} ms   (n={len(ms)})")
    print(f"    CPU a request: server {phase.server_cpu / total * 1000:.1f} ms, load generator "
          f"{phase.client_cpu / total * 1000:.1f} ms; load average (1 min) {phase.load_before:.1f} at start, "
          f"{phase.load_after:.1f} at end, on {os.cpu_count()} cores")


def _cli(args: list[str], env: dict) -> None:
    result = subprocess.run(RISKMODEL + args, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(result.stdout + result.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--young-people", type=int, default=40_000)
    parser.add_argument("--scores", type=Path, help="An existing 'riskmodel score --out' folder.")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--teams", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=10, help="Caseload-and-case rounds per session and phase.")
    parser.add_argument("--think", type=float, default=10.0,
                        help="Realistic phase: the longest pause before a request, seconds (uniform; mean half).")
    parser.add_argument("--decide", type=float, default=0.2, help="Share of case views followed by a decision.")
    parser.add_argument("--workers", type=int, help="Server worker processes (default: the serve default).")
    parser.add_argument("--threads", type=int, help="Threads per worker (default: the serve default).")
    parser.add_argument("--phases", default="realistic,closed", help="realistic and/or closed (--think 0).")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from tests.review._postgres import create_database, free_port, temporary_postgres

    # A fresh random secret for this run's throw-away databases, unless one is configured.
    env = dict(os.environ)
    env.setdefault("RISKMODEL_REVIEW_SECRET_KEY", secrets.token_urlsafe(48))
    thinks = {"realistic": args.think, "closed": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        scores = args.scores
        if scores is None:
            started = time.perf_counter()
            scores = make_batch(work / "scores", args.young_people, args.seed)
            print(f"Scored a batch of {args.young_people:,} in {time.perf_counter() - started:.0f} s")
        for database in args.databases.split(","):
            with _database(database, work, create_database, temporary_postgres) as url:
                print(f"{database}:")
                users = set_up(url, scores, args.teams, args.users, work, env)
                port = free_port()
                server = serve(url, port, args.workers, args.threads, env)
                try:
                    people = sign_in(port, users, args.seed)
                    print(f"  server: riskmodel review serve --workers {args.workers or 'default'} --threads "
                          f"{args.threads or 'default'}; {len(people)} signed-in sessions")
                    for name in args.phases.split(","):
                        think = thinks[name]
                        phase = run_phase(people, server.pid, rounds=args.rounds, think=think, decide=args.decide)
                        label = (f"realistic: a pause of 0 to {think:g} s (mean {think / 2:g} s) before each request"
                                 if name == "realistic" else "closed loop (--think 0): no pause between requests")
                        report(label, phase)
                finally:
                    server.terminate()
                    server.wait(timeout=60)


def _database(database: str, work: Path, create_database, temporary_postgres):
    import contextlib

    @contextlib.contextmanager
    def opened():
        if database == "sqlite":
            yield f"sqlite:///{work / 'review.sqlite3'}"
        elif database == "postgresql":
            with temporary_postgres() as server:
                yield create_database(server, "review_benchmark")
        else:
            raise SystemExit(f"--databases takes sqlite and/or postgresql; got '{database}'.")

    return opened()


if __name__ == "__main__":
    main()
