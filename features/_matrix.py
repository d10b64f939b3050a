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
from ._builders._cohort import (
    DEFAULT_RECORDING_LAG_MONTHS,
    NOT_IN_COHORT,
    UNPLACED_REASONS,
    as_of_dates,
    check_recording_lag,
    cohort_frame,
    cohort_status,
    data_end_day,
    label_end_day,
    source_spans,
    unplaced_counts,
)
from ._builders._known import Known
from ._catalog import default_registry
from ._groups import GROUP_COLUMNS, group_frame, prepare_groups
from ._loaders._schemas import check_tables
from ._labels import KNIFE_INVOLVEMENT, LabelDefinition, label_values, prepare_offences, resolve_label
from ._private import private_file
from ._registry import FeatureRegistry

REGISTRY_KEY = b"riskmodel.feature_registry"
LABEL_KEY = b"riskmodel.label_definition"
DATA_END_KEY = b"riskmodel.data_end"
DATES_KEY = b"riskmodel.data_dates"


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
        Last date the extracts cover, over every source.
    dates : dict
        The dates the rows rest on: ``source_ends`` (each source's last recording date,
        ISO text or None), ``label_end`` (the label cut-off: no label window ends after it),
        ``recording_lag_months``, and ``unlabelled`` (rows whose window runs past the cut-off).
    unplaced : DataFrame
        Per as-of date (``as_of``) and reason (``reason``, one of ``UNPLACED_REASONS``),
        ``n``: young people in the people index who could not be placed in the cohort.
    """

    frame: pd.DataFrame
    groups: pd.DataFrame
    registry: FeatureRegistry
    label_definition: LabelDefinition
    data_end: pd.Timestamp | None = field(default=None)
    dates: dict = field(default_factory=dict)
    unplaced: pd.DataFrame = field(default_factory=lambda: unplaced_frame([]))

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
        dates = json.loads(meta.get(DATES_KEY, b"{}"))
        return cls(
            frame=table.to_pandas(),
            groups=pq.read_table(groups_path_for(path)).to_pandas(),
            registry=FeatureRegistry.from_dict(json.loads(meta[REGISTRY_KEY])),
            label_definition=LabelDefinition.from_dict(json.loads(meta[LABEL_KEY])),
            data_end=pd.Timestamp(end) if end else None,
            dates={k: v for k, v in dates.items() if k != "unplaced"},
            unplaced=unplaced_frame(dates.get("unplaced", [])),
        )

    def unplaced_summary(self) -> list[str]:
        """One sentence per reason, over the as-of dates: "N young person-date(s) could not be scored
        because ..." (N may be 0: the card says so rather than stay silent).

        Counts are person-date rows: one young person missing at four as-of dates counts four
        times, as they would have been four rows.
        """
        totals = self.unplaced.groupby("reason", sort=False)["n"].sum() if len(self.unplaced) else {}
        return [
            f"{int(totals[reason]) if reason in totals else 0} young person-date(s) could not be scored "
            f"because {NOT_IN_COHORT[reason].format(date='the date')}."
            for reason in UNPLACED_REASONS
        ]

    def _metadata(self) -> dict[bytes, bytes]:
        return {
            REGISTRY_KEY: json.dumps(self.registry.to_dict()).encode(),
            LABEL_KEY: json.dumps(self.label_definition.to_dict()).encode(),
            DATA_END_KEY: (self.data_end.date().isoformat() if self.data_end is not None else "").encode(),
            DATES_KEY: json.dumps({**self.dates, "unplaced": _unplaced_records(self.unplaced)}).encode(),
        }


def unplaced_frame(rows) -> pd.DataFrame:
    """The ``unplaced`` counts as a DataFrame (``as_of``, ``reason``, ``n``), from records."""
    frame = pd.DataFrame(list(rows), columns=["as_of", "reason", "n"])
    return frame.astype({"as_of": "datetime64[ns]", "reason": "string", "n": "int64"})


def _unplaced_records(frame: pd.DataFrame) -> list[dict]:
    return [{"as_of": f"{row.as_of:%Y-%m-%d}", "reason": str(row.reason), "n": int(row.n)}
            for row in frame.itertuples(index=False)]


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
    recording_lag_months: int = DEFAULT_RECORDING_LAG_MONTHS,
    progress: Callable[[str, float], None] | None = None,
) -> FeatureSet:
    """Point-in-time features and labels for the cohort of each as-of date.

    The cohort is everyone aged 10 to 18 on the date whom some source knew of by then
    (a record available on or before it). A feature reads only records known on or before
    its as-of date (see ``docs/point-in-time-rules.md``); the label reads only
    ``(as_of, as_of + horizon]``, and only where that window ends by the label cut-off.

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
        The date the youth justice extract was taken, when known. Labels whose window runs
        past this date (or the latest youth justice recording date, if earlier) less
        ``recording_lag_months`` are ``<NA>``.
    recording_lag_months : int, default=3
        Months left for offences to be recorded before the youth justice extract's end.
    progress : callable, default=None
        Called as ``progress(description, fraction_done)`` after each as-of date.

    Returns
    -------
    FeatureSet

    Raises
    ------
    ValueError
        If the tables fail the builders' check of ``docs/tidy-tables.md`` (a table or a
        column read is missing, a column has the wrong kind of dtype, a row has no
        ``person_id``, ``people`` lists a person twice), the registry names a feature no
        builder makes, or an option is out of range.

    Examples
    --------
    >>> from features._builders._sample import sample_tables
    >>> fs = build_features(sample_tables(200, seed=1), ["2023-03-31"])
    >>> list(fs.frame.columns[:3]), fs.frame.columns[-1]
    (['person_id', 'as_of', 'age_years'], 'label')
    """
    plan = plan_features(tables, as_of, horizon_months=horizon_months, label=label, registry=registry,
                         data_end=data_end, recording_lag_months=recording_lag_months)
    return plan.assemble([plan.build_rows(tables, progress=progress)])


@dataclass(frozen=True)
class FeatureRows:
    """The rows one call of :meth:`FeaturePlan.build_rows` made for some people."""

    frame: pd.DataFrame
    groups: pd.DataFrame
    unplaced: pd.DataFrame


@dataclass(frozen=True)
class FeaturePlan:
    """What every partition of people shares: dates, label, registry and the whole data's ends.

    The label cut-off and the data end are fixed once from all the tables, so building the
    rows of each partition of people (:meth:`build_rows`) and joining them (:meth:`assemble`)
    gives exactly :func:`build_features` on the whole data.
    """

    dates: tuple
    label: LabelDefinition
    registry: FeatureRegistry
    end: int
    label_end: int
    recording_lag_months: int
    span_dates: dict

    def build_rows(self, tables: dict[str, pd.DataFrame], *, progress=None) -> FeatureRows:
        """Features, labels, groups and unplaced counts of the people in ``tables``."""
        people = People.from_table(tables["people"])
        known = Known.prepare(tables, people)
        prepared = [(builder, builder.prepare(tables, people)) for builder in builders_for(self.registry)]
        offences = prepare_offences(tables, people, self.label)
        groups_prepared = prepare_groups(tables, people)
        frames, groups, unplaced = [], [], []
        for done, when in enumerate(self.dates, start=1):
            clock = Clock(when)
            cohort = cohort_frame(people, clock, known)
            frames.append(_one_date(prepared, offences, clock, people, cohort, self.registry, self.label,
                                    self.label_end))
            groups.append(group_frame(groups_prepared, clock, people, cohort))
            unplaced += [(when, reason, n) for reason, n in unplaced_counts(people, clock, known).items()]
            if progress is not None:
                progress(f"features as of {when.date().isoformat()}", done / len(self.dates))
        return FeatureRows(_concat(frames), _concat(groups)[list(GROUP_COLUMNS)], unplaced_frame(unplaced))

    def assemble(self, parts: list[FeatureRows], order=None) -> FeatureSet:
        """One FeatureSet from the rows of partitions of people, in ``order`` (row positions)."""
        frame = _concat([p.frame for p in parts]) if len(parts) > 1 else parts[0].frame
        groups = _concat([p.groups for p in parts]) if len(parts) > 1 else parts[0].groups
        if order is not None:
            frame, groups = (t.iloc[order].reset_index(drop=True) for t in (frame, groups))
        unplaced = pd.concat([p.unplaced for p in parts], ignore_index=True)
        unplaced = unplaced.groupby(["as_of", "reason"], sort=False, as_index=False)["n"].sum()
        return FeatureSet(
            frame=frame, groups=groups, registry=self.registry, label_definition=self.label,
            data_end=_stamp(self.end),
            dates={**self.span_dates, "unlabelled": int(frame["label"].isna().sum())},
            unplaced=unplaced_frame(unplaced.itertuples(index=False)),
        )


def plan_features(tables: dict[str, pd.DataFrame], as_of, *, horizon_months: int = 12,
                  label: LabelDefinition = KNIFE_INVOLVEMENT, registry: FeatureRegistry | None = None,
                  data_end=None, recording_lag_months: int = DEFAULT_RECORDING_LAG_MONTHS,
                  spans: pd.DataFrame | None = None) -> FeaturePlan:
    """Check the options and tables and fix what every partition shares (see :class:`FeaturePlan`).

    All the plan reads of the tables is each source's first and last dates
    (:func:`source_spans`). ``spans`` gives them for data larger than ``tables``: a young
    person's rows read from a tidy store (:func:`read_person_rows`) with the spans of everyone's.

    Raises
    ------
    ValueError
        As :func:`build_features` does.
    """
    registry = default_registry() if registry is None else registry
    check_tables(tables)
    builders_for(registry)
    lag = check_recording_lag(recording_lag_months)
    spans = source_spans(tables) if spans is None else spans
    label_end = label_end_day(tables, data_end=data_end, recording_lag_months=lag, spans=spans)
    return FeaturePlan(
        dates=tuple(as_of_dates(as_of)), label=resolve_label(label).with_horizon(horizon_months),
        registry=registry, end=data_end_day(tables, spans=spans), label_end=label_end,
        recording_lag_months=lag, span_dates=_dates(spans, label_end, lag),
    )


def _stamp(day: int) -> pd.Timestamp | None:
    return pd.Timestamp(np.datetime64(day, "D")) if abs(day) < NEVER else None


def _dates(spans: pd.DataFrame, label_end: int, lag: int) -> dict:
    ends = spans["end"]
    cut = _stamp(label_end)
    return {
        "source_ends": {source: (f"{end:%Y-%m-%d}" if pd.notna(end) else None) for source, end in ends.items()},
        "label_end": f"{cut:%Y-%m-%d}" if cut is not None else None,
        "recording_lag_months": lag,
    }


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
    """Everyone aged 10 to 18 (completed years) on each as-of date and known by then.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables: ``people`` for ages, the others for when each young person
        first had a record available (see ``docs/point-in-time-rules.md``).
    as_of : date-like or sequence of date-like
        The as-of dates.

    Returns
    -------
    DataFrame
        ``person_id``, ``as_of``, ``age_years`` (age in years, to the month).

    Raises
    ------
    ValueError
        If the tables break the builders' contract (as for :func:`build_features`).
    """
    check_tables(tables)
    people = People.from_table(tables["people"])
    known = Known.prepare(tables, people)
    frames = [cohort_frame(people, Clock(when), known).drop(columns="_position") for when in as_of_dates(as_of)]
    return _concat(frames)


def cohort_status_of(tables: dict[str, pd.DataFrame], as_of) -> pd.Series:
    """Why each young person in the people index is or is not in the cohort on ``as_of``.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables (``Extracts.tables``).
    as_of : date-like
        One as-of date.

    Returns
    -------
    Series
        Indexed by ``person_id``: ``"in_cohort"``, ``"not_yet_known"`` (no source held a
        record available by the date), ``"no_birth_month"`` (no month of birth in any
        source) or ``"outside_age_range"`` (not aged 10 to 18 on the date).

    Examples
    --------
    >>> from features._builders._sample import sample_tables
    >>> status = cohort_status_of(sample_tables(100, seed=1), "2023-03-31")
    >>> set(status) <= {"in_cohort", "not_yet_known", "no_birth_month", "outside_age_range"}
    True
    """
    check_tables(tables)
    people = People.from_table(tables["people"])
    clock = Clock(as_of_dates(as_of)[0])
    status = cohort_status(people, clock, Known.prepare(tables, people))
    return pd.Series(status, index=pd.Index(people.index, name="person_id"), name="status", dtype="string")
