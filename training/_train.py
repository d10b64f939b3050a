"""From a feature table to a tracked, registered, documented model: :func:`train_model`.

The steps, in order (the test period is only touched in the last scoring step):

1. check the table and split its as-of dates into train, validation and test periods with
   a gap of one horizon between them; print the split dates and the label definition;
2. search LightGBM configurations on train, early-stopped on validation;
3. choose and fit the calibrator on validation (cross-fitted choice);
4. fit the baselines on train (logistic regression; the rule's rates);
5. log the configuration, fit-for-use thresholds included, to MLflow, and only then score
   the test period once, with clustered bootstrap intervals;
6. audit fairness on the test period; judge the verdict on the metrics and the audit;
   track everything in MLflow, register the model, and write the model card.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from riskmodel import band_evidence
from riskmodel._model import RiskModel, library_versions
from riskmodel._signing import check_key_strength, load_signing_key

from ._baselines import find_rule, fit_logistic_baseline, predict_logistic_baseline
from ._calibration import choose_calibrator
from ._card import card_blocks, render_html, render_markdown
from ._card_content import format_interval
from ._config import TrainingConfig
from ._fairness import audit_test_period, flag_count
from ._progress import Reporter
from ._reference import REFERENCE_FILE, training_reference
from ._input import LABEL, TrainingData, label_statement, positives_by_period, prepare_training_data
from ._distributed import DISTRIBUTED_NOTE, baseline_rows, search_booster_distributed
from ._lgbm import as_matrix, default_threads, search_booster
from ._metrics import evaluate_models, flatten
from ._plots import calibration_plot
from ._split import TemporalSplit
from ._verdict import judge



@dataclass
class TrainingResult:
    """What one training run produced.

    Attributes
    ----------
    model : riskmodel.RiskModel
    metrics : dict
        Flat MLflow metric names (``test_roc_auc``, ``baseline_rule_test_roc_auc``, ...).
    report : dict
        The same metrics nested by model, with intervals.
    split : TemporalSplit
    run_id : str
    model_version : int
    card_paths : dict
        ``model_card.md`` and ``model_card.html`` locations in the run's artifact store.
    verdict : dict
    label_definition : dict
    test_predictions : DataFrame
        The test period in memory only (never logged): ``person_id``, ``as_of``, ``label``,
        ``probability`` (the model's) and the group columns when available.
    audit : evaluation.AuditResult or None
        The fairness audit of the test period (None without group columns).
    flag_count : int
        Flags in the audit: the highest scores over the test period, ``capacity`` per
        test as-of date on average.
    notes : list of str
    """

    model: RiskModel
    metrics: dict
    report: dict
    split: TemporalSplit
    run_id: str
    model_version: int
    card_paths: dict
    verdict: dict
    label_definition: dict
    test_predictions: pd.DataFrame
    audit: object = None
    flag_count: int = 0
    notes: list = field(default_factory=list)

    def summary(self) -> str:
        """Plain-text summary: registered version, split dates, label, headline metrics, verdict."""
        m = self.metrics
        lines = [
            f"Registered {self.model.metadata.get('name')} version {self.model_version} (run {self.run_id}).",
            self.split.describe(),
            "Label definition: " + label_statement(self.label_definition),
            f"Test ROC AUC {_ci(m, 'test_roc_auc')}; logistic regression {_ci(m, 'baseline_logreg_test_roc_auc')}; "
            f"simple rule {_ci(m, 'baseline_rule_test_roc_auc')}.",
            f"Verdict: {self.verdict['status']}. " + " ".join(self.verdict["statements"][1:]),
            f"Model card: {self.card_paths.get('model_card.html')}",
        ]
        return "\n".join(lines + self.notes)


def train_model(data, *, config: TrainingConfig | None = None, experiment: str = "knife-crime-risk",
                registered_name: str = "knife-crime-risk", groups=None, progress=None,
                signing_key: bytes | None = None, extract_profile=None, client=None) -> TrainingResult:
    """Train, calibrate, compare, track, register and document a risk model.

    Parameters
    ----------
    data : features.FeatureSet or DataFrame
        A FeatureSet, or any table with ``person_id``, ``as_of``, ``label`` (0/1, missing
        when unknown) and numeric feature columns.
    config : TrainingConfig, optional
    experiment : str, default="knife-crime-risk"
        MLflow experiment name.
    registered_name : str, default="knife-crime-risk"
        Registered model name; each run adds a version.
    groups : DataFrame, optional
        Audit group columns with ``person_id`` and ``as_of`` (a FeatureSet brings its own).
    progress : callable, optional
        Called as ``progress(message)`` or ``progress(message, fraction)``; by default
        messages are printed.
    signing_key : bytes, optional
        The key the registered model is signed with (see :func:`riskmodel.load_signing_key`);
        by default read from ``RISKMODEL_SIGNING_KEY``, before any training starts.
    extract_profile : dict, optional
        Record volumes and code mix of the extracts (``training._reference.extract_profile``),
        stored in the monitoring reference; without it monitoring compares them with the
        batch's own history.
    client : dask.distributed.Client, optional
        Train LightGBM on this Dask cluster (``lightgbm.dask``); everything after the fit
        runs here on the validation and test predictions. Not bit-identical to training in
        this process (see ``training._distributed``).

    Returns
    -------
    TrainingResult

    Raises
    ------
    ValueError
        If the table breaks the input contract, the split has too few as-of dates, or a
        period has no positive label.
    riskmodel.SigningKeyError
        If no signing key is given or configured, or it is weak.
    """
    signing_key = _signing_key(signing_key)
    config = config or TrainingConfig()
    say = Reporter(progress)
    prepared = prepare_training_data(data, groups=groups)
    split = TemporalSplit(
        horizon_months=config.horizon_months, validation_fraction=config.validation_fraction,
        test_fraction=config.test_fraction, validation_start=config.validation_start,
        test_start=config.test_start,
    ).fit(prepared.frame["as_of"])
    period = split.assign(prepared.frame["as_of"])
    counts = positives_by_period(prepared.frame[LABEL].to_numpy(), period)
    _check_counts(counts)
    say.always(split.describe())
    say.always("Label definition: " + label_statement(prepared.label_definition))
    fitted = _fit(prepared, period, config, say, client)
    fitted["extract_profile"] = extract_profile
    return _finish(prepared, split, period, counts, fitted, config, experiment, registered_name, say,
                   signing_key)


def _signing_key(signing_key: bytes | None) -> bytes:
    if signing_key is None:
        return load_signing_key()
    check_key_strength(bytes(signing_key), what="The model signing key")
    return bytes(signing_key)


# --- fitting (train and validation only) ------------------------------------------------


def _fit(prepared: TrainingData, period, config: TrainingConfig, say, client=None) -> dict:
    frame, names = prepared.frame, prepared.feature_names
    train, valid = frame[period == "train"], frame[period == "validation"]
    monotone = prepared.registry.monotone_constraints(names)
    search_on = search_booster
    if client is not None:
        search_on = partial(search_booster_distributed, client=client, person=train["person_id"])
        prepared.notes.append(DISTRIBUTED_NOTE)
    search = search_on(train[names], train[LABEL], valid[names], valid[LABEL],
                       monotone=monotone, config=config, progress=say.step)
    say.step("Calibrating on the validation period")
    valid_logodds = search.booster.predict(as_matrix(valid[names]), raw_score=True)
    calibrator, calibration_scores = choose_calibrator(
        valid_logodds, valid[LABEL].to_numpy(), person=valid["person_id"],
        methods=config.calibration_methods, score=config.calibration_score,
        n_folds=config.calibration_folds, random_state=config.random_state,
    )
    say.step("Fitting the baselines on the training period")
    rule = find_rule(prepared.registry, names, configured=config.rule_features)
    fit_rows = train if client is None else baseline_rows(train, random_state=config.random_state)
    if len(fit_rows) < len(train):
        prepared.notes.append(f"The logistic-regression baseline was fitted on {len(fit_rows):,} of the "
                              f"{len(train):,} training rows (every row of a random set of people).")
    logreg = fit_logistic_baseline(fit_rows[names], fit_rows[LABEL], random_state=config.random_state)
    rates = rule.fit_rates(train, train[LABEL]) if rule.available else None
    return {"search": search, "calibrator": calibrator, "calibration_scores": calibration_scores,
            "reference": calibrator.predict(valid_logodds), "rule": rule, "rule_rates": rates,
            "logreg": logreg}


def _risk_model(prepared: TrainingData, split, fitted: dict, config, extra: dict) -> RiskModel:
    names = prepared.feature_names
    metadata = {
        "split": split.to_dict(), "data_fingerprint": prepared.fingerprint,
        "seeds": {"random_state": config.random_state, "lightgbm_seed": config.random_state},
        "num_threads": default_threads(config.num_threads), "library_versions": library_versions(),
        "calibration": {"method": fitted["calibrator"].method, "scores": fitted["calibration_scores"]},
        "reference_population": "calibrated probabilities of the validation period",
        "data_end": prepared.provenance.get("data_end"), "config": config.to_dict(), **extra,
    }
    return RiskModel(
        booster=fitted["search"].booster, calibrator=fitted["calibrator"], feature_names=names,
        feature_dtypes={c: str(prepared.frame[c].dtype) for c in names}, registry=prepared.registry,
        label_definition=prepared.label_definition, training_probabilities=fitted["reference"],
        band_thresholds=config.band_thresholds, metadata=metadata,
    )


# --- the test period, tracking and the card ---------------------------------------------


def _finish(prepared, split, period, counts, fitted, config, experiment, registered_name, say, signing_key):
    from . import _tracking

    test = prepared.frame[period == "test"]
    model = _risk_model(prepared, split, fitted, config, {
        "name": registered_name, "experiment": experiment, "code_version": _tracking.code_version(),
        "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")})
    with _tracking.tracked_run(experiment) as run:
        model.metadata["run_id"] = run.info.run_id
        _tracking.log_params({f"config.{k}": v for k, v in config.to_dict().items()})
        say.step("Scoring the test period (bootstrap intervals)")
        probabilities, report = _score_test(model, test, fitted, config)
        model.metadata["band_evidence"] = band_evidence(model, probabilities["model"], test[LABEL].to_numpy())
        model.documents[REFERENCE_FILE] = _jsonable(training_reference(
            model, train=prepared.frame[period == "train"], split=split, report=report,
            horizon_months=config.horizon_months, profile=fitted["extract_profile"]))
        say.step("Registering the model")
        version, _ = _tracking.log_and_register(model, registered_name=registered_name, signing_key=signing_key,
                                                signature_frame=test[model.feature_names].head(0))
        model.metadata["version"] = version
        facts = _facts(prepared, split, counts, fitted, config, model, report, probabilities, test, version)
        say.step("Auditing fairness on the test period")
        audit, fairness_files = audit_test_period(test, prepared, period, probabilities["model"], config, facts)
        verdict = judge(report, config, rule=fitted["rule"], audit=audit.to_dict() if audit is not None else None)
        facts["verdict"] = verdict
        say.step("Writing the model card")
        _log(_tracking, facts, report, verdict, fitted, config, prepared, split, counts, fairness_files)
        card_paths = _card_locations(_tracking.run_artifact_uri())
    result = TrainingResult(
        model, flatten(report), report, split, run.info.run_id, version, card_paths, verdict.to_dict(),
        prepared.label_definition, _test_predictions(test, prepared, period, probabilities["model"]),
        audit, flag_count(test, config), list(prepared.notes) + [fitted["rule"].note],
    )
    say.always(result.summary())
    return result


def _score_test(model: RiskModel, test, fitted, config) -> tuple[dict, dict]:
    """The only use of the test period's labels: probabilities and metrics with intervals."""
    probabilities = _test_probabilities(model, test, fitted)
    report = evaluate_models(
        test[LABEL].to_numpy(), probabilities, person=test["person_id"], as_of=test["as_of"],
        capacities=config.reported_capacities, shares=config.capacity_shares,
        n_boot=config.n_boot, random_state=config.random_state,
    )
    return probabilities, report


def _test_predictions(test, prepared, period, probability) -> pd.DataFrame:
    frame = test[["person_id", "as_of", LABEL]].reset_index(drop=True).assign(probability=probability)
    if prepared.groups is not None:
        frame = pd.concat([frame, prepared.groups.loc[period == "test"].reset_index(drop=True)], axis=1)
    return frame


def _test_probabilities(model: RiskModel, test, fitted) -> dict:
    names = model.feature_names
    probabilities = {"model": model.predict_proba(test[names]),
                     "logreg": predict_logistic_baseline(fitted["logreg"], test[names])}
    if fitted["rule"].available:
        low, high = fitted["rule_rates"]
        probabilities["rule"] = np.where(fitted["rule"].flag(test) > 0, high, low)
    return probabilities


def _facts(prepared, split, counts, fitted, config, model, report, probabilities, test, version) -> dict:
    justified = [(f.name, f.protected, f.justification) for f in prepared.registry.protected]
    png = calibration_plot(test[LABEL].to_numpy(), {k: v for k, v in probabilities.items() if k != "rule"},
                           title="Calibration on the test period")
    return {
        "name": model.metadata["name"], "version": version, "run_id": model.metadata["run_id"],
        "created": model.metadata["created"], "code_version": model.metadata["code_version"],
        "fingerprint": prepared.fingerprint, "library_versions": model.metadata["library_versions"],
        "config": config, "split": split.to_dict(), "counts": counts, "registry": prepared.registry,
        "feature_names": prepared.feature_names, "protected_inputs": justified,
        "notes": list(prepared.notes), "provenance": prepared.provenance,
        "label_definition": prepared.label_definition, "params": fitted["search"].params,
        "n_trees": fitted["search"].booster.num_trees(), "trials": fitted["search"].trials,
        "calibration": {"method": fitted["calibrator"].method, "scores": fitted["calibration_scores"],
                        "score": config.calibration_score, "folds": config.calibration_folds},
        "report": report, "rule": fitted["rule"], "calibration_png": png,
    }


def _log(tracking, facts, report, verdict, fitted, config, prepared, split, counts, fairness_files) -> None:
    blocks = card_blocks(facts)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "model_card.md").write_text(render_markdown(blocks), encoding="utf-8")
        (folder / "model_card.html").write_text(render_html(blocks, title=f"Model card: {facts['name']}"), encoding="utf-8")
        (folder / "calibration.png").write_bytes(facts["calibration_png"])
        documents = {
            "feature_registry.json": prepared.registry.to_dict(),
            "label_definition.json": prepared.label_definition,
            "split.json": {**split.to_dict(), "counts": counts},
            "metrics.json": report, "verdict.json": verdict.to_dict(),
            "search_trials.json": fitted["search"].trials.to_dict(orient="records"),
            "training_config.json": config.to_dict(),
            "environment.json": {"library_versions": facts["library_versions"], "code_version": facts["code_version"],
                                 "seeds": {"random_state": config.random_state},
                                 "num_threads": default_threads(config.num_threads)},
        }
        for name, record in documents.items():
            (folder / name).write_text(json.dumps(_jsonable(record), indent=2, default=str), encoding="utf-8")
        for name, content in fairness_files.items():
            (folder / name).write_bytes(content)
        tracking.log_run(params=_params(facts, fitted, config, split), metrics=_metrics(report, fitted, config),
                         tags=_tags(facts, verdict), folder=folder)


