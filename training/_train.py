"""From a feature table to a tracked, registered, documented model: :func:`train_model`.

:func:`train_model` is :func:`training.fit` plus tracking: it fits on the train and
validation periods exactly as ``fit`` does, opens an MLflow run and logs the configuration
(fit-for-use thresholds included), and only then scores and audits the test period. It
signs and registers the model, writes the model card, and logs every figure and file.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

from evaluation._format import jsonable
from riskmodel._signing import check_key_strength, load_signing_key

from ._config import TrainingConfig
from ._fit import Fitted, FitResult, TestEvaluation, evaluate, fit_result, learn, risk_model
from ._input import prepare_training_data
from ._lgbm import default_threads
from ._metrics import flatten
from ._progress import Reporter


@dataclass(frozen=True)
class TrainingResult(FitResult):
    """What one tracked training run produced: a :class:`FitResult` and where it is recorded.

    Attributes
    ----------
    run_id : str
        The MLflow run.
    model_version : int
        The registered model version.
    card_paths : dict
        ``model_card.md`` and ``model_card.html`` locations in the run's artifact store.

    See :class:`FitResult` for the model, metrics, split, verdict and the test period.
    """

    run_id: str
    model_version: int
    card_paths: dict

    def _headline(self) -> str:
        return f"Registered {self.card.name} version {self.model_version} (run {self.run_id})."

    def summary(self) -> str:
        """Plain-text summary: registered version, split dates, label, headline metrics, verdict."""
        lines = [self._headline(), *self._summary_lines(), f"Model card: {self.card_paths.get('model_card.html')}"]
        return "\n".join(lines + list(self.notes))


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
    say = Reporter(progress)
    prepared = prepare_training_data(data, groups=groups)
    fitted = learn(prepared, config=config or TrainingConfig(), say=say, client=client)
    result = _track(fitted, experiment=experiment, registered_name=registered_name, say=say,
                    signing_key=signing_key, extract_profile=extract_profile)
    say.always(result.summary())
    return result


def _signing_key(signing_key: bytes | None) -> bytes:
    if signing_key is None:
        return load_signing_key()
    check_key_strength(bytes(signing_key), what="The model signing key")
    return bytes(signing_key)


def _track(fitted: Fitted, *, experiment, registered_name, say, signing_key, extract_profile) -> TrainingResult:
    from . import _tracking

    config = fitted.config
    model = risk_model(fitted, {"name": registered_name, "experiment": experiment})
    with _tracking.tracked_run(experiment) as run:
        model.metadata["run_id"] = run.info.run_id
        _tracking.log_params({f"config.{k}": v for k, v in config.to_dict().items()})
        evaluation = evaluate(model, fitted, say=say, extract_profile=extract_profile)
        say.step("Registering the model")
        version, _ = _tracking.log_and_register(model, registered_name=registered_name, signing_key=signing_key,
                                                signature_frame=evaluation.test[model.feature_names].head(0))
        model.metadata["version"] = version
        result = fit_result(model, fitted, evaluation)
        say.step("Writing the model card")
        _log(_tracking, result, fitted, evaluation)
        card_paths = _card_locations(_tracking.run_artifact_uri())
    return TrainingResult(**{f.name: getattr(result, f.name) for f in fields(FitResult)},
                          run_id=run.info.run_id, model_version=version, card_paths=card_paths)


# --- what the run records ---------------------------------------------------------------


def _log(tracking, result: FitResult, fitted: Fitted, evaluation: TestEvaluation) -> None:
    facts = result.card
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "model_card.md").write_text(result.model_card("markdown"), encoding="utf-8")
        (folder / "model_card.html").write_text(result.model_card("html"), encoding="utf-8")
        (folder / "calibration.png").write_bytes(facts.calibration_png)
        for name, record in _documents(result, fitted).items():
            (folder / name).write_text(json.dumps(jsonable(record), indent=2, default=str), encoding="utf-8")
        for name, content in evaluation.fairness.files(_audit_context(facts)).items():
            (folder / name).write_bytes(content)
        tracking.log_run(params=_params(facts, fitted), metrics=_metrics(result.report, fitted),
                         tags=_tags(facts), folder=folder)


def _documents(result: FitResult, fitted: Fitted) -> dict:
    facts, config = result.card, fitted.config
    return {
        "feature_registry.json": fitted.prepared.registry.to_dict(),
        "label_definition.json": facts.label_definition.to_dict(),
        "split.json": {**facts.split, "counts": facts.counts},
        "metrics.json": result.report, "verdict.json": result.verdict.to_dict(),
        "search_trials.json": facts.trials.to_dict(orient="records"),
        "training_config.json": config.to_dict(),
        "environment.json": {"library_versions": facts.library_versions, "code_version": facts.code_version,
                             "seeds": {"random_state": config.random_state},
                             "num_threads": default_threads(config.num_threads)},
    }


def _audit_context(facts) -> dict:
    return {"title": f"Fairness audit of {facts.name} version {facts.version} (test period)",
            "model_name": facts.name, "model_version": str(facts.version),
            "label_definition": facts.label_definition.describe(),
            "data_dates": f"test as-of dates {facts.split['test_dates'][0]} to {facts.split['test_dates'][-1]}"}


def _params(facts, fitted: Fitted) -> dict:
    config, split = fitted.config, fitted.split
    params = {f"config.{k}": v for k, v in config.to_dict().items()}
    params.update({f"lgbm.{k}": v for k, v in facts.params.items()})
    params.update({
        "calibration_method": facts.calibration["method"], "n_features": len(facts.feature_names),
        "n_trees": facts.n_trees, "rule_features": ",".join(facts.rule.features) or "none",
        "label_name": facts.label_definition.name, "label_version": facts.label_definition.version,
        "data_fingerprint": facts.fingerprint, "code_version": facts.code_version,
    })
    for name in ("train", "validation", "test"):
        dates = getattr(split, f"{name}_dates_")
        params[f"{name}_first_as_of"], params[f"{name}_last_as_of"] = f"{dates[0]:%Y-%m-%d}", f"{dates[-1]:%Y-%m-%d}"
    return params


def _metrics(report: dict, fitted: Fitted) -> dict:
    metrics = flatten(report)
    metrics["validation_roc_auc"] = float(fitted.search.trials["validation_roc_auc"].max())
    for method, score in fitted.calibration_scores.items():
        metrics[f"validation_crossfit_{fitted.config.calibration_score}_{method}"] = score
    return metrics


def _tags(facts) -> dict:
    return {"verdict": facts.verdict.status, "label_definition": facts.label_definition.name,
            "data_fingerprint": facts.fingerprint, "code_version": facts.code_version}


def _card_locations(artifact_uri: str) -> dict:
    from urllib.parse import unquote, urlparse

    parsed = urlparse(artifact_uri)
    base = unquote(parsed.path) if parsed.scheme in ("", "file") else artifact_uri
    return {name: f"{base.rstrip('/')}/{name}" for name in ("model_card.md", "model_card.html")}
