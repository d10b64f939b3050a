"""Time the fairness audit's bootstrap against fairlearn's MetricFrame bootstrap.

Both run on the same synthetic data in one process: 50,000 young people, two
group columns (sex x five age bands = 10 intersections), 1,000 replicates.
The audit reports overall, per-column and intersection figures, so fairlearn
is timed doing the same work: one MetricFrame per group column plus one on
both columns, each with ``n_boot`` replicates and the same metrics (counts,
base rate, selection rate, TPR, FPR, FNR, PPV, NPV, ROC AUC, Brier score).

fairlearn's bootstrap is slow, so by default it runs fewer replicates and the
time is extrapolated linearly to 1,000: the frames are timed without a
bootstrap (t0) and with k replicates (tk), and the estimate is
t0 + 1000 * (tk - t0) / k. The output says so. Use ``--fairlearn-boot 1000``
to time it in full.

Every timing prints wall time, this process's CPU time and the load average at the
time, so figures from a shared machine can be judged. ``--people-per-row`` audits the
same rows as young people seen on several as-of dates (``person=``), timing the
person-clustered bootstrap; ``--no-fairlearn`` skips the comparison.

Run:  .venv/bin/python benchmarks/bench_audit.py [--rows 50000] [--boot 1000] [--fairlearn-boot 5]
"""

from __future__ import annotations

import argparse
import os
import time
from functools import partial

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, count, false_negative_rate, false_positive_rate
from fairlearn.metrics import selection_rate, true_positive_rate
from sklearn.metrics import brier_score_loss, precision_score, roc_auc_score

from evaluation import audit_scores

THRESHOLD = 0.2


def synthetic(rows: int, seed: int = 0) -> pd.DataFrame:
    """Scores, outcomes and two group columns with 2 x 5 = 10 intersections."""
    rng = np.random.default_rng(seed)
    score = rng.beta(1.0, 12.0, rows)
    return pd.DataFrame({
        "outcome": (rng.random(rows) < score).astype(int),
        "score": score,
        "sex": rng.choice(["F", "M"], rows, p=[0.45, 0.55]),
        "age_band": rng.choice(["10-11", "12-13", "14-15", "16-17", "18"], rows),
    })


def _flagged(metric, y_true, y_score):
    return metric(y_true, (np.asarray(y_score) >= THRESHOLD).astype(int))


FAIRLEARN_METRICS = {
    "n": count,
    "base_rate": lambda y, s: selection_rate(y, y),
    "selection_rate": partial(_flagged, selection_rate),
    "tpr": partial(_flagged, true_positive_rate),
    "fpr": partial(_flagged, false_positive_rate),
    "fnr": partial(_flagged, false_negative_rate),
    "ppv": partial(_flagged, partial(precision_score, zero_division=np.nan)),
    "npv": partial(_flagged, partial(precision_score, pos_label=0, zero_division=np.nan)),
    "roc_auc": roc_auc_score,
    "brier": brier_score_loss,
}


def time_audit(data: pd.DataFrame, n_boot: int, *, person: bool = False) -> tuple[float, float]:
    """Wall and CPU seconds for one full audit (bootstrap, suppression, verdicts, capacity)."""
    extra = {"person": data["person"]} if person else {}
    start, cpu = time.perf_counter(), time.process_time()
    audit_scores(data["outcome"], y_score=data["score"], threshold=THRESHOLD,
                 sensitive_features=data[["sex", "age_band"]], n_boot=n_boot, random_state=0, **extra)
    return time.perf_counter() - start, time.process_time() - cpu


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} CPUs"


def time_fairlearn(data: pd.DataFrame, n_boot: int | None) -> float:
    """Seconds for MetricFrames covering the same groups as the audit."""
    quantiles = None if n_boot is None else [0.025, 0.975]
    start = time.perf_counter()
    for columns in (["sex"], ["age_band"], ["sex", "age_band"]):
        MetricFrame(metrics=FAIRLEARN_METRICS, y_true=data["outcome"], y_pred=data["score"],
                    sensitive_features=data[columns], n_boot=n_boot,
                    ci_quantiles=quantiles, random_state=0)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--boot", type=int, default=1000)
    parser.add_argument("--fairlearn-boot", type=int, default=5,
                        help="replicates to time fairlearn on (extrapolated to --boot)")
    parser.add_argument("--people-per-row", type=float, default=0.5,
                        help="young people per row for the person-clustered run (0.5: two dates each)")
    parser.add_argument("--no-fairlearn", action="store_true", help="time the audit only")
    args = parser.parse_args()
    data = synthetic(args.rows)
    n_people = max(1, int(args.rows * args.people_per_row))
    data["person"] = np.random.default_rng(1).integers(0, n_people, args.rows)
    cells = data.groupby(["sex", "age_band"]).ngroups
    print(f"data: {args.rows:,} rows, 2 group columns, {cells} intersections, "
          f"{args.boot:,} bootstrap replicates")

    time_audit(data.head(2000), 10)  # warm imports and caches
    print(_load())
    runs = [time_audit(data, args.boot) for _ in range(3)]
    audit_seconds, audit_cpu = min(runs)
    print(f"evaluation.audit_scores: {audit_seconds:.2f} s wall, {audit_cpu:.2f} s CPU "
          f"(best of 3, full audit, rows as young people)")
    try:
        clustered = min(time_audit(data, args.boot, person=True) for _ in range(3))
        print(f"evaluation.audit_scores(person=...): {clustered[0]:.2f} s wall, {clustered[1]:.2f} s CPU "
              f"(best of 3, {n_people:,} young people resampled as clusters)")
    except TypeError:
        print("evaluation.audit_scores(person=...): not supported by this version")
    print(_load())
    if args.no_fairlearn:
        return

    cpu = time.process_time()
    measured = time_fairlearn(data, args.fairlearn_boot)
    if args.fairlearn_boot == args.boot:
        fairlearn_seconds = measured
        print(f"fairlearn MetricFrame(n_boot={args.boot}) x 3 frames: {fairlearn_seconds:.1f} s")
    else:
        base = time_fairlearn(data, None)
        per_replicate = max(measured - base, 0.0) / args.fairlearn_boot
        fairlearn_seconds = base + args.boot * per_replicate
        print(f"fairlearn MetricFrame x 3 frames: {base:.1f} s without bootstrap, {measured:.1f} s "
              f"with n_boot={args.fairlearn_boot} ({per_replicate:.2f} s per replicate); "
              f"extrapolated linearly to n_boot={args.boot}: {fairlearn_seconds:.0f} s")
    print(f"fairlearn CPU time for the runs above: {time.process_time() - cpu:.1f} s")
    print(f"speed-up: {fairlearn_seconds / audit_seconds:.0f}x")
    print(_load())


if __name__ == "__main__":
    main()
