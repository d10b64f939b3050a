"""riskmodel"""

from ._model import FeatureMismatchError, ModelIntegrityError, ModelVersionWarning, RiskModel
from ._explain import explain_scores
from ._scoring import PersonExplanation, PersonNotFoundError, ScoreResult, explain_person, score_people

__all__ = [
    "FeatureMismatchError",
    "ModelIntegrityError",
    "ModelVersionWarning",
    "RiskModel",
    "PersonExplanation",
    "PersonNotFoundError",
    "ScoreResult",
    "explain_person",
    "explain_scores",
    "score_people",
]
