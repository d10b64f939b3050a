"""The synthetic local authority: realistic statutory extracts with no real child in them.

``synthesize`` writes a whole authority's extracts in the formats of
``docs/data-formats.md`` from a simulated population whose latent risk drives correlated
school, social care and youth justice records, calibrated to published figures
(``docs/synthetic-data.md``). The truth (latent risk, true and recorded offences) is
kept apart in ``_truth/``.
"""

from ._bias import DEFAULT_RECORDING_BIAS
from ._calibration import TARGETS, calibration_figures
from ._synthesize import synthesize
from ._truth_labels import true_labels

__all__ = ["DEFAULT_RECORDING_BIAS", "TARGETS", "calibration_figures", "synthesize", "true_labels"]
