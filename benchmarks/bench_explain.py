"""Benchmark: ``riskmodel explain`` for one young person of a synthetic authority, step by step.

Generates a synthetic authority (``features.synthesize``, 50,000 young people by default;
not timed), trains a LightGBM model of realistic size on its features and saves it signed
(not timed), then times what ``riskmodel explain`` does in one process:

1. starting Python and importing the library (a fresh interpreter);
2. reading, validating, pseudonymising and linking every extract (``features.load_extracts``:
   a pseudonym is a keyed hash, so finding one young person's rows means reading them all);
3. loading and verifying the signed model (``RiskModel.load``; the command reads it from the
   MLflow registry, which adds the registry look-up);
4. ``riskmodel.explain_person``: that person's rows only, their features with the whole
   data's feature plan, exact SHAP, reasons with the records behind them, the case page.

Each step is printed with its wall time, CPU time and the load average when it ended, beside
the figure before this version (issue 14: about 45 s in all, "because it reads every extract
whole"; this benchmark's explain_person figure on the previous code).

Run::

    .venv/bin/python benchmarks/bench_explain.py
    .venv/bin/python benchmarks/bench_explain.py --young-people 5000
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_score import Timing, train_model  # noqa: E402

TARGET_SECONDS = 5.0
PREVIOUS = {
    "total": "issue 14: about 45 s for one young person",
    "explain_person": "previous code, on bench_score.py's 49,615 young people: 1.12 s wall, 0.39 s CPU "
                      "(a feature plan made from that person's rows alone)",
}


def import_time() -> tuple[float, float]:
    """Wall and CPU seconds of a fresh interpreter importing what ``riskmodel explain`` imports."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import features, riskmodel, training, riskmodel.cli"], check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=50_000)
    parser.add_argument("--trees", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import features
    import training
    from riskmodel import RiskModel, explain_person

    key, signing_key = secrets.token_bytes(32), secrets.token_bytes(32)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data"
        features.synthesize(data, n_young_people=args.young_people, seed=args.seed)
        tables = features.load_extracts(data, key=key).tables
        as_of = training.panel_dates(tables)[-1]
        model, frame = train_model(tables, trees=args.trees, leaves=31, seed=args.seed, as_of=as_of)
        model_path = model.save(Path(folder) / "model", signing_key=signing_key)
        person = str(frame["person_id"].iloc[len(frame) // 2])
        rows = sum(len(t) for t in tables.values())
        print(f"synthetic authority: {len(tables['people']):,} people in the index, {rows:,} tidy rows, "
              f"{len(frame):,} aged 10-18 on {as_of:%Y-%m-%d}; model: {args.trees} trees; "
              f"{len(os.sched_getaffinity(0))} cores; load average at start {os.getloadavg()[0]:.1f}")
        del tables

        wall, cpu = import_time()
        load = Timing(features.load_extracts, data, key=key)
        model_load = Timing(RiskModel.load, model_path, signing_key=signing_key)
        one = Timing(explain_person, model_load.result, load.result.tables, as_of, person,
                     out_dir=Path(folder) / "out")

    total = wall + load.wall + model_load.wall + one.wall
    verdict = "under" if total < TARGET_SECONDS else "over"
    print(f"1. start-up and imports (fresh interpreter): {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"2. reading, validating and pseudonymising every extract: {load.text()}")
    print(f"3. loading and verifying the signed model: {model_load.text()}")
    print(f"4. explain_person (one person's rows, features, SHAP, records, case page): {one.text()}\n"
          f"    before: {PREVIOUS['explain_person']}")
    print(f"total: {total:.2f} s wall; {verdict} the {TARGET_SECONDS:.0f} s target (without the MLflow "
          f"registry look-up)\n    before: {PREVIOUS['total']}")


if __name__ == "__main__":
    main()
