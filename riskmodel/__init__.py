"""riskmodel"""

from ._model import FeatureMismatchError, ModelVersionWarning, RiskModel
from ._signing import (
    ModelIntegrityError,
    SigningKeyError,
    check_key_strength,
    check_keys_differ,
    load_signing_key,
    sign_model_folder,
    verify_model_folder,
)
from ._bands import band_evidence
from ._case_page import CASE_CONTENT_TEMPLATE, CASE_TEMPLATES, case_context, case_filters, case_stylesheet
from ._explain import explain_scores
from ._scoring import BATCH_FILE, CASES_FILE, PersonExplanation, PersonNotFoundError, ScoreResult, explain_person, score_people

__all__ = [
    "CASE_CONTENT_TEMPLATE",
    "CASE_TEMPLATES",
    "case_context",
    "case_filters",
    "case_stylesheet",
    "band_evidence",
    "FeatureMismatchError",
    "ModelIntegrityError",
    "ModelVersionWarning",
    "RiskModel",
    "SigningKeyError",
    "check_key_strength",
    "check_keys_differ",
    "load_signing_key",
    "sign_model_folder",
    "verify_model_folder",
    "PersonExplanation",
    "PersonNotFoundError",
    "ScoreResult",
    "explain_person",
    "explain_scores",
    "score_people",
    "BATCH_FILE",
    "CASES_FILE",
]
