"""Benchmark: train on the default synthetic authority, search included.

Writes the synthetic authority (about 40,000 young people) once into a cache folder,
loads and pseudonymises it, builds the quarterly panel of as-of dates, and trains with the
default configuration (8-configuration search, calibration, baselines, bootstrap metrics,
fairness audit, MLflow tracking and registration in a temporary store). Prints the time of
each part. Target: training (search included) in 2 minutes or less.

    .venv/bin/python benchmarks/bench_train.py [--young-people N] [--cache DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=40_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "riskmodel-bench-authority")
    parser.add_argument("--generated", action="store_true",
                        help="Skip the synthetic authority: train on a generated feature table of similar "
                             "size (24 quarterly dates x 22,000 young people x 40 features).")
    args = parser.parse_args()
    if args.generated:
        return _generated(args.seed)

    import features
    import training
    from features._synth import synthesize

    data = args.cache / f"n{args.young_people}-seed{args.seed}"
    started = time.perf_counter()
    if not (data / "_truth" / "summary.json").is_file():
        synthesize(data, n_young_people=args.young_people, seed=args.seed)
    synth = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as store:
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{Path(store) / 'mlflow.db'}"
        os.chdir(store)  # MLflow puts artifacts under ./mlruns when the URI is set
        t0 = time.perf_counter()
        extracts = features.load_extracts(data, key=b"benchmark-key-not-secret-0123456789")
        t1 = time.perf_counter()
        config = training.TrainingConfig()
        dates = training.panel_dates(extracts.tables, horizon_months=config.horizon_months)
        feature_set = features.build_features(extracts.tables, dates, horizon_months=config.horizon_months)
        t2 = time.perf_counter()
        steps = []
        c2 = time.process_time()
        result = training.train_model(feature_set, config=config, experiment="benchmark",
                                      progress=lambda message, fraction=None: steps.append((time.perf_counter(), message)))
        t3, c3 = time.perf_counter(), time.process_time()

    frame = feature_set.frame
    print(f"synthetic authority: {args.young_people} young people, seed {args.seed} "
          f"({'written' if synth > 1 else 'cached'} in {synth:.1f} s)")
    print(f"panel: {len(dates)} quarterly as-of dates {dates[0]:%Y-%m-%d} to {dates[-1]:%Y-%m-%d}; "
          f"{len(frame):,} rows x {len(feature_set.registry)} features; "
          f"{int(frame['label'].sum())} positive labels")
    print(f"load and validate extracts: {t1 - t0:6.1f} s")
    print(f"build features and labels:  {t2 - t1:6.1f} s")
    print(f"train (search, calibration, baselines, metrics, audit, MLflow): {t3 - t2:6.1f} s wall, "
          f"{c3 - c2:.1f} s CPU; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    _print_steps(t2, steps, t3)
    print(f"verdict: {result.verdict.status}")
    m = result.metrics
    for metric in ("roc_auc", "pr_auc", "brier", "calibration_slope", "precision_at_50", "precision_at_100",
                   "precision_at_200", "recall_at_100"):
        row = [m.get(f"{prefix}{metric}", float("nan")) for prefix in ("test_", "baseline_logreg_test_", "baseline_rule_test_")]
        print(f"    {metric:<20} model {row[0]:.3f}   logistic regression {row[1]:.3f}   rule {row[2]:.3f}")
    print(f"target: training <= 120 s: {'met' if t3 - t2 <= 120 else 'NOT met'}")
    sys.stdout.flush()


def _print_steps(start: float, steps: list, end: float) -> None:
    previous, label = start, "preparing the table and split"
    for stamp, message in steps:
        print(f"    {stamp - previous:6.1f} s  {label}")
        previous, label = stamp, message
    print(f"    {end - previous:6.1f} s  {label}")


def _generated(seed: int) -> None:
    import numpy as np
    import pandas as pd

    import training

    rng = np.random.default_rng(seed)
    n_people, n_dates, n_features = 22_000, 24, 40
    dates = pd.date_range("2019-06-30", periods=n_dates, freq="QE")
    latent = rng.normal(size=n_people)
    person = np.tile(np.arange(n_people), n_dates)
    risk = latent[person] + rng.normal(scale=0.7, size=len(person))
    columns = {"person_id": np.array([f"{i:016x}" for i in range(n_people)])[person],
               "as_of": np.repeat(dates, n_people)}
    for j in range(n_features):
        weight = rng.uniform(0, 1) if j < 25 else 0.0
        columns[f"feature_{j:02d}"] = rng.poisson(np.exp(weight * risk - 1.5)).astype(float)
    frame = pd.DataFrame(columns)
    frame["label"] = (rng.random(len(frame)) < 1 / (1 + np.exp(-(-7.2 + 1.4 * risk)))).astype(int)
    with tempfile.TemporaryDirectory() as store:
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{Path(store) / 'mlflow.db'}"
        os.chdir(store)
        t0, c0 = time.perf_counter(), time.process_time()
        steps = []
        result = training.train_model(frame, experiment="benchmark",
                                      progress=lambda message, fraction=None: steps.append((time.perf_counter(), message)))
        seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"generated feature table: {len(frame):,} rows x {n_features} features, "
          f"{int(frame['label'].sum())} positive labels (no synthetic authority, no feature building)")
    print(f"train (search, calibration, baselines, metrics, MLflow): {seconds:.1f} s wall, {cpu:.1f} s CPU")
    _print_steps(t0, steps, t0 + seconds)
    print(result.model.metadata.get("split", {}).get("test_dates", [])[:1], "trees:", result.model.booster.num_trees())
    print(f"test ROC AUC {result.metrics['test_roc_auc']:.3f}; verdict: {result.verdict.status}")


if __name__ == "__main__":
    main()
