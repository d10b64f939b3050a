"""Benchmark: load, validate, pseudonymise and link a synthetic authority's extracts.

Usage::

    python benchmarks/bench_load.py [--young-people 50000] [--seed 0] [--data DIR]

Without ``--data`` it writes a synthetic authority with ``features.synthesize`` into a
temporary folder first. Prints the seconds each loading step took, the peak memory of
the load (this process's resident size, sampled every 20 ms, above what it held before)
beside the previous version's, the rows handed on per tidy table and their size, and the
validation totals.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
import warnings
from pathlib import Path

import features

KEY = b"benchmark-key-not-for-real-data!"
PREVIOUS_PEAK = ("previous version (every source's raw tables held until all were tidied, each CSV's "
                 "decoded text held while Arrow parsed it): 0.9 GB above the start for 50,000 young "
                 "people, 12.9 GB for 1,000,000")


class PeakMemory:
    """The highest resident size of this process while the block runs, sampled every 20 ms."""

    def __enter__(self):
        self.start = self.peak = _resident()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _resident())

    def _watch(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _resident())


def _resident() -> int:
    """This process's resident bytes now (Linux ``/proc/self/statm``)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


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
    with warnings.catch_warnings(), PeakMemory() as memory:
        warnings.simplefilter("ignore")
        extracts = features.load_extracts(data, key=KEY, progress=progress)
    total = time.perf_counter() - start
    marks = [*steps, ("end", start + total)]
    print("step timings:")
    for (name, began), (_, ended) in zip(marks, marks[1:]):
        print(f"  {name:<16} {ended - began:6.2f} s")
    print(f"load_extracts total: {total:.1f} s wall, {time.process_time() - cpu:.1f} s CPU")
    held = sum(int(frame.memory_usage(deep=True).sum()) for frame in extracts.tables.values())
    print(f"peak memory of the load: {(memory.peak - memory.start) / 1e9:.2f} GB above the "
          f"{memory.start / 1e9:.2f} GB held before; the tidy tables hold {held / 1e9:.2f} GB\n"
          f"  before: {PREVIOUS_PEAK}")
    rows = sum(len(frame) for frame in extracts.tables.values())
    print(f"rows handed on: {rows:,} in {len(extracts.tables)} tables")
    for name, frame in extracts.tables.items():
        print(f"  {name:<24} {len(frame):>10,}")
    print("validation totals:", extracts.report.to_dict()["totals"])


if __name__ == "__main__":
    main()
