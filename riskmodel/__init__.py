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
from ._explain import explain_scores
from ._scoring import PersonExplanation, PersonNotFoundError, ScoreResult, explain_person, score_people

__all__ = [
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
]
