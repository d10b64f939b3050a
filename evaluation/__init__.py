"""Fairness audit and governance report for any table of scores, labels and groups.

``evaluation`` imports nothing from the rest of the library, so it audits
another tool's scores as readily as ours.
"""

from ._audit import audit_scores
from ._errors import AuditInputError
from ._result import AuditResult

__all__ = ["audit_scores", "AuditResult", "AuditInputError"]
