"""Time the synthetic authority: 50,000 young people should take well under a minute.

Run with ``.venv/bin/python benchmarks/bench_synth.py [N] [SEED]``; prints the wall time,
rows written and the calibration figures against their published targets.
"""

import sys
import tempfile
import time

from features._synth import TARGETS, synthesize


def main(n_young_people=50_000, seed=0):
    with tempfile.TemporaryDirectory() as out:
        began = time.perf_counter()
        summary = synthesize(out, n_young_people=n_young_people, seed=seed)
        elapsed = time.perf_counter() - began
    rows = summary["rows"]
    print(f"synthesize: {n_young_people:,} young people in {elapsed:.1f} s "
          f"({sum(rows.values()):,} rows in {len(rows)} files)")
    for name, target in TARGETS.items():
        achieved = summary["figures"][name]
        print(f"  {name:40s} achieved {achieved:9.4f}   target {target:9.4f}   ratio {achieved / target:5.2f}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
