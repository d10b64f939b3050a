"""Benchmark: the whole pipeline for a region's young people on a two-worker Dask cluster.

For each size it times, on a ``distributed.LocalCluster`` on 127.0.0.1:

- ``synth``: the synthetic authority written block by block of people by
  ``features.synthesize`` (with ``--input tables``, random tidy tables from
  ``features._builders._sample`` instead), in this process;
- ``load``: the extracts read back by ``features.load_extracts``, in this process;
- ``features``: the quarterly training panel (``training.panel_dates``) built per
  partition of people (``features.build_features_distributed``);
- ``train``: ``training.train_model`` with ``lightgbm.dask`` (MLflow in a temporary store);
- ``score``: ``riskmodel.score_people`` at the last panel date, SHAP per block of people,
  scores and explanations written as Parquet parts;

and for each step the wall time, the CPU time of this process and of the workers (their
``time.process_time``), the load average when it ends (the machine may be shared), and
the peak memory of this process and of each worker during the step (resident set size
sampled every second with psutil, plus each process's lifetime peak from the kernel at the
end). With ``--single`` it runs the same steps in this one process too, for the sizes
in ``--single-sizes`` (all by default). With two sizes or more it prints how each step's
time grows from the smallest to the largest (linear growth is a ratio equal to the ratio
of people).

``--driver-limit-gb`` stops a run cleanly when this process passes that much resident
memory (the machine has other work); the step it stopped in and the memory reached are
printed, so "does not fit" comes with its evidence.

Run::

    .venv/bin/python benchmarks/bench_scale.py                          # 100,000 young people
    .venv/bin/python benchmarks/bench_scale.py --young-people 100000 1000000 --single --single-sizes 100000
"""

from __future__ import annotations

import _thread
import argparse
import json
import os
import secrets
import signal
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

STEPS = ("synth", "load", "features", "train", "score")
GB = 1024**3


class DriverLimit(Exception):
    """This process passed ``--driver-limit-gb``: the step does not fit."""


def _rss() -> int:
    import psutil

    return psutil.Process().memory_info().rss


def _cpu() -> float:
    return time.process_time()


def _lifetime_peak() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB


class PeakMemory:
    """Sample this process's and every worker's resident memory in a thread; keep the peaks."""

    def __init__(self, client=None, every: float = 1.0, limit: float | None = None) -> None:
        self.client, self.every, self.peaks, self.limit, self.over = client, every, {}, limit, False
        self._stop = threading.Event()

    def _sample(self) -> None:
        readings = {"this process": _rss()}
        if self.limit is not None and readings["this process"] > self.limit and not self.over:
            self.over = True
            _thread.interrupt_main()
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


def _cpu_now(client) -> dict:
    readings = {"this process": _cpu()}
    if client is not None:
        readings.update(client.run(_cpu))
    return readings


@contextmanager
def timed(results: dict, step: str, client=None, limit_gb: float | None = None):
    start, cpu = time.perf_counter(), _cpu_now(client)
    memory = PeakMemory(client, limit=None if limit_gb is None else limit_gb * GB)
    try:
        with memory:
            yield
    except KeyboardInterrupt:
        if not memory.over:
            raise
        results[step] = {"seconds": time.perf_counter() - start, "peak_rss": memory.peaks, "stopped": True}
        print(f"{_label(client):>7} {results['n']:>9,}  {step:<8} STOPPED after {results[step]['seconds']:.1f} s: "
              f"this process passed {limit_gb} GB (does not fit); peak GB: {_peaks(memory.peaks)}", flush=True)
        raise DriverLimit(step) from None
    after = _cpu_now(client)
    spent = {name: after[name] - cpu.get(name, 0.0) for name in after}
    results[step] = {"seconds": time.perf_counter() - start, "cpu_seconds": spent, "load_average": os.getloadavg(),
                     "peak_rss": memory.peaks}
    workers = sum(v for k, v in spent.items() if k != "this process")
    print(f"{_label(client):>7} {results['n']:>9,}  {step:<8} {results[step]['seconds']:8.1f} s wall, CPU "
          f"{spent['this process']:7.1f} s here + {workers:7.1f} s workers, load {os.getloadavg()[0]:4.2f}   "
          f"peak GB: {_peaks(memory.peaks)}", flush=True)


def _label(client) -> str:
    return "dask" if client is not None else "single"


def _peaks(peaks: dict) -> str:
    workers = [v for k, v in peaks.items() if k != "this process"]
    return (f"this process {peaks['this process'] / GB:5.2f}, workers "
            + (", ".join(f"{v / GB:5.2f}" for v in workers) or "-"))


def make_tables(n: int, args, folder: Path, results: dict, client) -> dict:
    """Tidy tables for ``n`` people (everyone generated: about half are 10-18 on a date)."""
    import features

    if args.input == "tables":
        from features._builders._sample import sample_tables

        with timed(results, "synth", client, args.driver_limit_gb):
            return sample_tables(n, seed=args.seed)
    with timed(results, "synth", client, args.driver_limit_gb):
        summary = features.synthesize(folder / "extracts", n_young_people=n, seed=args.seed)
    results["synth"]["blocks"] = summary["blocks"]
    results["synth"]["source_rows"] = sum(summary["rows"].values())
    with timed(results, "load", client, args.driver_limit_gb):
        return features.load_extracts(folder / "extracts", key=secrets.token_bytes(32)).tables


