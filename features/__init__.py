"""From a local authority's statutory extracts to a point-in-time feature matrix.

Loaders read and validate each source and pseudonymise identifiers; builders turn the
tidy tables into one row per young person per as-of date, with labels, lineage and a
separate frame of protected characteristics for audits.
"""

from ._load import Extracts, load_extracts, validate_extracts
from ._loaders._errors import DataError
from ._loaders._report import ValidationReport
from ._private import private_file, private_folder, write_private_bytes, write_private_text
from ._pseudonym import Pseudonymiser, check_key_strength, key_weakness, load_pseudonym_key
from ._registry import CONCEPTS, PROTECTED_CHARACTERISTICS, PROTECTED_INPUTS, Feature, FeatureRegistry
from ._catalog import default_registry
from ._labels import (
    KNIFE_INVOLVEMENT,
    KNIFE_INVOLVEMENT_V1,
    KNIFE_OR_OFFENSIVE_WEAPON,
    KNIFE_POSSESSION,
    LABEL_DEFINITIONS,
    LABEL_VERSIONS,
    LabelDefinition,
    build_labels,
    label_report,
    resolve_label,
)
from ._lineage import trace_feature, trace_features
from ._builders._cohort import DEFAULT_RECORDING_LAG_MONTHS, NOT_IN_COHORT, UNPLACED_REASONS, label_cut_off, record_span, source_spans
from ._builders._known import known_sources
from ._matrix import FeatureSet, build_features, cohort, cohort_status_of, partition_tables
from ._distributed import build_features_distributed, person_partition
from ._synth import DEFAULT_RECORDING_BIAS, synthesize, true_labels
from ._store import (KeptTables, PersonRows, extracts_digest, keep_extracts, load_person_rows, read_kept_extracts,
                     read_person_rows)

__all__ = [
    "CONCEPTS",
    "DataError",
    "Extracts",
    "PROTECTED_CHARACTERISTICS",
    "PROTECTED_INPUTS",
    "Feature",
    "FeatureRegistry",
    "Pseudonymiser",
    "ValidationReport",
    "load_extracts",
    "load_pseudonym_key",
    "check_key_strength",
    "key_weakness",
    "private_file",
    "private_folder",
    "write_private_bytes",
    "write_private_text",
    "validate_extracts",
    "default_registry",
    "KNIFE_INVOLVEMENT",
    "KNIFE_INVOLVEMENT_V1",
    "KNIFE_OR_OFFENSIVE_WEAPON",
    "KNIFE_POSSESSION",
    "LABEL_DEFINITIONS",
    "LABEL_VERSIONS",
    "LabelDefinition",
    "build_labels",
    "label_report",
    "resolve_label",
    "trace_feature",
    "trace_features",
    "FeatureSet",
    "build_features",
    "build_features_distributed",
    "person_partition",
    "cohort",
    "cohort_status_of",
    "partition_tables",
    "record_span",
    "source_spans",
    "label_cut_off",
    "known_sources",
    "DEFAULT_RECORDING_LAG_MONTHS",
    "NOT_IN_COHORT",
    "UNPLACED_REASONS",
    "DEFAULT_RECORDING_BIAS",
    "synthesize",
    "true_labels",
    "PersonRows",
    "KeptTables",
    "extracts_digest",
    "keep_extracts",
    "load_person_rows",
    "read_kept_extracts",
    "read_person_rows",
]
