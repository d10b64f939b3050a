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
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

from . import _codes
from ._builders._base import Clock, People, Records, in_codes
from ._builders._cohort import DEFAULT_RECORDING_LAG_MONTHS, as_of_dates, check_horizon, cohort_frame, label_end_day
from ._builders._known import Known


@dataclass(frozen=True)
class LabelDefinition:
    """A named, versioned definition of the outcome a model predicts.

    An offence meets the definition if its Home Office class is one of ``ho_classes``,
    or it carries a knife flag and its YJB category is one of ``knife_flag_categories``.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"knife_involvement"``.
    version : str
        Version of the definition; change it whenever the rule changes.
    description : str
        Plain-English definition, printed wherever results are shown.
    ho_classes : tuple of str
        Home Office offence classes that always count (``"10D"``: possession of an
        article with a blade or point).
    knife_flag_categories : tuple of str
        YJB offence categories that count when the offence is knife-flagged.
    horizon_months : int, default=12
        Default length of the window after the as-of date.
    """

    name: str
    version: str
    description: str
    ho_classes: tuple[str, ...]
    knife_flag_categories: tuple[str, ...]
    horizon_months: int = 12

    def to_dict(self) -> dict:
        """The definition as plain data (lists for tuples), for metadata and reports."""
        data = asdict(self)
        data["ho_classes"] = list(self.ho_classes)
        data["knife_flag_categories"] = list(self.knife_flag_categories)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> LabelDefinition:
        """Inverse of :meth:`to_dict`."""
        return cls(**{**data, "ho_classes": tuple(data["ho_classes"]),
                      "knife_flag_categories": tuple(data["knife_flag_categories"])})

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
        classes = ", ".join(f"{c} ({_codes.HO_CLASS.get(c, 'unlisted class')})" for c in self.ho_classes)
        flagged = ", ".join(f"{c} ({_codes.YJB_CATEGORY.get(c, 'unlisted category')})"
                            for c in self.knife_flag_categories)
        rule = f"an offence of Home Office class {classes}" if classes else "no offence class"
        if flagged:
            rule += f", or a knife-flagged offence in YJB category {flagged}"
        return (
            f"Label '{self.name}' version {self.version}: {self.description} A young person is "
            f"labelled 1 for an as-of date if youth justice records show {rule}, committed (by "
            f"offence date) in the {self.horizon_months} months after that date, and 0 if not; the "
            "label is left empty where those months run past the label cut-off (the youth justice "
            "extract's own end less its recording lag). Only recorded "
            "offences count, so the label measures recorded involvement, which depends on policing."
        )


KNIFE_INVOLVEMENT = LabelDefinition(
    name="knife_involvement",
    version="1",
    description=(
        "Involvement in a knife offence: possession of an article with a blade or point, "
        "threatening with a blade, or violence, robbery or threats in which a knife was used "
        "or threatened."
    ),
    ho_classes=("10D", "8M"),
    knife_flag_categories=("VAP", "ROB"),
)

KNIFE_POSSESSION = LabelDefinition(
    name="knife_possession",
    version="1",
    description="Possession of an article with a blade or point (Home Office class 10D) only.",
    ho_classes=("10D",),
    knife_flag_categories=(),
)

LABEL_DEFINITIONS = {d.name: d for d in (KNIFE_INVOLVEMENT, KNIFE_POSSESSION)}


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
        not one from 0 to 24, no as-of date is given or ``label`` is unknown.
    """
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
    """A label definition, or the one of that name in :data:`LABEL_DEFINITIONS`.

    Raises
    ------
    ValueError
        If ``label`` is neither a definition nor a known name.
    """
    if isinstance(label, LabelDefinition):
        return label
    if isinstance(label, str) and label in LABEL_DEFINITIONS:
        return LABEL_DEFINITIONS[label]
    raise ValueError(
        f"The 'label' option must be a LabelDefinition or one of {', '.join(sorted(LABEL_DEFINITIONS))}; "
        f"got {label!r}."
    )


def prepare_offences(tables: dict[str, pd.DataFrame], people: People, label: LabelDefinition) -> Records:
    """The youth justice offences as arrays, with whether each meets ``label``."""
    table = tables["yj_offences"]

    def meets(t: pd.DataFrame) -> np.ndarray:
        knife = t["knife_flag"].astype("boolean").fillna(False).to_numpy(bool)
        return in_codes(t["ho_class"], label.ho_classes) | (
            knife & in_codes(t["yjb_category"], label.knife_flag_categories)
        )

    return Records.from_table(table, people, dates=("offence_date",), values={"meets": meets})


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
    "KNIFE_POSSESSION",
    "LABEL_DEFINITIONS",
    "LabelDefinition",
    "build_labels",
]
