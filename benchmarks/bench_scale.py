"""Benchmark: the whole pipeline for a region's young people on a two-worker Dask cluster.

For each size it times, on a ``distributed.LocalCluster`` on 127.0.0.1:

- ``data``: the tidy tables (random ones from ``features._builders._sample``, or with
  ``--input synth`` the synthetic authority written by ``features.synthesize`` and read
  back by ``features.load_extracts``), in this process;
- ``features``: the quarterly training panel (``training.panel_dates``) built per
  partition of people (``features.build_features_distributed``);
- ``train``: ``training.train_model`` with ``lightgbm.dask`` (MLflow in a temporary store);
- ``score``: ``riskmodel.score_people`` at the last panel date, SHAP per block of people,
  scores and explanations written as Parquet parts;

and the peak memory of this process and of each worker during the step (resident set
size sampled every 0.2 s with psutil, plus each process's lifetime peak from the kernel at
the end). With ``--single`` it runs the same steps in this one process too. With two sizes
or more it prints how each step's time grows from the smallest to the largest (linear
growth is a ratio equal to the ratio of people).

Run::

    .venv/bin/python benchmarks/bench_scale.py                          # 100,000 young people
    .venv/bin/python benchmarks/bench_scale.py --young-people 1000000   # a region
    .venv/bin/python benchmarks/bench_scale.py --young-people 20000 100000 --single
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

STEPS = ("data", "features", "train", "score")
GB = 1024**3


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def _lifetime_peak() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


class PeakMemory:
    """Sample this process's and every worker's resident memory in a thread; keep the peaks."""

    def __init__(self, client=None, every: float = 0.2) -> None:
        self.client, self.every, self.peaks = client, every, {}
        self._stop = threading.Event()

    def _sample(self) -> None:
        readings = {"this process": _rss()}
        if self.client is not None:
            try:
                readings.update(self.client.run(_rss))
            except Exception:  # noqa: BLE001 - a worker busy or restarting misses one sample
                pass
        for name, value in readings.items():
            self.peaks[name] = max(self.peaks.get(name, 0), value)

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def __enter__(self) -> PeakMemory:
        self._sample()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


@contextmanager
def timed(results: dict, step: str, client=None):
    start = time.perf_counter()
    with PeakMemory(client) as memory:
        yield
    results[step] = {"seconds": time.perf_counter() - start, "peak_rss": memory.peaks}
    print(f"{'dask' if client is not None else 'single':>7} {results['n']:>9,}  {step:<8} "
          f"{results[step]['seconds']:8.1f} s   peak GB: {_peaks(memory.peaks)}", flush=True)


def _peaks(peaks: dict) -> str:
    workers = [v for k, v in peaks.items() if k != "this process"]
    return (f"this process {peaks['this process'] / GB:5.2f}, workers "
            + (", ".join(f"{v / GB:5.2f}" for v in workers) or "-"))


def make_tables(n: int, kind: str, seed: int, folder: Path) -> dict:
    """Tidy tables for ``n`` people (everyone generated: about half are 10-18 on a date)."""
    if kind == "tables":
        from features._builders._sample import sample_tables

        return sample_tables(n, seed=seed)
    import features

    features.synthesize(folder / "extracts", n_young_people=n, seed=seed)
    return features.load_extracts(folder / "extracts", key=b"benchmark-key-not-secret-000000").tables


def pipeline(n: int, args, folder: Path, client=None) -> dict:
    """Run every step for ``n`` people on ``client`` (or in this process); return timings."""
    import features
    import riskmodel
    import training

    results: dict = {"n": n}
    with timed(results, "data", client):
        tables = make_tables(n, args.input, args.seed, folder)
    dates = training.panel_dates(tables)
    with timed(results, "features", client):
        if client is None:
            feature_set = features.build_features(tables, dates)
        else:
            feature_set = features.build_features_distributed(tables, dates, client=client)
    results["features"]["rows"] = len(feature_set.frame)
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{folder / 'mlflow.db'}"
    config = training.TrainingConfig(n_search=args.n_search, n_boot=args.n_boot, audit_n_boot=args.n_boot)
    with timed(results, "train", client):
        trained = training.train_model(feature_set, config=config, client=client, progress=lambda *a, **k: None)
    results["train"]["test_roc_auc"] = trained.metrics["test_roc_auc"]
    results["train"]["test_roc_auc_ci"] = [trained.metrics["test_roc_auc_ci_low"], trained.metrics["test_roc_auc_ci_high"]]
    del feature_set
    with timed(results, "score", client):
        scored = riskmodel.score_people(trained.model, tables, dates[-1], out_dir=folder / "scores",
                                        file_format="parquet", client=client)
    results["score"]["rows"] = len(scored.scores)
    results["lifetime_peak_rss"] = {"this process": _lifetime_peak()}
    if client is not None:
        results["lifetime_peak_rss"].update(client.run(_lifetime_peak))
    return results


def show(label: str, n: int, results: dict) -> None:
    for step in ("features", "train", "score"):
        extra = "  ".join(f"{key} {results[step][key]}" for key in ("rows", "test_roc_auc", "test_roc_auc_ci")
                          if key in results[step])
        print(f"{label:>7} {n:>9,}  {step:<8} {extra}", flush=True)
    lifetime = ", ".join(f"{v / GB:.2f}" for v in results["lifetime_peak_rss"].values())
    print(f"{label:>7} {n:>9,}  lifetime peak GB (this process, workers): {lifetime}", flush=True)


def growth(label: str, by_size: dict) -> None:
    small, big = min(by_size), max(by_size)
    for step in STEPS:
        ratio = by_size[big][step]["seconds"] / max(by_size[small][step]["seconds"], 1e-9)
        print(f"{label:>7} {step:<8} {big / small:g}x the people: {ratio:5.1f}x the time", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, nargs="+", default=[100_000],
                        help="people generated per run (one run per size)")
    parser.add_argument("--input", choices=("tables", "synth"), default="tables")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-per-worker", default="10GB")
    parser.add_argument("--n-search", type=int, default=2, help="LightGBM configurations tried")
    parser.add_argument("--n-boot", type=int, default=100, help="bootstrap replicates for intervals")
    parser.add_argument("--single", action="store_true", help="also run every step in this one process")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()

    from riskmodel.cli._dask import dask_client

    everything = {"dask": {}, "single": {}}
    for n in args.young_people:  # a fresh cluster per size, as 'riskmodel ... --scheduler local' starts
        with dask_client("local", args.workers, args.memory_per_worker) as client, \
                tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            everything["dask"][n] = pipeline(n, args, Path(tmp), client)
        show("dask", n, everything["dask"][n])
    if args.single:
        for n in args.young_people:
            with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
                everything["single"][n] = pipeline(n, args, Path(tmp))
            show("single", n, everything["single"][n])
    for label, by_size in everything.items():
        if len(by_size) >= 2:
            growth(label, by_size)
    if args.json:
        args.json.write_text(json.dumps(everything, indent=2, default=str))


if __name__ == "__main__":
    main()
