"""Benchmark: sign and verify a model folder, beside the time to load it.

Times, as the median of ``--repeats`` runs:

1. ``riskmodel.sign_model_folder``: SHA-256 of every file, HMAC-SHA256 over the manifest,
   ``signature.json`` written;
2. ``riskmodel.verify_model_folder``: the signature checked, the folder listed, every file
   hashed again;
3. ``RiskModel.load``: verification, then each file read once, checked and parsed
   (LightGBM's booster text, the metadata, the reference distribution).

By default the folder is the latest registered model in the MLflow store in use (the one
``riskmodel demo`` registers, for example); ``--folder`` names any signed model folder.
The signing key is ``RISKMODEL_SIGNING_KEY``, or ``--signing-key-file`` (the demo writes its
key to ``demo-output/signing.key``).

Run::

    .venv/bin/riskmodel demo --out /tmp/demo
    .venv/bin/python benchmarks/bench_signing.py --signing-key-file /tmp/demo/signing.key
    .venv/bin/python benchmarks/bench_signing.py --folder PATH --repeats 50
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path


def registered_folder(destination: Path, name: str) -> Path:
    """Copy the latest registered version's RiskModel folder out of the MLflow store."""
    import mlflow

    from training import _tracking

    with _tracking.quiet_mlflow():
        mlflow.set_tracking_uri(_tracking.tracking_uri())
        version = _tracking._resolve_version(name, None)
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=f"models:/{name}/{version}",
                                                         dst_path=str(destination)))
    return local / "artifacts" / _tracking.MODEL_ARTIFACT


def median_seconds(action, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, help="A signed model folder; default: the latest registered model.")
    parser.add_argument("--name", default="knife-crime-risk", help="Registered model name.")
    parser.add_argument("--signing-key-file", type=Path)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()

    from riskmodel import RiskModel, load_signing_key, sign_model_folder, verify_model_folder

    key = load_signing_key(key_file=args.signing_key_file)
    with tempfile.TemporaryDirectory() as tmp:
        source = args.folder or registered_folder(Path(tmp) / "download", args.name)
        folder = Path(tmp) / "model"
        shutil.copytree(source, folder)
        verify_model_folder(folder, key)  # the copy is the signed original
        files = [p for p in folder.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        sign = median_seconds(lambda: sign_model_folder(folder, key), args.repeats)
        verify = median_seconds(lambda: verify_model_folder(folder, key), args.repeats)
        load = median_seconds(lambda: RiskModel.load(folder, signing_key=key), args.repeats)
        trees = RiskModel.load(folder, signing_key=key).booster.num_trees()
    print(f"model folder: {len(files)} files, {size / 1e6:.2f} MB, {trees} trees")
    print(f"sign:   {sign * 1000:8.2f} ms (median of {args.repeats})")
    print(f"verify: {verify * 1000:8.2f} ms")
    print(f"load (verify + parse): {load * 1000:8.2f} ms; verification is {verify / load:.0%} of it")


if __name__ == "__main__":
    main()
