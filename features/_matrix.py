"""The feature matrix: one row per young person aged 10 to 18 per as-of date.

:func:`build_features` prepares every source once (arrays of person positions and day
numbers), then for each as-of date runs each builder on those arrays, adds the label
and the groups frame. All reductions are per person, so the same code runs on any
partition of people (see :func:`partition_tables`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._builders import BUILDERS, Clock, People
from ._builders._base import NEVER
from ._builders._cohort import as_of_dates, cohort_frame, data_end_day
from ._catalog import default_registry
from ._groups import GROUP_COLUMNS, group_frame, prepare_groups
from ._labels import KNIFE_INVOLVEMENT, LabelDefinition, label_values, prepare_offences, resolve_label
from ._private import private_file
from ._registry import FeatureRegistry

REGISTRY_KEY = b"riskmodel.feature_registry"
LABEL_KEY = b"riskmodel.label_definition"
DATA_END_KEY = b"riskmodel.data_end"


@dataclass
class FeatureSet:
    """A built feature matrix with what is needed to read it.

    Attributes
    ----------
    frame : DataFrame
        ``person_id``, ``as_of``, the features in registry order, ``label`` (Int8, 1/0/<NA>).
    groups : DataFrame
        ``person_id``, ``as_of`` and the audit columns (never model inputs).
    registry : FeatureRegistry
        The declared features, in column order.
    label_definition : LabelDefinition
        The label definition, with the horizon used.
    data_end : Timestamp or None
        Last date the extracts cover (labels past it are empty).
    """

    frame: pd.DataFrame
    groups: pd.DataFrame
    registry: FeatureRegistry
    label_definition: LabelDefinition
    data_end: pd.Timestamp | None = field(default=None)

    @property
    def X(self) -> pd.DataFrame:
        """The model inputs: the feature columns only."""
        return self.frame[self.registry.names]

    @property
    def y(self) -> pd.Series:
        """The label column (nullable Int8)."""
        return self.frame["label"]

    def write(self, path) -> tuple[Path, Path]:
        """Write ``FILE.parquet`` and ``FILE_groups.parquet`` beside it.

        Both files carry the feature registry, the label definition and the data end as
        parquet metadata, and both are owner-only (``0o600``): they describe individual
        young people.

        Returns
        -------
        tuple of Path
            The feature file and the groups file.
        """
        path = Path(path)
        groups_path = groups_path_for(path)
        for frame, target in ((self.frame, path), (self.groups, groups_path)):
            _write_parquet(frame, target, self._metadata())
        return path, groups_path

    @classmethod
    def read(cls, path) -> FeatureSet:
        """Read a feature set written by :meth:`write`.

        Raises
        ------
        ValueError
            If the file has no feature registry or label definition in its metadata.
        """
        import pyarrow.parquet as pq

        path = Path(path)
        table = pq.read_table(path)
        meta = table.schema.metadata or {}
        if REGISTRY_KEY not in meta or LABEL_KEY not in meta:
            raise ValueError(
                f"The file '{path.name}' has no feature registry or label definition in its metadata; "
                "read only files written by FeatureSet.write (riskmodel features)."
            )
        end = meta.get(DATA_END_KEY, b"").decode() or None
        return cls(
            frame=table.to_pandas(),
            groups=pq.read_table(groups_path_for(path)).to_pandas(),
            registry=FeatureRegistry.from_dict(json.loads(meta[REGISTRY_KEY])),
            label_definition=LabelDefinition.from_dict(json.loads(meta[LABEL_KEY])),
            data_end=pd.Timestamp(end) if end else None,
        )

    def _metadata(self) -> dict[bytes, bytes]:
        return {
            REGISTRY_KEY: json.dumps(self.registry.to_dict()).encode(),
            LABEL_KEY: json.dumps(self.label_definition.to_dict()).encode(),
            DATA_END_KEY: (self.data_end.date().isoformat() if self.data_end is not None else "").encode(),
        }


def groups_path_for(path: Path) -> Path:
    """``FILE.parquet`` -> ``FILE_groups.parquet`` in the same folder."""
    path = Path(path)
    return path.with_name(f"{path.stem}_groups{path.suffix or '.parquet'}")


def _write_parquet(frame: pd.DataFrame, path: Path, metadata: dict[bytes, bytes]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = frame.copy()
    frame.attrs = {  # pandas keeps these through parquet: pd.read_parquet(path).attrs
        "registry": json.loads(metadata[REGISTRY_KEY]),
        "label_definition": json.loads(metadata[LABEL_KEY]),
        "data_end": metadata[DATA_END_KEY].decode() or None,
    }
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **metadata})
    with private_file(path, "wb") as handle:
        pq.write_table(table, handle)


def build_features(
    tables: dict[str, pd.DataFrame],
    as_of: Sequence | object,
    *,
    horizon_months: int = 12,
    label: LabelDefinition = KNIFE_INVOLVEMENT,
    registry: FeatureRegistry | None = None,
    data_end=None,
    progress: Callable[[str, float], None] | None = None,
) -> FeatureSet:
    """Point-in-time features and labels for everyone aged 10 to 18 on each as-of date.

    A feature reads only records known on or before its as-of date (see
    ``docs/point-in-time-rules.md``); the label reads only ``(as_of, as_of + horizon]``.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables (``Extracts.tables``, see ``docs/tidy-tables.md``).
    as_of : date-like or sequence of date-like
        One or more as-of dates; they share the preparation work.
    horizon_months : int, default=12
        Label window length in months (1 to 36).
    label : LabelDefinition or str, default=KNIFE_INVOLVEMENT
        Which offences make the label 1 (or its name in ``LABEL_DEFINITIONS``). Its
        ``horizon_months`` is replaced by the ``horizon_months`` option.
    registry : FeatureRegistry, default=None
        The features to build, in column order; by default :func:`default_registry`.
    data_end : date-like, default=None
        Last date the extracts cover; labels whose window runs past it are ``<NA>``. By
        default the latest record date across the tables.
    progress : callable, default=None
        Called as ``progress(description, fraction_done)`` after each as-of date.

    Returns
    -------
    FeatureSet

    Raises
    ------
    ValueError
        If a table or column is missing, the registry names a feature no builder makes,
        or an option is out of range.

    Examples
    --------
    >>> from features._builders._sample import sample_tables
    >>> fs = build_features(sample_tables(200, seed=1), ["2023-03-31"])
    >>> list(fs.frame.columns[:3]), fs.frame.columns[-1]
    (['person_id', 'as_of', 'age_years'], 'label')
    """
    registry = default_registry() if registry is None else registry
    dates = as_of_dates(as_of)
    label = resolve_label(label).with_horizon(horizon_months)
    check_tables(tables)
    end = data_end_day(tables, data_end)
    people = People.from_table(tables["people"])
    builders = builders_for(registry)
    prepared = [(builder, builder.prepare(tables, people)) for builder in builders]
    offences = prepare_offences(tables, people, label)
    groups_prepared = prepare_groups(tables, people)
    frames, groups = [], []
    for done, when in enumerate(dates, start=1):
        clock = Clock(when)
        cohort = cohort_frame(people, clock)
        frames.append(_one_date(prepared, offences, clock, people, cohort, registry, label, end))
        groups.append(group_frame(groups_prepared, clock, people, cohort))
        if progress is not None:
            progress(f"features as of {when.date().isoformat()}", done / len(dates))
    return FeatureSet(
        frame=_concat(frames),
        groups=_concat(groups)[list(GROUP_COLUMNS)],
        registry=registry,
        label_definition=label,
        data_end=pd.Timestamp(np.datetime64(end, "D")) if end > -NEVER else None,
    )


def _one_date(prepared, offences, clock, people, cohort, registry, label, end) -> pd.DataFrame:
    position = cohort["_position"].to_numpy()
    values: dict[str, np.ndarray] = {}
    for builder, arrays in prepared:
        values.update(builder.build(arrays, clock, people))
    columns = {"person_id": cohort["person_id"].to_numpy(), "as_of": cohort["as_of"].to_numpy()}
    columns.update({name: values[name][position].astype(np.float32) for name in registry.names})
    frame = pd.DataFrame(columns)
    frame["person_id"] = frame["person_id"].astype("string")
    frame["label"] = label_values(offences, clock, label.horizon_months, end, people.n)[position]
    return frame


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0].reset_index(drop=True)


def builders_for(registry: FeatureRegistry) -> list:
    """The builder modules that make the registry's features, in builder order.

    Raises
    ------
    ValueError
        If a feature in the registry is made by no builder.
    """
    made = {name: builder for builder in BUILDERS for name in builder.NAMES}
    unknown = [name for name in registry.names if name not in made]
    if unknown:
        raise ValueError(
            f"The registry declares features no builder makes: {', '.join(unknown)}. Use names from "
            "default_registry() (see docs/feature-registry.md), or add a builder for them."
        )
    needed = {made[name] for name in registry.names}
    return [builder for builder in BUILDERS if builder in needed]


def check_tables(tables: dict[str, pd.DataFrame]) -> None:
    """Refuse tables that lack one the builders read, or its columns, naming what is missing."""
    from ._builders._columns import REQUIRED_COLUMNS

    missing_tables = sorted(set(REQUIRED_COLUMNS) - set(tables))
    if missing_tables:
        raise ValueError(
            f"The tables given lack {', '.join(missing_tables)}; pass Extracts.tables from "
            "features.load_extracts, which always holds every table (see docs/tidy-tables.md)."
        )
    problems = [
        f"{name}: {', '.join(sorted(set(columns) - set(tables[name].columns)))}"
        for name, columns in REQUIRED_COLUMNS.items()
        if set(columns) - set(tables[name].columns)
    ]
    if problems:
        raise ValueError(
            f"Some tables lack columns the feature builders read ({'; '.join(problems)}); "
            "the columns are listed in docs/tidy-tables.md."
        )
    repeated = int(tables["people"]["person_id"].duplicated().sum())
    if repeated:
        raise ValueError(
            f"The people table lists {repeated} person(s) more than once; it must hold one row per "
            "person_id, as features.load_extracts gives it."
        )


def partition_tables(tables: dict[str, pd.DataFrame], person_ids) -> dict[str, pd.DataFrame]:
    """Every table cut down to the rows of ``person_ids``.

    Every feature and label depends only on a person's own rows, so building features
    for each partition of people (with the whole data's ``data_end``) and stacking the
    results gives the rows of the whole matrix: the same builders can run per partition
    on Dask or in chunks that fit in memory.
    """
    wanted = pd.Index(pd.unique(np.asarray(person_ids, dtype=object)))
    return {
        name: table.loc[table["person_id"].isin(wanted).to_numpy(bool)].reset_index(drop=True)
        if "person_id" in table.columns else table
        for name, table in tables.items()
    }


def cohort(tables: dict[str, pd.DataFrame], as_of: Sequence | object) -> pd.DataFrame:
    """Everyone aged 10 to 18 (completed years) on each as-of date.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables; only ``people`` is read.
    as_of : date-like or sequence of date-like
        The as-of dates.

    Returns
    -------
    DataFrame
        ``person_id``, ``as_of``, ``age_years`` (age in years, to the month).
    """
    people = People.from_table(tables["people"])
    frames = [cohort_frame(people, Clock(when)).drop(columns="_position") for when in as_of_dates(as_of)]
    return _concat(frames)
