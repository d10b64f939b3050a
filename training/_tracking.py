"""MLflow: the one module that imports it. Runs, logging, the registry, loading back.

The tracking store is ``MLFLOW_TRACKING_URI`` if set, else an SQLite database at
``<root>/mlruns/mlflow.db``, where ``<root>`` is the git repository holding the working
directory, or the working directory itself. A new experiment in an SQLite store keeps its
artifacts in an ``artifacts`` folder beside the database (``mlruns/artifacts``).

A trained :class:`riskmodel.RiskModel` is logged as an MLflow pyfunc model whose
``predict`` returns calibrated probabilities. It is logged as code (MLflow's
models-from-code, ``training/_pyfunc_model.py``), so nothing is pickled. The signed RiskModel
folder travels inside it as an artifact, and its signature is recorded as the tag
``riskmodel.signature`` on the registered version. :func:`load_registered_model` verifies
the folder's signature under the signing key and that it agrees with the tag, so neither an
altered folder nor another validly signed folder put in its place is accepted.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import subprocess
import tempfile
import warnings
from pathlib import Path

import mlflow
import mlflow.pyfunc
import pandas as pd
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from riskmodel import ModelIntegrityError, RiskModel

MODEL_ARTIFACT = "riskmodel"
SIGNATURE_TAG = "riskmodel.signature"
PYFUNC_CODE = Path(__file__).with_name("_pyfunc_model.py")
_NOISY_LOGGERS = ("mlflow", "alembic", "sqlalchemy", "urllib3")


def tracking_uri() -> str:
    """The tracking URI in use: ``MLFLOW_TRACKING_URI``, else the local SQLite store."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{_default_root() / 'mlruns' / 'mlflow.db'}"


@contextlib.contextmanager
def quiet_mlflow():
    """Silence MLflow's informational logging and warnings for the duration."""
    levels = {name: logging.getLogger(name).level for name in _NOISY_LOGGERS}
    for name in _NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    progress_bar = os.environ.get("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR")
    os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = "false"
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
            warnings.filterwarnings("ignore", module=r"mlflow(\..*)?")
            warnings.filterwarnings("ignore", category=FutureWarning)
            warnings.filterwarnings("ignore", message=r".*(pydantic|pkg_resources|type hint).*")
            yield
    finally:
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
        if progress_bar is None:
            os.environ.pop("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", None)
        else:
            os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] = progress_bar


class PyfuncRiskModel(mlflow.pyfunc.PythonModel):
    """MLflow pyfunc wrapper: ``predict`` returns calibrated probabilities.

    ``load_context`` loads the RiskModel folder through :meth:`RiskModel.load`, verifying its
    signature under ``RISKMODEL_SIGNING_KEY``.
    """

    def load_context(self, context) -> None:
        self.model = RiskModel.load(context.artifacts[MODEL_ARTIFACT])

    def predict(self, context, model_input: pd.DataFrame, params=None):
        return self.model.predict_proba(model_input)


def use_as_pyfunc_model() -> None:
    """Name :class:`PyfuncRiskModel` as the model of the models-from-code file being run."""
    from mlflow.models import set_model

    set_model(PyfuncRiskModel())


@contextlib.contextmanager
def tracked_run(experiment: str, *, run_name: str | None = None):
    """Start an MLflow run in ``experiment`` (created with the local artifact store if new).

    Only MLflow's own calls are quietened: progress messages and warnings raised inside
    the run (the audit's, the card's) still reach the user.
    """
    with quiet_mlflow():
        uri = tracking_uri()
        mlflow.set_tracking_uri(uri)
        run = mlflow.start_run(experiment_id=_experiment_id(experiment, uri), run_name=run_name)
    status = "FAILED"
    try:
        yield run
        status = "FINISHED"
    finally:
        with quiet_mlflow():
            mlflow.end_run(status)


def log_params(params: dict) -> None:
    """Log parameters to the active run (the same values may be logged again later)."""
    with quiet_mlflow():
        mlflow.log_params({k: _param(v) for k, v in params.items()})


def log_run(*, params: dict, metrics: dict, tags: dict, folder) -> None:
    """Log parameters, finite metrics, tags and every file in ``folder`` to the active run."""
    with quiet_mlflow():
        mlflow.log_params({k: _param(v) for k, v in params.items()})
        mlflow.log_metrics({k: float(v) for k, v in metrics.items() if v is not None and _finite(v)})
        mlflow.set_tags({k: str(v) for k, v in tags.items()})
        mlflow.log_artifacts(str(folder))


def log_and_register(model: RiskModel, *, registered_name: str, signature_frame,
                     signing_key: bytes) -> tuple[int, str]:
    """Sign ``model``, log it as a pyfunc (as code) in the active run and register a new version.

    The new version is tagged with the folder's signature (``riskmodel.signature``).

    Returns
    -------
    version : int
        The new registered model version.
    model_uri : str
    """
    from mlflow.models import infer_signature

    with quiet_mlflow(), tempfile.TemporaryDirectory() as tmp:
        folder = model.save(Path(tmp) / MODEL_ARTIFACT, signing_key=signing_key)
        info = mlflow.pyfunc.log_model(
            name="model",
            python_model=str(PYFUNC_CODE),
            artifacts={MODEL_ARTIFACT: str(folder)},
            signature=infer_signature(signature_frame, model.predict_proba(signature_frame)),
            pip_requirements=_requirements(model),
            registered_model_name=registered_name,
        )
        version = int(info.registered_model_version)
        MlflowClient().set_model_version_tag(registered_name, str(version), SIGNATURE_TAG, model.signature)
    return version, info.model_uri


