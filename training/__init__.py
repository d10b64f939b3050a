"""From a feature matrix to a registered model.

Temporal splits with a gap of one horizon, LightGBM with a seeded search and monotone
constraints, calibration on the validation period, baselines on the same split,
test-period metrics with person-clustered bootstrap intervals, MLflow tracking and
registry, and a model card with a fit-for-use verdict.

:func:`fit` does all of it but the tracking and returns a :class:`FitResult` (model,
metrics, audit, verdict, card) without touching MLflow; :func:`train_model` is ``fit``
plus MLflow tracking, signing and registration, and returns a :class:`TrainingResult`.
"""

from importlib import import_module

_EXPORTS = {
    "TrainingConfig": "._config", "load_config": "._config",
    "FitResult": "._fit", "fit": "._fit",
    "read_feature_table": "._input",
    "panel_dates": "._panel", "train_from_data": "._panel", "train_from_tables": "._panel",
    "TemporalSplit": "._split",
    "TrainingResult": "._train", "train_model": "._train",
    "Verdict": "._verdict",
}
"""Where each public name is defined. They are imported on first use (PEP 562): fitting
brings scikit-learn's estimators, SciPy and the report templates, about a second that a
command which only loads a registered model (``riskmodel explain``) should not pay."""


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'training' has no attribute {name!r}")
    value = getattr(import_module(_EXPORTS[name], __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *_EXPORTS])


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


__all__ = sorted([*_EXPORTS, "load_registered_model"])
