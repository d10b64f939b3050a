"""Fairness audit and governance report for any table of scores, labels and groups.

``evaluation`` imports nothing from the rest of the library, so it audits
another tool's scores as readily as ours. It also holds the library's one
ROC AUC, its one person-clustered bootstrap and its one calibration binning,
which training uses too.
"""

from ._audit import audit_scores
from ._auc import roc_auc_replicates, roc_auc_score
from ._calibration import calibration_bins
from ._compare import compare_audits_html
from ._disparities import interval as bootstrap_interval
from ._dpia import write_dpia_draft
from ._errors import AuditInputError
from ._files import audit_files
from ._resample import PersonBootstrap
from ._result import AuditResult
from ._spec import AuditSpec, on_score
from ._suppression import suppress_counts
from ._tables import read_scores_table
from ._transparency import write_transparency_record

__all__ = [
    "audit_scores",
    "audit_files",
    "AuditSpec",
    "on_score",
    "AuditResult",
    "AuditInputError",
    "read_scores_table",
    "write_transparency_record",
    "write_dpia_draft",
    "compare_audits_html",
    "suppress_counts",
    "roc_auc_score",
    "roc_auc_replicates",
    "PersonBootstrap",
    "calibration_bins",
    "bootstrap_interval",
]
