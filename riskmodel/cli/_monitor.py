"""``riskmodel monitor`` and ``riskmodel mitigate``: keeping checking, and the panel's options.

Exit status of ``monitor``: 0 when every check is ok or watched, 3 when any check is an
alert, 2 on bad input (including a model saved without a monitoring reference).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ._app import (
    AllowSharedKeyFileOption,
    DataOption,
    KeyFileOption,
    app,
    out,
    parse_model,
    progress_steps,
    pseudonym_key,
    read_tables,
    reported_errors,
)
from ._commands import SigningKeyFileOption, signing_key

MONITORING_EXPERIMENT = "riskmodel-monitoring"
GOVERNANCE_EXPERIMENT = "riskmodel-governance"
ModelRef = Annotated[
    str,
    typer.Option("--model", help="Registered model as NAME, NAME@VERSION or NAME/VERSION; latest version by default."),
]


@app.command()
def monitor(
    data: DataOption,
    as_of: Annotated[str, typer.Option("--as-of", help="As-of date of the scoring batch (YYYY-MM-DD).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for monitor.json and monitor.html.")],
    model: ModelRef = "knife-crime-risk",
    key_file: KeyFileOption = None,
    signing_key_file: SigningKeyFileOption = None,
    allow_shared_key_file: AllowSharedKeyFileOption = False,
) -> None:
    """Compare one scoring batch with the registered model's training reference.

    Checks every feature's and the score's population stability index against bins fixed at
    training (watch at 0.1, alert at 0.25), missing shares, band shares, and each source's
    records per month (alert below half its usual volume). Where labels now exist after the
    test period, re-checks discrimination, calibration and fairness. Writes monitor.json and
    monitor.html and logs them to MLflow against the model version.

    Exit status: 0 no alert, 3 at least one alert, 2 bad input.
    """
    from training._monitor import monitor_tables, training_reference_of

    with reported_errors(out_dir), progress_steps() as step:
        key = pseudonym_key(key_file, allow_shared_key_file)
        risk_model = _load_model(model, signing_key(signing_key_file, key))
        training_reference_of(risk_model)  # a model without a reference stops before the extracts are read
        result = monitor_tables(risk_model, read_tables(data, key, step), as_of=as_of)
        paths = result.write(out_dir)
        _log_monitoring(result, paths)
    _say_monitoring(result, paths)
    raise typer.Exit(result.exit_code)


@app.command()
def mitigate(
    data: DataOption,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for mitigation.json and mitigation.html.")],
    record: Annotated[str | None, typer.Option(
        "--record", help="Record the panel's choice (as_trained, without_proxies, equalized_odds, fnr_thresholds) "
                         "with the model version in MLflow; uses DIR/mitigation.json when it exists.")] = None,
    attribute: Annotated[str, typer.Option("--attribute", help="Group column to be fair across.")] = "ethnicity_group",
    model: ModelRef = "knife-crime-risk",
    config: Annotated[Path | None, typer.Option("--config", help="Training configuration (TOML or JSON).")] = None,
    key_file: KeyFileOption = None,
    allow_shared_key_file: AllowSharedKeyFileOption = False,
) -> None:
    """Train and audit the mitigation options side by side on the model's temporal split.

    Options: the model as trained; without proxy-prone inputs; fairlearn's equalised-odds
    reduction with LightGBM; per-group thresholds equalising the miss rate (with the Equality
    Act 2010 warning). Nothing is applied: the output is the trade-off for the panel.
    """
    with reported_errors(out_dir):
        existing = Path(out_dir) / "mitigation.json"
        if record is not None and existing.is_file():
            payload = _read_payload(existing)
        else:
            with progress_steps() as step:
                payload = _compare(data, out_dir, attribute, config, pseudonym_key(key_file, allow_shared_key_file), step)
        if record is not None:
            _record_choice(payload, record, model)
    out.print(f"Mitigation options: {Path(out_dir) / 'mitigation.html'}", soft_wrap=True)
    if record is not None:
        out.print(f"Recorded the panel's choice '{record}' in MLflow ({GOVERNANCE_EXPERIMENT}).")


# --- helpers ------------------------------------------------------------------------------


def _load_model(model: str, key: bytes):
    import training

    name, version = parse_model(model.replace("@", "/", 1))
    return training.load_registered_model(name, version, signing_key=key)


def _log_monitoring(result, paths: dict) -> None:
    """Log monitor.json and monitor.html (aggregates only) against the model version."""
    import shutil
    import tempfile

    from training import _tracking

    p = result.payload
    features = [r["psi"] for r in p["features"] if r["psi"] is not None]
    counts = {s: sum(c["status"] == s for c in p["checks"]) for s in ("ok", "watch", "alert")}
    with tempfile.TemporaryDirectory() as tmp:
        for path in paths.values():
            shutil.copy(path, Path(tmp) / Path(path).name)
        _tracking.log_against_version(
            experiment=MONITORING_EXPERIMENT, run_name=f"monitor {p['as_of']}", name=p["model"]["name"],
            version=p["model"]["version"], params={"as_of": p["as_of"], "rows": p["rows"]},
            metrics={"alerts": counts["alert"], "watches": counts["watch"], "score_psi": p["score"]["psi"],
                     "band_psi": p["bands"]["psi"], "max_feature_psi": max(features, default=None)},
            tags={"status": p["status"], "as_of": p["as_of"]}, folder=tmp,
        )


def _say_monitoring(result, paths: dict) -> None:
    out.print(f"Monitoring status: {result.status}.", highlight=False)
    for finding in result.findings("alert"):
        out.print(f"  alert: {finding}", soft_wrap=True, highlight=False, markup=False)
    for finding in result.findings("watch"):
        out.print(f"  watch: {finding}", soft_wrap=True, highlight=False, markup=False)
    out.print(f"Report: {paths['html']}; JSON: {paths['json']}", soft_wrap=True, highlight=False)


def _compare(data, out_dir, attribute, config, key: bytes, step) -> dict:
    import features
    import training
    from evaluation._mitigation_report import write_mitigation
    from training._mitigate import compare_mitigations

    settings = training.load_config(config) if config else training.TrainingConfig()
    tables = read_tables(data, key, step)
    dates = training.panel_dates(tables, horizon_months=settings.horizon_months,
                                 recording_lag_months=settings.recording_lag_months)
    feature_set = features.build_features(tables, dates, horizon_months=settings.horizon_months,
                                          recording_lag_months=settings.recording_lag_months, progress=step)
    result = compare_mitigations(feature_set, attribute=attribute, config=settings, progress=step)
    write_mitigation(result.payload, out_dir)
    return result.payload


def _read_payload(path: Path) -> dict:
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise ValueError(f"The file '{path}' is not a mitigation.json written by 'riskmodel mitigate'; "
                         "delete it and run the command again.") from None


def _record_choice(payload: dict, choice: str, model: str) -> None:
    from training import _tracking

    allowed = [v["name"] for v in payload.get("variants", []) if v.get("available", True)]
    if choice not in allowed:
        raise ValueError(f"The '--record' option must be one of the options compared ({', '.join(allowed)}); "
                         f"got '{choice}'.")
    name, version = parse_model(model.replace("@", "/", 1))
    version = version or _latest_version(name)
    _tracking.log_against_version(
        experiment=GOVERNANCE_EXPERIMENT, run_name=f"mitigation decision {choice}", name=name, version=version,
        params={"choice": choice, "attribute": payload.get("attribute")}, metrics={},
        tags={"mitigation_choice": choice},
    )


def _latest_version(name: str) -> int:
    import training

    return int(training.load_registered_model(name).metadata["version"])
