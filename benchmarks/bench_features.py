"""Benchmark: time ``features.build_features`` at one as-of date, 5,000 and 50,000 people.

Only ``build_features`` on tables already in memory is timed, never loading. Two kinds of
input:

- ``tables``: random tidy tables built directly with numpy (``features._builders._sample``);
- ``synth``: the synthetic authority (``features.synthesize``) read by ``features.load_extracts``.

By default a size counts the young people aged 10 to 18 on the as-of date (the rows
built); ``--count people`` counts everyone generated instead. Targets: 50,000 young
people in 10 seconds or less, and 10 times the people in at most
12 times the time.

Run::

    .venv/bin/python benchmarks/bench_features.py              # both inputs
    .venv/bin/python benchmarks/bench_features.py --input tables --sizes 5000 50000
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

AS_OF = "2024-03-31"
TARGET_SECONDS = 10.0
TARGET_GROWTH = 12.0


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
    parser.add_argument("--input", choices=("tables", "synth", "both"), default="both")
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 50_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--count", choices=("cohort", "people"), default="cohort",
                        help="sizes count young people aged 10-18 on the as-of date (default) or everyone generated")
    args = parser.parse_args()
    kinds = ("tables", "synth") if args.input == "both" else (args.input,)
    for kind in kinds:
        try:
            run(kind, args.sizes, args.repeats, args.count)
        except Exception as error:  # noqa: BLE001 - a benchmark reports and moves on
            print(f"{kind:>6}  could not run: {type(error).__name__}: {str(error)[:200]}")


if __name__ == "__main__":
    main()
