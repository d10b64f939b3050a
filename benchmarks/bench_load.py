"""Benchmark: load, validate, pseudonymise and link a synthetic authority's extracts.

Usage::

    python benchmarks/bench_load.py [--young-people 50000] [--seed 0] [--data DIR]

Without ``--data`` it writes a synthetic authority with ``features.synthesize`` into a
temporary folder first. Prints the seconds each loading step took, the rows handed on
per tidy table, and the validation totals.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import features

KEY = b"benchmark-key-not-for-real-data!"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=None, help="existing extracts folder")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        data = args.data or _synthesize(Path(scratch) / "data", args.young_people, args.seed)
        _bench(data)


def _synthesize(folder, n, seed):
    start = time.perf_counter()
    features.synthesize(folder, n_young_people=n, seed=seed)
    print(f"synthesize: {n} young people in {time.perf_counter() - start:.1f} s")
    return folder


def _bench(data):
    steps = []

    def progress(name):
        steps.append((name, time.perf_counter()))

    start, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extracts = features.load_extracts(data, key=KEY, progress=progress)
    total = time.perf_counter() - start
    marks = [*steps, ("end", start + total)]
    print("step timings:")
    for (name, began), (_, ended) in zip(marks, marks[1:]):
        print(f"  {name:<16} {ended - began:6.2f} s")
    print(f"load_extracts total: {total:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")
    rows = sum(len(frame) for frame in extracts.tables.values())
    print(f"rows handed on: {rows:,} in {len(extracts.tables)} tables")
    for name, frame in extracts.tables.items():
        print(f"  {name:<24} {len(frame):>10,}")
    print("validation totals:", extracts.report.to_dict()["totals"])


if __name__ == "__main__":
    main()
