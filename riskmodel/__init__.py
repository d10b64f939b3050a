"""Scoring young people with a signed model, and explaining each score from its records.

Every name below is imported the first time it is asked for (``riskmodel.score_people`` or
``from riskmodel import RiskModel``), not with the package. So ``import riskmodel.cli``
loads neither NumPy nor pandas, and the ``riskmodel`` command can choose how they and Arrow
ask the operating system for memory before either is loaded (:func:`riskmodel.cli.main`).
"""

import importlib

# Each public name, by the module that defines it.
_DEFINED_IN = {
    "CASE_CONTENT_TEMPLATE": "_case_page",
    "CASE_TEMPLATES": "_case_page",
    "case_context": "_case_page",
    "case_filters": "_case_page",
    "case_stylesheet": "_case_page",
    "band_evidence": "_bands",
    "FeatureMismatchError": "_model",
    "ModelIntegrityError": "_signing",
    "ModelVersionWarning": "_model",
    "RiskModel": "_model",
    "SigningKeyError": "_signing",
    "check_key_strength": "_signing",
    "check_keys_differ": "_signing",
    "load_signing_key": "_signing",
    "sign_model_folder": "_signing",
    "verify_model_folder": "_signing",
    "PersonExplanation": "_scoring",
    "PersonNotFoundError": "_scoring",
    "ScoreResult": "_scoring",
    "explain_person": "_scoring",
    "explain_scores": "_explain",
    "score_people": "_scoring",
    "BATCH_FILE": "_scoring",
    "CASES_FILE": "_scoring",
}

__all__ = list(_DEFINED_IN)


def __getattr__(name):
    module = _DEFINED_IN.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # asked once
    return value


def __dir__():
    return sorted({*globals(), *__all__})
