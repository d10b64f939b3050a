"""riskmodel"""

from ._explain import explain_scores
from ._scoring import PersonExplanation, PersonNotFoundError, ScoreResult, explain_person, score_people

__all__ = [
    "PersonExplanation",
    "PersonNotFoundError",
    "ScoreResult",
    "explain_person",
    "explain_scores",
    "score_people",
]
