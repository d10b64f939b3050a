"""Fairness audit and governance report for any table of scores, labels and groups.

``evaluation`` imports nothing from the rest of the library, so it audits
another tool's scores as readily as ours.
"""

from ._audit import audit_scores
from ._compare import compare_audits_html
from ._errors import AuditInputError
from ._files import audit_files
from ._result import AuditResult
from ._suppression import suppress_counts
from ._tables import read_scores_table
from ._transparency import write_transparency_record
from ._dpia import write_dpia_draft

__all__ = [
    "audit_scores",
    "audit_files",
    "AuditResult",
    "AuditInputError",
    "read_scores_table",
    "write_transparency_record",
    "write_dpia_draft",
    "compare_audits_html",
    "suppress_counts",
]