def pipeline(n: int, args, folder: Path, client=None) -> dict:
    """Run every step for ``n`` people on ``client`` (or in this process); return timings."""
    results: dict = {"n": n}
    try:
        _steps(n, args, folder, client, results)
    except DriverLimit as stopped:
        results["stopped_in"] = str(stopped)
    results["lifetime_peak_rss"] = {"this process": _lifetime_peak()}
    if client is not None:
        results["lifetime_peak_rss"].update(client.run(_lifetime_peak))
    return results


def _steps(n: int, args, folder: Path, client, results: dict) -> None:
    import features
    import riskmodel
    import training

    limit = args.driver_limit_gb
    tables = make_tables(n, args, folder, results, client)
    dates = training.panel_dates(tables)
    if client is None and args.single_steps == "features":
        with timed(results, "features", client, limit):
            rows = len(features.build_features(tables, dates).frame)
        results["features"]["rows"] = rows
        return
    with timed(results, "features", client, limit):
        if client is None:
            feature_set = features.build_features(tables, dates)
        else:
            feature_set = features.build_features_distributed(tables, dates, client=client)
    results["features"]["rows"] = len(feature_set.frame)
    os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{folder / 'mlflow.db'}"
    config = training.TrainingConfig(n_search=args.n_search, n_boot=args.n_boot, audit_n_boot=args.n_boot)
    with timed(results, "train", client, limit):
        trained = training.train_model(feature_set, config=config, client=client, progress=lambda *a, **k: None,
                                         signing_key=secrets.token_bytes(32))
    results["train"]["test_roc_auc"] = trained.metrics["test_roc_auc"]
    results["train"]["test_roc_auc_ci"] = [trained.metrics["test_roc_auc_ci_low"], trained.metrics["test_roc_auc_ci_high"]]
    del feature_set
    with timed(results, "score", client, limit):
        scored = riskmodel.score_people(trained.model, tables, dates[-1], out_dir=folder / "scores",
                                        file_format="parquet", client=client)
    results["score"]["rows"] = len(scored.scores)


def show(label: str, n: int, results: dict) -> None:
    if "stopped_in" in results:
        print(f"{label:>7} {n:>9,}  stopped in {results['stopped_in']}: does not fit under the driver limit", flush=True)
    for step in ("synth", "features", "train", "score"):
        if step not in results:
            continue
        extra = "  ".join(f"{key} {results[step][key]}" for key in ("blocks", "source_rows", "rows", "test_roc_auc",
                                                                      "test_roc_auc_ci") if key in results[step])
        print(f"{label:>7} {n:>9,}  {step:<8} {extra}", flush=True)
    lifetime = ", ".join(f"{v / GB:.2f}" for v in results["lifetime_peak_rss"].values())
    print(f"{label:>7} {n:>9,}  lifetime peak GB (this process, workers): {lifetime}", flush=True)


def growth(label: str, by_size: dict) -> None:
    small, big = min(by_size), max(by_size)
    for step in STEPS:
        a, b = by_size[small].get(step), by_size[big].get(step)
        if a is None or b is None or b.get("stopped"):
            continue
        ratio = b["seconds"] / max(a["seconds"], 1e-9)
        cpu = sum(b["cpu_seconds"].values()) / max(sum(a["cpu_seconds"].values()), 1e-9)
        print(f"{label:>7} {step:<8} {big / small:g}x the people: {ratio:5.1f}x the wall time, {cpu:5.1f}x the CPU time",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, nargs="+", default=[100_000],
                        help="people generated per run (one run per size)")
    parser.add_argument("--input", choices=("tables", "synth"), default="synth")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-per-worker", default="7GB")
    parser.add_argument("--driver-limit-gb", type=float, default=12.0,
                        help="stop a run when this process passes this resident memory")
    parser.add_argument("--n-search", type=int, default=2, help="LightGBM configurations tried")
    parser.add_argument("--n-boot", type=int, default=100, help="bootstrap replicates for intervals")
    parser.add_argument("--single", action="store_true", help="also run the steps in this one process")
    parser.add_argument("--single-sizes", type=int, nargs="+", help="sizes to run in one process (default all)")
    parser.add_argument("--single-steps", choices=("all", "features"), default="all",
                        help="in one process, every step or only up to the features")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    args = parser.parse_args()
    # The memory limit stops a step by interrupting this thread, which needs Python's own
    # SIGINT handler: a shell starts a background job with SIGINT ignored, and then the
    # interrupt would do nothing.
    signal.signal(signal.SIGINT, signal.default_int_handler)

    from riskmodel.cli._dask import dask_client

    everything = {"dask": {}, "single": {}}
    for n in args.young_people:  # a fresh cluster per size, as 'riskmodel ... --scheduler local' starts
        with dask_client("local", args.workers, args.memory_per_worker) as client, \
                tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
            everything["dask"][n] = pipeline(n, args, Path(tmp), client)
        show("dask", n, everything["dask"][n])
        _save(args.json, everything)
    if args.single:
        for n in args.single_sizes or args.young_people:
            with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
                everything["single"][n] = pipeline(n, args, Path(tmp))
            show("single", n, everything["single"][n])
            _save(args.json, everything)
    for label, by_size in everything.items():
        if len(by_size) >= 2:
            growth(label, by_size)


def _save(path: Path | None, everything: dict) -> None:
    """Every figure so far, after each run, so a long benchmark stopped early keeps them."""
    if path is not None:
        path.write_text(json.dumps(everything, indent=2, default=str))


if __name__ == "__main__":
    main()