def _params(facts, fitted, config, split) -> dict:
    params = {f"config.{k}": v for k, v in config.to_dict().items()}
    params.update({f"lgbm.{k}": v for k, v in fitted["search"].params.items()})
    params.update({
        "calibration_method": fitted["calibrator"].method, "n_features": len(facts["feature_names"]),
        "n_trees": facts["n_trees"], "rule_features": ",".join(fitted["rule"].features) or "none",
        "label_name": facts["label_definition"].get("name"), "label_version": facts["label_definition"].get("version"),
        "data_fingerprint": facts["fingerprint"], "code_version": facts["code_version"],
    })
    for name in ("train", "validation", "test"):
        dates = getattr(split, f"{name}_dates_")
        params[f"{name}_first_as_of"], params[f"{name}_last_as_of"] = f"{dates[0]:%Y-%m-%d}", f"{dates[-1]:%Y-%m-%d}"
    return params


def _metrics(report, fitted, config) -> dict:
    metrics = flatten(report)
    metrics["validation_roc_auc"] = float(fitted["search"].trials["validation_roc_auc"].max())
    for method, score in fitted["calibration_scores"].items():
        metrics[f"validation_crossfit_{config.calibration_score}_{method}"] = score
    return metrics


def _tags(facts, verdict) -> dict:
    return {"verdict": verdict.status, "label_definition": facts["label_definition"].get("name"),
            "data_fingerprint": facts["fingerprint"], "code_version": facts["code_version"]}


# --- small helpers ----------------------------------------------------------------------


def _jsonable(value):
    """Plain JSON: NaN and infinities (a metric with no defined value) become null."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


def _check_counts(counts: dict) -> None:
    empty = [name for name, c in counts.items() if c["positives"] == 0 or c["positives"] == c["rows"]]
    if empty:
        raise ValueError(
            f"The {' and '.join(empty)} period(s) have no rows with the label (or only such rows), so "
            "the model cannot be trained or judged there. Use more as-of dates or a longer span of data."
        )


def _card_locations(artifact_uri: str) -> dict:
    from urllib.parse import unquote, urlparse

    parsed = urlparse(artifact_uri)
    base = unquote(parsed.path) if parsed.scheme in ("", "file") else artifact_uri
    return {name: f"{base.rstrip('/')}/{name}" for name in ("model_card.md", "model_card.html")}


def _ci(metrics: dict, name: str) -> str:
    return format_interval({"value": metrics.get(name), "ci_low": metrics.get(f"{name}_ci_low"),
                            "ci_high": metrics.get(f"{name}_ci_high")})