def run_artifact_uri() -> str:
    """Artifact URI of the active run."""
    return mlflow.get_artifact_uri()


def load_registered_model(name: str = "knife-crime-risk", version: int | None = None, *,
                          signing_key: bytes | None = None) -> RiskModel:
    """Load a registered model version (latest by default) as a verified RiskModel.

    Only the signed RiskModel folder is read (never the pyfunc code or a pickle); its
    signature must hold under the signing key and equal the version's ``riskmodel.signature``
    tag.

    Raises
    ------
    ValueError
        If no such registered model or version exists in the tracking store.
    riskmodel.ModelIntegrityError
        If the folder is unsigned, signed with another key, altered in any file, or its
        signature disagrees with the registry's tag.
    riskmodel.SigningKeyError
        If no signing key is given or configured, or it is weak.
    """
    with quiet_mlflow():
        mlflow.set_tracking_uri(tracking_uri())
        version = _resolve_version(name, version)
        tag = MlflowClient().get_model_version(name, str(version)).tags.get(SIGNATURE_TAG)
        with tempfile.TemporaryDirectory() as tmp:
            uri = f"models:/{name}/{version}"
            local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=tmp))
            model = RiskModel.load(local / "artifacts" / MODEL_ARTIFACT, signing_key=signing_key,
                                   description=f"The registered model '{name}' version {version}")
    _check_registry_tag(name, version, tag, model.signature)
    model.metadata.update({"name": name, "version": int(version)})
    return model


def _check_registry_tag(name: str, version: int, tag: str | None, signature: str) -> None:
    import hmac

    if tag is None or not hmac.compare_digest(str(tag).encode("utf-8"), signature.encode("ascii")):
        problem = "has no 'riskmodel.signature' tag" if tag is None else "has a 'riskmodel.signature' tag that disagrees with its files' signature"
        raise ModelIntegrityError(
            f"The registered model '{name}' version {version} {problem}: the artifact is not the one "
            "registered (it may have been replaced by another signed model), so it was refused. "
            "Do not use it; ask whoever administers the model registry to check the version, or retrain."
        )


# --- helpers ---------------------------------------------------------------------------


def _default_root() -> Path:
    cwd = Path.cwd()
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=cwd, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        return Path(top) if top else cwd
    except (OSError, subprocess.SubprocessError):
        return cwd


def _experiment_id(name: str, uri: str) -> str:
    database = Path(uri.removeprefix("sqlite:///")) if uri.startswith("sqlite:///") else None
    if database is not None:
        database.parent.mkdir(parents=True, exist_ok=True)
    existing = mlflow.get_experiment_by_name(name)
    if existing is not None:
        return existing.experiment_id
    # An SQLite store keeps its artifacts beside it (mlruns/mlflow.db -> mlruns/artifacts);
    # other stores choose their own artifact location.
    location = (database.parent / "artifacts").as_uri() if database is not None else None
    return mlflow.create_experiment(name, artifact_location=location)


def _resolve_version(name: str, version) -> int:
    client = MlflowClient()
    try:
        versions = [int(v.version) for v in client.search_model_versions(f"name='{name}'")]
    except MlflowException:
        versions = []
    if not versions:
        raise ValueError(
            f"No registered model named '{name}' in the MLflow store at {tracking_uri()}. "
            "Train one with 'riskmodel train', or point MLFLOW_TRACKING_URI at the right store."
        )
    if version is None:
        return max(versions)
    if int(version) not in versions:
        raise ValueError(
            f"The registered model '{name}' has no version {version}; it has versions "
            f"{', '.join(map(str, sorted(versions)))}."
        )
    return int(version)


def _requirements(model: RiskModel) -> list[str]:
    versions = model.metadata.get("library_versions", {})
    return [f"{lib}=={versions[lib]}" for lib in ("lightgbm", "numpy", "pandas") if lib in versions]


def _param(value) -> str:
    text = str(value)
    return text if len(text) <= 6000 else text[:5997] + "..."


def _finite(value) -> bool:
    try:
        return float(value) == float(value) and abs(float(value)) != float("inf")
    except (TypeError, ValueError):
        return False


# --- monitoring and mitigation decisions --------------------------------------------------


def log_against_version(*, experiment: str, run_name: str, name: str, version, params: dict, metrics: dict,
                        tags: dict, folder=None) -> str:
    """Log a run tagged with a registered model version, tag the version too; return the run id."""
    with tracked_run(experiment, run_name=run_name) as run:
        with quiet_mlflow():
            mlflow.log_params({k: _param(v) for k, v in params.items()})
            mlflow.log_metrics({k: float(v) for k, v in metrics.items() if v is not None and _finite(v)})
            mlflow.set_tags({"model_name": name, "model_version": str(version), **{k: str(v) for k, v in tags.items()}})
            if folder is not None:
                mlflow.log_artifacts(str(folder))
            for key, value in tags.items():
                MlflowClient().set_model_version_tag(name, str(version), f"{experiment}.{key}", str(value))
    return run.info.run_id
