"""From a local authority's statutory extracts to a point-in-time feature matrix.

Loaders read and validate each source and pseudonymise identifiers; builders turn the
tidy tables into one row per young person per as-of date, with labels, lineage and a
separate frame of protected characteristics for audits.
"""

from ._registry import CONCEPTS, PROTECTED_CHARACTERISTICS, Feature, FeatureRegistry

__all__ = [
    "CONCEPTS",
    "PROTECTED_CHARACTERISTICS",
    "Feature",
    "FeatureRegistry",
]
