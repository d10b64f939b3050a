"""Benchmark: the review service under 50 concurrent signed-in sessions, on SQLite and PostgreSQL.

A bounded load script against ``riskmodel review serve`` (waitress) on 127.0.0.1:

1. a 40,000-person scoring batch is made with ``riskmodel.score_people`` (random tidy tables
   and a LightGBM model, as in ``bench_score.py``), or read from ``--scores DIR``;
2. for each database, ``riskmodel review init`` and ``import`` load it for ``--teams``
   locality teams (``person_id,team``), and 50 practitioners are added across the teams;
3. 50 threads each sign in once (not timed), then alternate their team's caseload and one of
   its case pages ``--rounds`` times, with a random pause of up to ``--think`` seconds
   between requests (a person reading; 0 for a closed loop);
4. p50 and p95 latency of the caseload and case pages are printed per database.

PostgreSQL is a temporary cluster started for the run (Debian's server binaries), as the
tests do. Run::

    .venv/bin/python benchmarks/bench_review.py
    .venv/bin/python benchmarks/bench_review.py --scores demo-output/scores --think 0
"""

from __future__ import annotations

import argparse
import os
import secrets
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
RISKMODEL = [sys.executable, "-c", "from riskmodel.cli import main; main()"]
PASSWORD = "benchmark-password-{}"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


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
    users = {}
    script = ("import sys, review; review.configure(sys.argv[1]); from django.conf import settings; "
              "[review.add_user(f'p{i}', role='practitioner', team=f'Team {i % int(sys.argv[2]) + 1}', "
              "password=sys.argv[3].format(i)) for i in range(int(sys.argv[4]))]")
    subprocess.run([sys.executable, "-c", script, url, str(n_teams), PASSWORD, str(n_users)], env=env, check=True)
    for i in range(n_users):
        users[f"p{i}"] = PASSWORD.format(i)
    return users


def load(base: str, users: dict[str, str], rounds: int, think: float, seed: int) -> dict[str, list[float]]:
    import requests

    timings: dict[str, list[float]] = {"caseload": [], "case": []}
    errors: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(users))

    def session(username: str, password: str, rng: random.Random) -> None:
        http = requests.Session()
        form = http.get(base + "/login/")
        token = TOKEN.search(form.text).group(1)
        signed_in = http.post(base + "/login/", data={"username": username, "password": password,
                                                      "csrfmiddlewaretoken": token}, headers={"Origin": base})
        if not signed_in.url.endswith("/caseload/"):
            errors.append(f"{username} could not sign in")
            barrier.abort()
            return
        pids = re.findall(r'href="/case/([0-9a-f]+)/"', signed_in.text)
        barrier.wait()
        for _ in range(rounds):
            for kind, path in (("caseload", "/caseload/"), ("case", f"/case/{rng.choice(pids)}/")):
                time.sleep(rng.uniform(0, think))
                start = time.perf_counter()
                response = http.get(base + path)
                elapsed = time.perf_counter() - start
                with lock:
                    timings[kind].append(elapsed)
                    if response.status_code != 200:
                        errors.append(f"{path} -> {response.status_code}")

    threads = [threading.Thread(target=session, args=(u, p, random.Random(seed + i)))
               for i, (u, p) in enumerate(users.items())]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed, first: {errors[0]}")
    return timings


def serve(url: str, port: int, threads: int, env: dict) -> subprocess.Popen:
    import urllib.request

    server = subprocess.Popen(RISKMODEL + ["review", "serve", "--db", url, "--port", str(port), "--threads", str(threads)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the review service did not start")


def report(name: str, timings: dict[str, list[float]], wall: float) -> None:
    total = sum(len(v) for v in timings.values())
    print(f"  {name}: {total:,} timed requests in {wall:.1f} s ({total / wall:.0f} per second)")
    for kind, values in timings.items():
        ms = np.array(values) * 1000
        print(f"    {kind:<9} p50 {np.percentile(ms, 50):6.1f} ms   p95 {np.percentile(ms, 95):6.1f} ms   "
              f"max {ms.max():6.1f} ms   (n={len(ms)})")


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
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--think", type=float, default=1.0, help="Largest pause between requests, seconds.")
    parser.add_argument("--threads", type=int, default=4, help="waitress worker threads (the serve default).")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from tests.review._postgres import create_database, free_port, temporary_postgres

    # A fresh random secret for this run's throw-away databases, unless one is configured.
    env = dict(os.environ)
    env.setdefault("RISKMODEL_REVIEW_SECRET_KEY", secrets.token_urlsafe(48))
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
                server = serve(url, port, args.threads, env)
                try:
                    started = time.perf_counter()
                    timings = load(f"http://127.0.0.1:{port}", users, args.rounds, args.think, args.seed)
                    report(f"{args.users} sessions, think time up to {args.think:g} s", timings,
                           time.perf_counter() - started)
                finally:
                    server.terminate()
                    server.wait(timeout=30)


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
