"""Turn what a user hands to training into one checked, ordered table.

Training accepts a :class:`features.FeatureSet` or any DataFrame with ``person_id``,
``as_of`` and ``label`` columns (a data scientist's own feature table). Either way this
module checks the contract, refuses protected characteristics as inputs unless the registry
justifies them, drops rows whose label window is not yet complete, sorts rows so results do
not depend on input order, and fingerprints the result (a hash, never the data).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from features import PROTECTED_CHARACTERISTICS, FeatureRegistry, LabelDefinition

KEYS = ("person_id", "as_of")
LABEL = "label"
PROTECTED_COLUMNS = frozenset(
    {*PROTECTED_CHARACTERISTICS, "ethnicity_group", "sen_provision", "sen_type", "gender", "religion"}
)
USER_LABEL = LabelDefinition(
    name="user-provided label", version="unversioned",
    description="The 'label' column of a user-provided feature table; its definition was not supplied with the table.",
)
PROXY_COLUMNS = frozenset({"area", "postcode", "postcode_district", "fsm", "fsm_eligible", "school", "school_urn"})


@dataclass(frozen=True)
class TrainingData:
    """A checked feature table ready for splitting.

    Attributes
    ----------
    frame : DataFrame
        ``person_id``, ``as_of``, the features and ``label`` (int 0/1), sorted by as-of date
        then person, with a fresh RangeIndex.
    feature_names : list of str
    registry : FeatureRegistry
        Declarations of those features that have one (may be empty for a user's own table).
    label_definition : features.LabelDefinition
    groups : DataFrame or None
        Group columns aligned row for row with ``frame`` (no identifiers), for the audit.
    fingerprint : str
        SHA-256 of the checked table (column names, dtypes and values).
    notes : tuple of str
        Plain statements of what was dropped or assumed, for the run and the model card.
    provenance : dict
        Data end dates and the label cut-off, in words, for the model card.
    """

    frame: pd.DataFrame
    feature_names: list
    registry: FeatureRegistry
    label_definition: LabelDefinition
    groups: pd.DataFrame | None
    fingerprint: str
    notes: tuple = ()
    provenance: dict = field(default_factory=dict)


def prepare_training_data(data, *, groups=None) -> TrainingData:
    """Check and normalise a FeatureSet or DataFrame for training.

    Raises
    ------
    ValueError
        If a required column is missing, labels are not 0/1, a feature is not numeric,
        a protected characteristic is an undeclared input, or rows repeat a person and date.
    """
    frame, registry, label_definition, group_frame, provenance = _unpack(data, groups)
    _check_columns(frame)
    group_frame = _keyed_groups(frame, group_frame)
    notes = unplaced_notes(data)
    frame = _with_clean_keys(frame)
    frame, dropped = _labelled_rows(frame)
    if dropped:
        notes.append(f"{dropped} row(s) without a label (their label window runs past the label cut-off, "
                     "or the label was missing) were left out of training and testing.")
    feature_names = [c for c in frame.columns if c not in (*KEYS, LABEL)]
    _check_features(frame, feature_names, registry)
    notes += [f"The input '{c}' describes where a young person lives or studies, or their family's income: "
              "a proxy for protected characteristics and deprivation. The governance panel should decide "
              "whether it is justified." for c in feature_names if c.lower() in PROXY_COLUMNS]
    frame = frame.sort_values(["as_of", "person_id"], kind="stable").reset_index(drop=True)
    return TrainingData(
        frame=frame,
        feature_names=feature_names,
        registry=FeatureRegistry(tuple(f for f in registry if f.name in set(feature_names))),
        label_definition=label_definition,
        groups=_aligned_groups(frame, group_frame),
        fingerprint=fingerprint(frame),
        notes=tuple(notes),
        provenance=provenance,
    )


def fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of a table's column names, dtypes and values (row order matters)."""
    digest = hashlib.sha256()
    digest.update("|".join(f"{c}:{frame[c].dtype}" for c in frame.columns).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def read_feature_table(path):
    """Read a feature table for training: Parquet or CSV with ``person_id``, ``as_of``, ``label``.

    A Parquet file written by ``FeatureSet.write`` (``riskmodel features``) comes back as a
    ``FeatureSet``, with its registry, label definition and groups file; any other table
    comes back as a DataFrame.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    """
    from pathlib import Path

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"The feature table '{path}' does not exist.")
    if path.suffix.lower() in (".csv", ".txt"):
        return pd.read_csv(path, parse_dates=["as_of"])
    try:
        from features import FeatureSet

        return FeatureSet.read(path)
    except (ValueError, FileNotFoundError, OSError, ImportError):
        return pd.read_parquet(path)


# --- helpers ---------------------------------------------------------------------------


def _unpack(data, groups):
    if hasattr(data, "frame") and hasattr(data, "registry"):
        label = getattr(data, "label_definition", None)
        provenance = {k: f"{pd.Timestamp(getattr(data, k)):%Y-%m-%d}" for k in ("data_start", "data_end")
                      if getattr(data, k, None) is not None}
        provenance.update(_dates_used(getattr(data, "dates", None) or {}))
        return (data.frame, data.registry, _as_label(label),
                groups if groups is not None else getattr(data, "groups", None), provenance)
    if not isinstance(data, pd.DataFrame):
        raise ValueError(
            f"Training needs a features.FeatureSet or a pandas DataFrame; got {type(data).__name__}."
        )
    registry = data.attrs.get("registry")
    if registry is not None and not isinstance(registry, FeatureRegistry):
        registry = FeatureRegistry.from_dict(registry)
    label = data.attrs.get("label_definition") or USER_LABEL
    provenance = {"data_end": str(data.attrs["data_end"])} if data.attrs.get("data_end") else {}
    return data, registry or FeatureRegistry(), _as_label(label), groups, provenance


def _dates_used(dates: dict) -> dict:
    """The card's lines for each source's data end and the label cut-off."""
    out = {f"data end ({source.replace('_', ' ')})": end or "no dated records"
           for source, end in (dates.get("source_ends") or {}).items()}
    if dates.get("label_end"):
        out["label cut-off"] = (
            f"{dates['label_end']} (the youth justice extract's end less a recording lag of "
            f"{dates.get('recording_lag_months')} months; no label window ends after it)")
    return out


def unplaced_notes(data) -> list[str]:
    """"N young person-date(s) could not be scored because ..." for a FeatureSet; none otherwise."""
    summary = getattr(data, "unplaced_summary", None)
    return list(summary()) if callable(summary) else []


def _as_label(label) -> LabelDefinition:
    """A FeatureSet's definition as it is; a table's stored one (a dict) read by ``from_dict``."""
    if label is None:
        return LabelDefinition(name="unknown", version="unversioned", description="No label definition was supplied.")
    if isinstance(label, LabelDefinition):
        return label
    return LabelDefinition.from_dict(dict(label))


def _check_columns(frame: pd.DataFrame) -> None:
    missing = [c for c in (*KEYS, LABEL) if c not in frame.columns]
    if missing:
        raise ValueError(
            f"The feature table lacks the column(s) {', '.join(missing)}. A table for training "
            "needs 'person_id', 'as_of' and 'label' (0/1) plus one column per feature."
        )


def _with_clean_keys(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    try:
        frame["as_of"] = pd.to_datetime(frame["as_of"]).astype("datetime64[ns]")
    except (ValueError, TypeError):
        raise ValueError(
            "The 'as_of' column of the feature table holds values that are not dates; "
            "use ISO dates (YYYY-MM-DD)."
        ) from None
    if frame["as_of"].isna().any():
        raise ValueError(
            f"{int(frame['as_of'].isna().sum())} row(s) of the feature table have no 'as_of' date; "
            "every row needs one."
        )
    repeated = int(frame.duplicated(list(KEYS)).sum())
    if repeated:
        raise ValueError(
            f"{repeated} row(s) of the feature table repeat a person and as-of date already "
            "present; each person may appear once per as-of date. Remove the duplicates."
        )
    return frame


def _labelled_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    label = pd.to_numeric(frame[LABEL], errors="coerce")
    bad = int((label.notna() & ~label.isin([0, 1])).sum() + (label.isna() & frame[LABEL].notna()).sum())
    if bad:
        raise ValueError(
            f"{bad} row(s) of the feature table have a 'label' that is not 0, 1 or missing. "
            "The label must be 1 for the outcome, 0 for none, missing when not yet known."
        )
    keep = label.notna().to_numpy()
    frame = frame.loc[keep].copy()
    frame[LABEL] = label[keep].astype("int64").to_numpy()
    return frame, int((~keep).sum())


def _check_features(frame: pd.DataFrame, names: list[str], registry: FeatureRegistry) -> None:
    if not names:
        raise ValueError("The feature table has no feature columns besides person_id, as_of and label.")
    justified = {f.name for f in registry.protected}
    protected = [c for c in names if c.lower() in PROTECTED_COLUMNS and c not in justified]
    if protected:
        raise ValueError(
            f"The feature table has protected characteristic column(s) {', '.join(protected)} "
            "as inputs. Protected characteristics are for audits, not model inputs: pass them "
            "as 'groups', or declare the feature in the registry with a written justification."
        )
    wrong = [c for c in names if not (pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c]))]
    if wrong:
        raise ValueError(
            f"The feature column(s) {', '.join(wrong)} are not numeric. Encode them as numbers "
            "or 0/1 flags (missing values are allowed) before training."
        )


