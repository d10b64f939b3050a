"""Benchmark: ``monitor`` on the demo authority's latest batch, and ``mitigate`` on the demo authority.

Synthesises the demo authority (``riskmodel demo``'s generator, seed 0), trains the model
once from its extracts into a throw-away MLflow store (with the monitoring reference), then
times:

1. :func:`training._monitor.monitor_from_data` for the latest batch (the data end): loading
   and pseudonymising the extracts, building that date's features, every drift, volume and
   code check, and writing ``monitor.json`` and ``monitor.html``;
2. :func:`training._mitigate.compare_mitigations` on the same authority's quarterly panel:
   the model as trained, without proxy-prone inputs, fairlearn's equalised-odds reduction
   with LightGBM, and fairlearn's ThresholdOptimizer, each audited with intervals.

Run::

    .venv/bin/python benchmarks/bench_monitor.py                       # 40,000 young people
    .venv/bin/python benchmarks/bench_monitor.py --young-people 5000
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--young-people", type=int, default=40_000)
    parser.add_argument("--data", type=Path, help="An existing synthetic authority (skips synthesis).")
    parser.add_argument("--key-file", type=Path, help="Its pseudonymisation key.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["MLFLOW_TRACKING_URI"] = f"sqlite:///{Path(tmp) / 'mlflow.db'}"
        _run(Path(tmp), args)


def _run(tmp: Path, args) -> None:
    import features
    import training
    from training._mitigate import compare_mitigations
    from training._monitor import monitor_from_data

    data = args.data or tmp / "data"
    if args.data is None:
        features.synthesize(data, n_young_people=args.young_people, seed=0, recording_bias=features.DEFAULT_RECORDING_BIAS)
    key = features.load_pseudonym_key(key_file=args.key_file or tmp / "key", create=args.key_file is None)
    quiet = lambda *a: None  # noqa: E731
    result = training.train_from_data(data, key=key, experiment="bench-monitor", progress=quiet)
    data_end = features.record_span(features.load_extracts(data, key=key).tables)[1]

    started, cpu = time.perf_counter(), time.process_time()
    monitored = monitor_from_data(result.model, data, as_of=data_end, key=key)
    monitored.write(tmp / "monitoring")
    monitor_seconds, monitor_cpu = time.perf_counter() - started, time.process_time() - cpu

    extracts = features.load_extracts(data, key=key)
    feature_set = features.build_features(extracts.tables, training.panel_dates(extracts.tables))
    started, cpu = time.perf_counter(), time.process_time()
    compare_mitigations(feature_set, progress=quiet)
    mitigate_seconds, mitigate_cpu = time.perf_counter() - started, time.process_time() - cpu

    print(f"young people: {args.young_people if args.data is None else 'given data'}; "
          f"batch rows: {monitored.payload['rows']}; panel rows: {len(feature_set.frame)}")
    print(f"monitor (latest batch, as-of {data_end:%Y-%m-%d}): {monitor_seconds:.1f} s wall, "
          f"{monitor_cpu:.1f} s CPU; status {monitored.status}")
    print(f"mitigate (four options, audited): {mitigate_seconds:.1f} s wall, {mitigate_cpu:.1f} s CPU")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
