"""From a feature matrix to a registered model.

Temporal splits with a gap of one horizon, LightGBM with a seeded search and monotone
constraints, calibration on the validation period, baselines on the same split,
test-period metrics with person-clustered bootstrap intervals, MLflow tracking and
registry, and a model card with a fit-for-use verdict.

:func:`fit` does all of it but the tracking and returns a :class:`FitResult` (model,
metrics, audit, verdict, card) without touching MLflow; :func:`train_model` is ``fit``
plus MLflow tracking, signing and registration, and returns a :class:`TrainingResult`.
"""

from ._config import TrainingConfig, load_config
from ._fit import FitResult, fit
from ._input import read_feature_table
from ._panel import panel_dates, train_from_data
from ._split import TemporalSplit
from ._train import TrainingResult, train_model
from ._verdict import Verdict


def load_registered_model(name: str = "knife-crime-risk", version: int | None = None, *,
                          signing_key: bytes | None = None):
    """Load a registered model version (latest by default) as a verified ``RiskModel``.

    Parameters
    ----------
    name : str, default="knife-crime-risk"
    version : int, optional
    signing_key : bytes, optional
        The model signing key; by default read from ``RISKMODEL_SIGNING_KEY``.

    Returns
    -------
    riskmodel.RiskModel

    Raises
    ------
    ValueError
        If the registered model or version does not exist in the tracking store.
    riskmodel.ModelIntegrityError
        If the model is unsigned, signed with another key, altered in any file, or its
        signature disagrees with the registered version's ``riskmodel.signature`` tag.
    riskmodel.SigningKeyError
        If no signing key is given or configured, or it is weak.
    """
    from ._tracking import load_registered_model as load

    return load(name, version, signing_key=signing_key)


__all__ = [
    "FitResult",
    "TemporalSplit",
    "TrainingConfig",
    "TrainingResult",
    "Verdict",
    "fit",
    "load_config",
    "load_registered_model",
    "panel_dates",
    "read_feature_table",
    "train_from_data",
    "train_model",
]
