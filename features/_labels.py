"""Knife-crime labels: named, versioned definitions and the labels they give.

The outcome is an offence *happening*, so the window is read on ``offence_date``: a
young person is labelled 1 for an as-of date if an offence that meets the definition
was committed in ``(as_of, as_of + horizon]``. Where that window runs past the label
cut-off (the youth justice extract's own end minus a recording lag, see
:func:`~features._builders._cohort.label_end_day`), the label is unknown (``<NA>``),
never 0: offences of the last months before an extract are not all recorded yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, replace

import numpy as np
import pandas as pd

from . import _codes
from ._builders._base import Clock, People, Records, in_codes
from ._builders._cohort import DEFAULT_RECORDING_LAG_MONTHS, as_of_dates, check_horizon, cohort_frame, label_end_day
from ._builders._known import Known
from ._loaders._schemas import check_tables


UNKNOWN_FLAG_RULES = {
    "not_knife": "counts as not knife-flagged",
    "knife": "counts as knife-flagged",
}


@dataclass(frozen=True)
class LabelDefinition:
    """A named, versioned definition of the outcome a model predicts.

    An offence meets the definition if its Home Office class is one of ``ho_classes``,
    or it carries the knife or sharp instrument flag and either
    ``knife_flag_any_offence`` is true or its YJB category is one of
    ``knife_flag_categories``. A blank knife flag is *unknown*; ``unknown_knife_flag``
    says how it counts, and :func:`label_report` counts the label windows it touches.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"knife_involvement"``.
    version : str
        Version of the definition; change it whenever the rule changes.
    description : str
        Plain-English definition, printed wherever results are shown.
    ho_classes : tuple of str, default=()
        Home Office offence classes that always count (``"10D"``: possession of an
        article with a blade or point, which includes threatening with one).
    knife_flag_categories : tuple of str, default=()
        YJB offence categories that count when the offence is knife-flagged. A definition
        with no class, no category and no ``knife_flag_any_offence`` states no youth
        justice rule: it only names and describes a label made elsewhere (the ``label``
        column of a user's own feature table).
    horizon_months : int, default=12
        Default length of the window after the as-of date.
    knife_flag_any_offence : bool, default=False
        Any knife-flagged offence counts, whatever its category (the Home Office flag
        is set on homicide, attempted murder, threats to kill, assault with injury or
        intent, robbery, rape and sexual assault).
    unknown_knife_flag : {"not_knife", "knife"}, default="not_knife"
        How an offence with a blank knife flag counts.
    superseded_by : str or None, default=None
        The version that replaces this one, if any; a superseded definition stays
        loadable (``resolve_label("name/version")``) so older models can be read.

    Raises
    ------
    ValueError
        If ``unknown_knife_flag`` is not one of the allowed rules.
    """

    name: str
    version: str
    description: str
    ho_classes: tuple[str, ...] = ()
    knife_flag_categories: tuple[str, ...] = ()
    horizon_months: int = 12
    knife_flag_any_offence: bool = False
    unknown_knife_flag: str = "not_knife"
    superseded_by: str | None = None

    def __post_init__(self) -> None:
        if self.unknown_knife_flag not in UNKNOWN_FLAG_RULES:
            raise ValueError(
                f"The 'unknown_knife_flag' option of label '{self.name}' must be one of "
                f"{', '.join(UNKNOWN_FLAG_RULES)}; got {self.unknown_knife_flag!r}."
            )

    @property
    def has_rule(self) -> bool:
        """Whether the definition states a youth justice rule (else it only names a label made elsewhere)."""
        return bool(self.ho_classes or self.knife_flag_categories or self.knife_flag_any_offence)

    @property
    def key(self) -> str:
        """``"name/version"``, the form :func:`resolve_label` reads."""
        return f"{self.name}/{self.version}"

    def to_dict(self) -> dict:
        """The definition as plain data (lists for tuples), for metadata and reports."""
        data = asdict(self)
        data["ho_classes"] = list(self.ho_classes)
        data["knife_flag_categories"] = list(self.knife_flag_categories)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> LabelDefinition:
        """Inverse of :meth:`to_dict`, and the one reader of a stored definition.

        A definition saved before a field existed gets its default; one saved without a
        version (a user's own label, stored before definitions were typed) reads as version
        ``"unversioned"``.

        Raises
        ------
        ValueError
            If ``data`` has no ``name`` or has a field a definition does not have.
        """
        allowed = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - allowed)
        if unknown or "name" not in data:
            raise ValueError(
                f"A stored label definition must have a 'name' and only the fields {', '.join(sorted(allowed))}; "
                f"got {'unknown field(s) ' + ', '.join(unknown) if unknown else 'no name'}."
            )
        values = {"version": "unversioned", "description": "No description was stored with this label definition.",
                  **data}
        return cls(**{**values, "ho_classes": tuple(values.get("ho_classes", ())),
                      "knife_flag_categories": tuple(values.get("knife_flag_categories", ()))})

    def with_horizon(self, months: int) -> LabelDefinition:
        """The same definition over another horizon."""
        return replace(self, horizon_months=check_horizon(months))

    def describe(self) -> str:
        """One paragraph stating the definition, for reports and model cards.

        Examples
        --------
        >>> KNIFE_POSSESSION.describe().startswith("Label 'knife_possession' version 1")
        True
        """
        if not self.has_rule:
            return f"Label '{self.name}' version {self.version}{self._status()}: {self.description}"
        return (
            f"Label '{self.name}' version {self.version}{self._status()}: {self.description} A young "
            f"person is labelled 1 for an as-of date if youth justice records show {self._rule()}, "
            f"committed (by offence date) in the {self.horizon_months} months after that date, and 0 "
            "if not; the label is left empty where those months run past the label cut-off (the youth "
            "justice extract's own end less its recording lag). "
            f"{self._unknown_rule()} Only recorded offences count, so the label measures recorded "
            "involvement, which depends on policing."
        )

    def _status(self) -> str:
        later = self.superseded_by or _superseded_in_registry(self)
        return f" (superseded by version {later})" if later else ""

    def _rule(self) -> str:
        classes = ", ".join(f"{c} ({_codes.HO_CLASS.get(c, _codes.HO_CLASS_UNKNOWN)})" for c in self.ho_classes)
        rule = f"an offence of Home Office class {classes}" if classes else "no offence class"
        if self.knife_flag_any_offence:
            return rule + ", or any offence flagged as involving a knife or sharp instrument"
        flagged = ", ".join(f"{c} ({_codes.YJB_CATEGORY.get(c, 'unlisted category')})"
                            for c in self.knife_flag_categories)
        return rule + (f", or a knife-flagged offence in YJB category {flagged}" if flagged else "")

    def _unknown_rule(self) -> str:
        if not (self.knife_flag_any_offence or self.knife_flag_categories):
            return "The knife flag plays no part."
        return (f"A blank knife flag is unknown and {UNKNOWN_FLAG_RULES[self.unknown_knife_flag]}; "
                "the label report counts the label windows holding such an offence.")


KNIFE_INVOLVEMENT_V1 = LabelDefinition(
    name="knife_involvement",
    version="1",
    description=(
        "Involvement in a knife offence: possession of an article with a blade or point, "
        "threatening with a blade, or violence, robbery or threats in which a knife was used "
        "or threatened. Superseded: it counted class 8M as threatening with a blade, but in the "
        "Home Office Counting Rules 8M is racially or religiously aggravated harassment, so on "
        "real extracts it counted hate-crime harassment as knife crime."
    ),
    ho_classes=("10D", "8M"),
    knife_flag_categories=("VAP", "ROB"),
    superseded_by="2",
)

KNIFE_INVOLVEMENT = LabelDefinition(
    name="knife_involvement",
    version="2",
    description=(
        "Involvement in a knife offence: possession of an article with a blade or point "
        "(Home Office class 10D, which includes threatening with one), or any offence flagged "
        "as involving a knife or sharp instrument."
    ),
    ho_classes=("10D",),
    knife_flag_categories=(),
    knife_flag_any_offence=True,
)

KNIFE_OR_OFFENSIVE_WEAPON = LabelDefinition(
    name="knife_or_offensive_weapon",
    version="2",
    description=(
        "Involvement in a knife or offensive weapon offence, as the youth justice statistics "
        "publish it: possession of an article with a blade or point (10D) or of another offensive "
        "weapon (10C), threatening with either, or any offence flagged as involving a knife or "
        "sharp instrument. Introduced with the version 2 definitions; there is no version 1."
    ),
    ho_classes=("10D", "10C"),
    knife_flag_categories=(),
    knife_flag_any_offence=True,
)

KNIFE_POSSESSION = LabelDefinition(
    name="knife_possession",
    version="1",
    description="Possession of an article with a blade or point (Home Office class 10D) only.",
    ho_classes=("10D",),
    knife_flag_categories=(),
)

LABEL_VERSIONS = {d.key: d for d in (KNIFE_INVOLVEMENT_V1, KNIFE_INVOLVEMENT, KNIFE_OR_OFFENSIVE_WEAPON,
                                     KNIFE_POSSESSION)}
"""Every definition the library has published, superseded ones included, by ``"name/version"``."""

LABEL_DEFINITIONS = {d.name: d for d in LABEL_VERSIONS.values() if d.superseded_by is None}
"""The current definition of each label, by name."""


def _superseded_in_registry(label: LabelDefinition) -> str | None:
    """The published successor of ``name/version`` (a definition saved before ``superseded_by`` existed)."""
    known = LABEL_VERSIONS.get(label.key)
    return known.superseded_by if known is not None else None


def build_labels(
    tables: dict[str, pd.DataFrame],
    as_of: Sequence | object,
    *,
    label: LabelDefinition = KNIFE_INVOLVEMENT,
    horizon_months: int = 12,
    data_end=None,
    recording_lag_months: int = DEFAULT_RECORDING_LAG_MONTHS,
    offences: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Labels for the cohort of each as-of date (aged 10 to 18 and known by then).

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables (``Extracts.tables``).
    as_of : date-like or sequence of date-like
        The as-of dates.
    label : LabelDefinition or str, default=KNIFE_INVOLVEMENT
        Which offences count (or a name in ``LABEL_DEFINITIONS``).
    horizon_months : int, default=12
        Window length after each as-of date.
    data_end : date-like, default=None
        The date the youth justice extract was taken, when known; by default (and whenever
        it is later) the latest recording date in the youth justice tables.
    recording_lag_months : int, default=3
        Months a label window must end before the youth justice extract's end.
    offences : DataFrame, default=None
        The offences the label reads, in the shape of ``yj_offences``; by default
        ``tables["yj_offences"]``. The cohort always comes from ``tables``.

    Returns
    -------
    DataFrame
        ``person_id``, ``as_of``, ``label`` (nullable Int8: 1, 0 or ``<NA>``).

    Raises
    ------
    ValueError
        If ``horizon_months`` is not a whole number from 1 to 36, ``recording_lag_months``
        not one from 0 to 24, no as-of date is given or ``label`` is unknown; or if the
        tables fail the builders' check of ``docs/tidy-tables.md`` (a table or column
        missing, a wrong dtype, a row without ``person_id``, a person listed twice).
    """
    check_tables(tables)
    dates = as_of_dates(as_of)
    horizon = check_horizon(horizon_months)
    label = resolve_label(label)
    people = People.from_table(tables["people"])
    known = Known.prepare(tables, people)
    end = label_end_day(tables, data_end=data_end, recording_lag_months=recording_lag_months)
    offences = prepare_offences({"yj_offences": tables["yj_offences"] if offences is None else offences},
                                people, label)
    frames = []
    for when in dates:
        clock = Clock(when)
        cohort = cohort_frame(people, clock, known)
        values = label_values(offences, clock, horizon, end, people.n)
        frames.append(cohort.assign(label=values[cohort.pop("_position").to_numpy()]))
    return _stack(frames)


def resolve_label(label: LabelDefinition | str) -> LabelDefinition:
    """A label definition: given, the current one of a name, or ``"name/version"``.

    Examples
    --------
    >>> resolve_label("knife_involvement").version, resolve_label("knife_involvement/1").version
    ('2', '1')

    Raises
    ------
    ValueError
        If ``label`` is neither a definition nor a known name or ``name/version``.
    """
    if isinstance(label, LabelDefinition):
        return label
    if isinstance(label, str) and label in LABEL_DEFINITIONS:
        return LABEL_DEFINITIONS[label]
    if isinstance(label, str) and label in LABEL_VERSIONS:
        return LABEL_VERSIONS[label]
    raise ValueError(
        f"The 'label' option must be a LabelDefinition, a label name ({', '.join(sorted(LABEL_DEFINITIONS))}) "
        f"or a name/version ({', '.join(sorted(LABEL_VERSIONS))}); got {label!r}."
    )


def prepare_offences(tables: dict[str, pd.DataFrame], people: People, label: LabelDefinition) -> Records:
    """The youth justice offences as arrays, with whether each meets ``label`` (``meets``)
    and whether its knife flag is blank where the flag would decide it (``flag_unknown``)."""
    table = tables["yj_offences"]
    return Records.from_table(table, people, dates=("offence_date",), values={
        "meets": lambda t: offence_meets(t, label),
        "flag_unknown": lambda t: flag_decides(t, label) & t["knife_flag"].isna().to_numpy(bool),
    })


def offence_meets(offences: pd.DataFrame, label: LabelDefinition) -> np.ndarray:
    """Per offence row, whether it meets ``label``; a blank flag counts as the label's rule says."""
    unknown_counts = label.unknown_knife_flag == "knife"
    knife = offences["knife_flag"].astype("boolean").fillna(unknown_counts).to_numpy(bool)
    return in_codes(offences["ho_class"], label.ho_classes) | (knife & flag_decides(offences, label))


def flag_decides(offences: pd.DataFrame, label: LabelDefinition) -> np.ndarray:
    """Per offence row, whether the knife flag decides if it meets ``label`` (its class alone does not)."""
    by_class = in_codes(offences["ho_class"], label.ho_classes)
    if label.knife_flag_any_offence:
        return ~by_class
    return ~by_class & in_codes(offences["yjb_category"], label.knife_flag_categories)


def label_report(
    tables: dict[str, pd.DataFrame],
    as_of: Sequence | object,
    *,
    label: LabelDefinition | str = KNIFE_INVOLVEMENT,
    horizon_months: int = 12,
    data_end=None,
    recording_lag_months: int = DEFAULT_RECORDING_LAG_MONTHS,
) -> dict:
    """What the label is and how it came out: counts of label windows, and how many hold an
    offence whose knife flag is unknown.

    A label window is one young person's ``(as_of, as_of + horizon]``. Windows holding an
    offence whose blank knife flag would decide the label are counted, overall and among
    those labelled 0 (they would be 1 if the flag were set). Counts only, never a person.

    Parameters
    ----------
    tables : dict of str to DataFrame
        The tidy tables (``Extracts.tables``).
    as_of : date-like or sequence of date-like
        The as-of dates.
    label : LabelDefinition or str, default=KNIFE_INVOLVEMENT
        The definition, a name or ``"name/version"``.
    horizon_months : int, default=12
        Window length after each as-of date.
    data_end : date-like, default=None
        As for :func:`build_labels`.
    recording_lag_months : int, default=3
        As for :func:`build_labels`.

    Returns
    -------
    dict
        ``label``, ``version``, ``definition``, ``horizon_months``, ``as_of`` (ISO dates),
        ``windows``, ``labelled_1``, ``labelled_0``, ``label_unknown`` (window past the label
        cut-off), ``windows_with_unknown_knife_flag``, ``labelled_0_with_unknown_knife_flag``
        and ``unknown_knife_flag_rule``.
    """
    label = resolve_label(label).with_horizon(horizon_months)
    dates = as_of_dates(as_of)
    people = People.from_table(tables["people"])
    known_by = Known.prepare(tables, people)
    offences = prepare_offences(tables, people, label)
    labelled = build_labels(tables, dates, label=label, horizon_months=horizon_months, data_end=data_end,
                            recording_lag_months=recording_lag_months)
    unknown = np.concatenate([
        _unknown_flag_window(offences, Clock(when), label.horizon_months, people.n)[
            cohort_frame(people, Clock(when), known_by)["_position"].to_numpy()]
        for when in dates
    ]) if dates else np.zeros(0, bool)
    values = labelled["label"]
    known = values.notna().to_numpy()
    zero = (values.fillna(1) == 0).to_numpy()
    return {
        "label": label.name, "version": label.version, "definition": label.describe(),
        "horizon_months": label.horizon_months, "as_of": [d.date().isoformat() for d in dates],
        "windows": int(len(values)), "labelled_1": int((values.fillna(0) == 1).sum()),
        "labelled_0": int(zero.sum()), "label_unknown": int((~known).sum()),
        "windows_with_unknown_knife_flag": int((unknown & known).sum()),
        "labelled_0_with_unknown_knife_flag": int((unknown & zero).sum()),
        "unknown_knife_flag_rule": f"a blank knife flag {UNKNOWN_FLAG_RULES[label.unknown_knife_flag]}",
    }


def _unknown_flag_window(offences: Records, clock: Clock, horizon: int, n: int) -> np.ndarray:
    """Per person, whether the label window holds an offence whose unknown flag would decide it."""
    stop = clock.until(horizon)
    mask = offences["flag_unknown"] & (offences["offence_date"] > clock.day) & (offences["offence_date"] <= stop)
    return np.bincount(offences.person[mask], minlength=n) > 0


def label_values(offences: Records, clock: Clock, horizon: int, end: int, n: int) -> pd.array:
    """Per person: 1 if a qualifying offence falls in the window, else 0; all ``<NA>`` if the
    window runs past ``end`` (the label cut-off day)."""
    stop = clock.until(horizon)
    if stop > end:
        return pd.array(np.full(n, pd.NA), dtype="Int8")
    mask = offences["meets"] & (offences["offence_date"] > clock.day) & (offences["offence_date"] <= stop)
    hit = np.bincount(offences.person[mask], minlength=n) > 0
    return pd.array(hit.astype(np.int8), dtype="Int8")


def _stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
    out = pd.concat(frames, ignore_index=True)
    return out[["person_id", "as_of", "label"]]


__all__ = [
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
]
