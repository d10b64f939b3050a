"""Time the synthetic authority, block by block of people, and its peak memory.

50,000 young people (one block) should take well under a minute; a region of 1,000,000 is
written one block at a time, so its peak memory is about that of one block.

Run::

    .venv/bin/python benchmarks/bench_synth.py [N] [SEED] [--people-per-block B]

Prints the wall time, this process's CPU time, the load average when it ends (the machine
may be shared), the peak resident memory (the kernel's lifetime peak for this process),
the blocks and rows written, and the calibration figures (on the first block) against
their published targets.
"""

import argparse
import os
import resource
import tempfile
import time

from features._synth import TARGETS, synthesize
from features._synth._synthesize import PEOPLE_PER_BLOCK

GB = 1024**3


def main(n_young_people=50_000, seed=0, people_per_block=PEOPLE_PER_BLOCK):
    with tempfile.TemporaryDirectory() as out:
        began, cpu = time.perf_counter(), time.process_time()
        summary = synthesize(out, n_young_people=n_young_people, seed=seed, people_per_block=people_per_block)
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux reports KiB
    rows = summary["rows"]
    print(f"synthesize: {n_young_people:,} young people in {summary['blocks']} block(s) of at most "
          f"{people_per_block:,}: {elapsed:.1f} s wall, {cpu:.1f} s CPU, load average {os.getloadavg()[0]:.2f}, "
          f"peak memory {peak / GB:.2f} GB ({sum(rows.values()):,} rows in {len(rows)} files)")
    print(f"calibration figures on the first {summary['figures_people']:,} young people:")
    for name, target in TARGETS.items():
        achieved = summary["figures"][name]
        print(f"  {name:40s} achieved {achieved:9.4f}   target {target:9.4f}   ratio {achieved / target:5.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=50_000)
    parser.add_argument("seed", type=int, nargs="?", default=0)
    parser.add_argument("--people-per-block", type=int, default=PEOPLE_PER_BLOCK)
    args = parser.parse_args()
    main(args.n, args.seed, args.people_per_block)
