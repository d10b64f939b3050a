"""From a local authority's statutory extracts to a point-in-time feature matrix.

Loaders read and validate each source and pseudonymise identifiers; builders turn the
tidy tables into one row per young person per as-of date, with labels, lineage and a
separate frame of protected characteristics for audits.
"""

from ._load import Extracts, load_extracts, validate_extracts
from ._loaders._errors import DataError
from ._loaders._report import ValidationReport
from ._pseudonym import Pseudonymiser, load_pseudonym_key
from ._registry import CONCEPTS, PROTECTED_CHARACTERISTICS, Feature, FeatureRegistry
from ._catalog import default_registry
from ._labels import KNIFE_INVOLVEMENT, KNIFE_POSSESSION, LABEL_DEFINITIONS, LabelDefinition, build_labels
from ._lineage import trace_feature, trace_features
from ._builders._cohort import record_span
from ._matrix import FeatureSet, build_features, cohort, partition_tables
from ._distributed import build_features_distributed, person_partition
from ._synth import DEFAULT_RECORDING_BIAS, synthesize, true_labels

__all__ = [
    "CONCEPTS",
    "DataError",
    "Extracts",
    "PROTECTED_CHARACTERISTICS",
    "Feature",
    "FeatureRegistry",
    "Pseudonymiser",
    "ValidationReport",
    "load_extracts",
    "load_pseudonym_key",
    "validate_extracts",
    "default_registry",
    "KNIFE_INVOLVEMENT",
    "KNIFE_POSSESSION",
    "LABEL_DEFINITIONS",
    "LabelDefinition",
    "build_labels",
    "trace_feature",
    "trace_features",
    "FeatureSet",
    "build_features",
    "build_features_distributed",
    "person_partition",
    "cohort",
    "partition_tables",
    "record_span",
    "DEFAULT_RECORDING_BIAS",
    "synthesize",
    "true_labels",
]
