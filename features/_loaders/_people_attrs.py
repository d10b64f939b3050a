"""The ``people`` table: one row per person, each attribute from the best source.

Sex, ethnicity and birth month are taken from the highest-precedence source that
records them: the latest school census, then CIN, SSDA903, youth justice, NCCIS and
the AP census. A recorded value beats ``U`` (sex) and ``REFU``/``NOBT`` (ethnicity)
from a higher source. Disability comes from CIN only. Postcodes are cut to their
district and dates of birth to the first of the month before they leave the loaders.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes as codes
from ._columns import by_unique
from ._rules import month_start

PRECEDENCE = ("school_census", "cin", "ssda903", "youth_justice", "nccis", "ap_census")
SOURCE_ORDER = ("ssda903", "cin", "school_census", "ap_census", "nccis", "youth_justice")
DISTRICT_PATTERN = r"^[A-Z]{1,2}[0-9][A-Z0-9]?$"
WEAK_VALUES = {"sex": ("U",), "ethnicity": ("REFU", "NOBT", "UNKN")}


def postcode_district(values):
    """The outward code (district) of each postcode, or missing if it is not one.

    Examples
    --------
    >>> postcode_district(pd.Series(["nw10 4ab", "NW104AB", "NW10", "12345", None])).tolist()
    ['NW10', 'NW10', 'NW10', nan, nan]
    """
    return by_unique(values, _district).astype("str")


def _district(values):
    text = values.astype("str").str.upper().str.replace(r"\s+", " ", regex=True).str.strip()
    spaced = text.str.split(" ").str[0]
    unspaced = text.where(text.str.len() < 5, text.str[:-3])
    outward = spaced.where(text.str.contains(" ", regex=False), unspaced)
    valid = outward.str.fullmatch(DISTRICT_PATTERN).fillna(False).astype(bool)
    return outward.where(valid & values.notna()).astype("str")


def attributes(person_id, source, *, when, birth=None, sex=None, ethnicity=None, district=None):
    """One source's person attributes, in the shape :func:`build_people` expects."""
    def col(values):
        if values is None:
            return pd.Series(pd.NA, index=person_id.index, dtype="str")
        return pd.Series(values, index=person_id.index)

    return pd.DataFrame({
        "person_id": person_id, "source": source,
        "when": pd.Series(when, index=person_id.index).astype("datetime64[ns]"),
        "birth_month": month_start(birth) if birth is not None else pd.NaT,
        "sex": col(sex).astype("str"), "ethnicity": col(ethnicity).astype("str"),
        "postcode_district": col(district).astype("str"),
    })


def build_people(attrs, disability, sources):
    """Assemble the ``people`` table.

    Parameters
    ----------
    attrs : list of DataFrame
        From :func:`attributes`, one per source table holding attributes.
    disability : pandas.Series of bool
        Indexed by ``person_id``; people ever in CIN.
    sources : pandas.DataFrame
        Unique ``person_id``, ``source`` pairs: who holds any record where.

    Returns
    -------
    pandas.DataFrame
    """
    everyone = pd.Index(sorted(pd.unique(sources["person_id"])), name="person_id", dtype="str")
    people = pd.DataFrame(index=everyone)
    frame = pd.concat(attrs, ignore_index=True) if attrs else None
    best = _BestValues(frame) if frame is not None else None
    for name in ("birth_month", "sex", "ethnicity", "postcode_district"):
        people[name] = best.of(name).reindex(everyone) if best is not None else pd.NA
    people["sex"] = people["sex"].fillna("U").astype("str")
    people["ethnicity"] = people["ethnicity"].fillna("UNKN").astype("str")
    people["ethnicity_group"] = people["ethnicity"].map(codes.ETHNICITY_GROUP).fillna("Unknown")
    people["disability"] = disability.reindex(everyone).astype("boolean")
    people["sources"] = _sources(everyone, sources)
    return people.reset_index()


class _BestValues:
    """Per person, the value from the best source: recorded before weak, precedence, latest."""

    def __init__(self, frame):
        self.frame = frame
        self.person, self.people = pd.factorize(frame["person_id"])
        source, names = pd.factorize(frame["source"])
        ranks = np.array([PRECEDENCE.index(name) if name in PRECEDENCE else np.nan for name in names] + [np.nan])
        self.rank = ranks[source]  # a missing source (code -1) takes the last entry, NaN
        self.when = frame["when"].to_numpy().astype("datetime64[ns]").view("int64")
        # Rows by source precedence, then latest first (ties in row order): shared by every
        # attribute, which then only sorts by person and weak value, stably.
        self.preferred = np.lexsort((-self.when, self.rank))

    def of(self, name):
        values = self.frame[name]
        present = values.notna().to_numpy() & (self.person >= 0)
        rows = self.preferred[present[self.preferred]]
        weak = _weak(values, WEAK_VALUES.get(name, ()))[rows]
        person = self.person[rows]
        order = np.argsort(2 * person + weak, kind="stable")
        ordered = person[order]
        first = order[np.r_[True, ordered[1:] != ordered[:-1]]] if len(order) else order
        return values.take(rows[first]).set_axis(self.people.take(person[first]))


def _weak(values, weak_values):
    """Boolean per row: the value is one that a recorded value from a lower source beats."""
    if not weak_values:
        return np.zeros(len(values), dtype=bool)
    codes, uniques = pd.factorize(values)
    weak = np.append(np.isin(np.asarray(uniques, dtype=object), list(weak_values)), False)
    return weak[codes]


def _sources(everyone, sources):
    """``;``-joined source names per person, in ``SOURCE_ORDER``."""
    bit = sources["source"].map({name: 1 << i for i, name in enumerate(SOURCE_ORDER)})
    masks = bit.groupby(sources["person_id"].to_numpy()).sum().reindex(everyone, fill_value=0)
    labels = {
        mask: ";".join(name for i, name in enumerate(SOURCE_ORDER) if mask & (1 << i))
        for mask in range(1 << len(SOURCE_ORDER))
    }
    return masks.map(labels).astype("str")
