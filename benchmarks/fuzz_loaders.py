"""Long fuzzing run of every loader with damaged extracts.

Usage::

    python benchmarks/fuzz_loaders.py [--examples 20000] [--seed 0] [--loader nccis/activity.csv]

Runs the harness of ``tests/features/_fuzz_loaders.py`` (random bytes, random mutations of
valid files, truncations, mixed encodings, huge fields; a marker value planted in each
file) with ``--examples`` cases shared out over the loaders, from a fixed ``--seed``.
Prints, per loader, the cases run, how many ended in a DataError naming the file and how
many loaded, then the first failure found (hypothesis shrinks it), if any. Exit status 1
when a case broke the contract.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "features"))

from _fuzz_loaders import TARGETS, check_load, damaged  # noqa: E402
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20_000, help="cases in all, shared over the loaders")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--loader", action="append", choices=TARGETS, help="fuzz only this file (repeatable)")
    args = parser.parse_args()
    targets = args.loader or TARGETS
    per_loader = max(1, args.examples // len(targets))
    failed = 0
    start = time.perf_counter()
    for relpath in targets:
        outcomes, error = _fuzz(relpath, per_loader, args.seed)
        failed += error is not None
        print(f"{relpath}: {sum(outcomes.values())} cases, {outcomes['error']} DataError, "
              f"{outcomes['loaded']} loaded" + ("" if error is None else " -- CONTRACT BROKEN"), flush=True)
        if error is not None:
            print(error, flush=True)
    total = time.perf_counter() - start
    print(f"{per_loader * len(targets)} cases asked for in {total:.0f} s; {failed} loader(s) broke the contract")
    return 1 if failed else 0


def _fuzz(relpath: str, examples: int, random_seed: int):
    outcomes = Counter()

    @seed(random_seed)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(content=damaged(relpath))
    def run(content):
        outcomes[check_load(relpath, content)] += 1

    try:
        run()
    except Exception:  # noqa: BLE001 - report the shrunk counter-example and go on
        return outcomes, traceback.format_exc(limit=-6)
    return outcomes, None


if __name__ == "__main__":
    raise SystemExit(main())
