"""Benchmark: ``riskmodel features`` end to end for 50,000 young people, and ``build_features`` alone.

``--input command`` (the default) times the whole command a user runs, ``riskmodel features``
on a synthetic authority of 50,000 young people (about 1.95 million source rows), in a
fresh process each time: reading and validating every extract, pseudonymising and
linking, building features and labels at one as-of date, and writing the matrix. Then,
in this process, it times each stage (``load_extracts``, ``build_features``, writing).
Every figure is printed with wall time, CPU time, the load average and rows per second,
beside the previous figure where one was recorded (``PREVIOUS``). Target: under 10 s.

The other inputs time ``build_features`` alone on tables already in memory, never loading:

- ``tables``: random tidy tables built directly with numpy (``features._builders._sample``);
- ``synth``: the synthetic authority (``features.synthesize``) read by ``features.load_extracts``.

By default a size counts the young people aged 10 to 18 on the as-of date (the rows
built); ``--count people`` counts everyone generated instead. Targets: 50,000 young
people in 10 seconds or less, and 10 times the people in at most
12 times the time.

Run::

    .venv/bin/python benchmarks/bench_features.py              # the command, 50,000 young people
    .venv/bin/python benchmarks/bench_features.py --data DIR   # on extracts already written
    .venv/bin/python benchmarks/bench_features.py --input both --sizes 5000 50000
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

AS_OF = "2024-03-31"
TARGET_SECONDS = 10.0
TARGET_GROWTH = 12.0
COMMAND_PEOPLE = 50_000
PREVIOUS = {
    # figure: (seconds, where it comes from)
    "riskmodel features": (7.57, "sources read one at a time, Python's full teardown at exit: mean of 3, "
                                 "load 0.8 (issue 14: about 22 s wall on a busy machine)"),
    "load_extracts": (5.99, "sources read one at a time: mean of 3 wall, load 0.9 (26.1 s CPU before the "
                            "Arrow CSV path)"),
    "build_features": (1.3, "before the Arrow CSV path: 1.3 s CPU (2.5 s wall, load average 14)"),
}


def _load() -> str:
    return "load " + "/".join(f"{value:.1f}" for value in os.getloadavg())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _line(name: str, wall: float, cpu: float, rows: int) -> str:
    before, source = PREVIOUS.get(name, (None, ""))
    then = f"previous {before:5.1f} s ({source})" if before is not None else "no previous figure"
    return (f"{name:<20} {wall:6.2f} s wall  {cpu:6.2f} s CPU  {rows / wall:>10,.0f} rows/s  "
            f"{_load()}  | {then}")


def run_command(data: Path | None, repeats: int, seed: int) -> None:
    """Time ``riskmodel features`` in a fresh process, then each stage in this one."""
    with tempfile.TemporaryDirectory(prefix="bench-features-") as scratch:
        scratch = Path(scratch)
        if data is None:
            data = scratch / "data"
            start = time.perf_counter()
            import features

            features.synthesize(data, n_young_people=COMMAND_PEOPLE, seed=seed)
            print(f"synthetic authority of {COMMAND_PEOPLE:,} young people written in "
                  f"{time.perf_counter() - start:.1f} s (not timed below)")
        key = secrets.token_bytes(32)
        rows = _time_stages(data, key, scratch / "stage.parquet")
        _time_command(data, key, scratch / "features.parquet", repeats, rows)


def _time_command(data: Path, key: bytes, out: Path, repeats: int, rows: int) -> None:
    command = [str(Path(sys.executable).with_name("riskmodel")), "features", "--data", str(data),
               "--as-of", AS_OF, "--out", str(out)]
    env = {**os.environ, "RISKMODEL_PSEUDONYM_KEY": key.hex()}
    walls = []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        print(_line("riskmodel features", walls[-1], _children_cpu() - cpu, rows))
    best = min(walls)
    verdict = "meets" if best <= TARGET_SECONDS else "MISSES"
    print(f"riskmodel features: best {best:.2f} s, median {statistics.median(walls):.2f} s of {repeats} "
          f"({verdict} the {TARGET_SECONDS:g} s target; {rows:,} source rows)")


def _time_stages(data: Path, key: bytes, out: Path) -> int:
    import features

    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extracts = features.load_extracts(data, key=key)
    rows = extracts.report.n_rows_in
    print(_line("load_extracts", time.perf_counter() - start, time.process_time() - cpu, rows))
    start, cpu = time.perf_counter(), time.process_time()
    built = features.build_features(extracts.tables, [AS_OF])
    print(_line("build_features", time.perf_counter() - start, time.process_time() - cpu, rows))
    start, cpu = time.perf_counter(), time.process_time()
    built.write(out)
    print(_line("FeatureSet.write", time.perf_counter() - start, time.process_time() - cpu, len(built.frame)))
    return rows


def tables_from_sample(n_people: int, seed: int = 0) -> dict:
    from features._builders._sample import sample_tables

    return sample_tables(n_people, seed=seed)


def tables_from_synth(n_people: int, seed: int = 0) -> dict:
    import features

    folder = Path(tempfile.mkdtemp(prefix="bench-synth-"))
    features.synthesize(folder, n_young_people=n_people, seed=seed)
    return features.load_extracts(folder, key=b"benchmark-key-not-secret-0000000").tables


def time_build(tables: dict, repeats: int) -> tuple[float, float, float, int]:
    """Best and median wall time and best CPU time of ``build_features`` (seconds), and rows built.

    CPU time is shown too because wall time on a shared machine moves with other load.
    """
    import features

    walls, cpus, rows = [], [], 0
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        built = features.build_features(tables, [AS_OF])
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        rows = len(built.frame)
    return min(walls), statistics.median(walls), min(cpus), rows


def cohort_share(make) -> float:
    """Share of generated people aged 10 to 18 on the as-of date (from a pilot of 2,000)."""
    import features

    return len(features.cohort(make(2_000, seed=1), [AS_OF])) / 2_000


def run(kind: str, sizes: list[int], repeats: int, count: str) -> None:
    print(f"{kind:>6}  {_load()}")
    make = {"tables": tables_from_sample, "synth": tables_from_synth}[kind]
    share = cohort_share(make) if count == "cohort" else 1.0
    results, cpu_results = {}, {}
    for n in sizes:
        tables = make(int(round(n / share)))
        records = sum(len(t) for t in tables.values())
        best, median, cpu, rows = time_build(tables, repeats)
        results[n], cpu_results[n] = best, cpu
        people = len(tables["people"])
        print(f"{kind:>6}  {people:>7,} people  {records:>10,} records  {rows:>7,} aged 10-18  "
              f"build_features best {best:6.2f} s  median {median:6.2f} s  cpu {cpu:6.2f} s")
    largest = max(sizes)
    if largest in results:
        verdict = "meets" if results[largest] <= TARGET_SECONDS * largest / 50_000 else "MISSES"
        print(f"{kind:>6}  {largest:,} {'aged 10-18' if count == 'cohort' else 'people'}: {results[largest]:.2f} s ({verdict} the {TARGET_SECONDS:g} s target "
              f"scaled to this size)")
    if len(sizes) >= 2:
        small, big = min(sizes), max(sizes)
        growth = results[big] / results[small]
        people = big / small
        allowed = TARGET_GROWTH * people / 10
        verdict = "meets" if growth <= allowed else "MISSES"
        cpu_growth = cpu_results[big] / cpu_results[small]
        print(f"{kind:>6}  {people:g}x the people took {growth:.1f}x the wall time ({verdict} the limit of "
              f"{allowed:g}x) and {cpu_growth:.1f}x the CPU time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", choices=("command", "tables", "synth", "both"), default="command",
                        help="the whole riskmodel features command (default), or build_features alone")
    parser.add_argument("--data", type=Path, default=None,
                        help="with --input command: extracts already written (default: synthesize 50,000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--count", choices=("cohort", "people"), default="cohort",
                        help="sizes count young people aged 10-18 on the as-of date (default) or everyone generated")
    args = parser.parse_args()
    if args.input == "command":
        run_command(args.data, args.repeats, args.seed)
        return
    kinds = ("tables", "synth") if args.input == "both" else (args.input,)
    for kind in kinds:
        try:
            run(kind, args.sizes, args.repeats, args.count)
        except Exception as error:  # noqa: BLE001 - a benchmark reports and moves on
            print(f"{kind:>6}  could not run: {type(error).__name__}: {str(error)[:200]}")


if __name__ == "__main__":
    main()
