"""From a feature matrix to a registered model.

Temporal splits with a gap of one horizon, LightGBM with a seeded search and monotone
constraints, calibration on the validation period, baselines on the same split,
test-period metrics with person-clustered bootstrap intervals, MLflow tracking and
registry, and a model card with a fit-for-use verdict.
"""

from ._config import TrainingConfig, load_config
from ._input import read_feature_table
from ._panel import panel_dates, train_from_data
from ._split import TemporalSplit
from ._train import TrainingResult, train_model


def load_registered_model(name: str = "knife-crime-risk", version: int | None = None):
    """Load a registered model version (latest by default) as a verified ``RiskModel``.

    Parameters
    ----------
    name : str, default="knife-crime-risk"
    version : int, optional

    Returns
    -------
    riskmodel.RiskModel

    Raises
    ------
    ValueError
        If the registered model or version does not exist in the tracking store.
    riskmodel.ModelIntegrityError
        If the model's files do not match their checksums.
    """
    from ._tracking import load_registered_model as load

    return load(name, version)


__all__ = [
    "TemporalSplit",
    "TrainingConfig",
    "TrainingResult",
    "load_config",
    "load_registered_model",
    "panel_dates",
    "read_feature_table",
    "train_from_data",
    "train_model",
]