def _keyed_groups(frame: pd.DataFrame, groups) -> pd.DataFrame | None:
    """Groups with the feature rows' keys, taken row by row before any row is dropped or moved."""
    if groups is None or set(KEYS) <= set(groups.columns):
        return groups
    if len(groups) != len(frame):
        raise ValueError(
            "The 'groups' table needs 'person_id' and 'as_of' columns to be matched to the "
            "feature rows, or exactly one row per feature row."
        )
    return groups.reset_index(drop=True).assign(person_id=frame["person_id"].to_numpy(),
                                                as_of=frame["as_of"].to_numpy())


def _aligned_groups(frame: pd.DataFrame, groups) -> pd.DataFrame | None:
    if groups is None:
        return None
    groups = groups.copy()
    groups["as_of"] = pd.to_datetime(groups["as_of"]).astype("datetime64[ns]")
    groups = groups.drop_duplicates(list(KEYS))
    aligned = frame[list(KEYS)].merge(groups, on=list(KEYS), how="left", validate="one_to_one")
    return aligned.drop(columns=list(KEYS)).reset_index(drop=True)


def positives_by_period(label: np.ndarray, period: np.ndarray) -> dict:
    """Rows and positive labels in each period, for the run record and the model card."""
    out = {}
    for name in ("train", "validation", "test"):
        mask = period == name
        out[name] = {"rows": int(mask.sum()), "positives": int(label[mask].sum())}
    return out
