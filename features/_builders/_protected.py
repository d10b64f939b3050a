"""Protected characteristics as inputs: built only when a setting allows one in writing.

Sex, ethnicity and disability come from the people table; SEN provision from the latest
school census on or before the as-of date. By default none of these is a model input;
they go to the separate groups frame for audits (see :mod:`features._groups`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from ._base import Clock, People, Records, Trace, decoder, latest_row, take

SOURCES = ("people", "pupils")
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other")
SEN_LEVEL = {"N": 0.0, "K": 1.0, "E": 2.0}


def _people_column(column: str, mapping: dict):
    return lambda t: t[column].astype("string").map(mapping).astype("Float64").to_numpy(np.float64, na_value=np.nan)


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    table = tables["people"]
    values = {
        "sex_male": _people_column("sex", {"M": 1.0, "F": 0.0}),
        "disability": lambda t: t["disability"].astype("boolean").astype("Float64").to_numpy(np.float64, na_value=np.nan),
        "ethnicity_group": lambda t: t["ethnicity_group"].astype("string").fillna("Unknown").to_numpy(object),
    }
    pupils = Records.from_table(
        tables["pupils"],
        people,
        dates=("census_date",),
        values={"sen": _people_column("sen_provision", SEN_LEVEL)},
    )
    return {"people": Records.from_table(table, people, values=values), "pupils": pupils}


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    p, n = prepared["people"], people.n
    out = {name: _per_person(p, p[name], n) for name in ("sex_male", "disability")}
    group = np.full(n, "Unknown", dtype=object)
    group[p.person] = p["ethnicity_group"]
    for name in ETHNIC_GROUPS:
        out[f"ethnicity_{name.lower()}"] = np.where(group == "Unknown", np.nan, (group == name).astype(float))
    pupils = prepared["pupils"]
    last = latest_row(pupils, pupils["census_date"], pupils["census_date"] <= clock.day, n)
    out["sen_provision_level"] = take(pupils["sen"], last)
    return out


def _per_person(records: Records, values: np.ndarray, n: int) -> np.ndarray:
    out = np.full(n, np.nan)
    out[records.person] = values
    return out


def _census(r: Records, clock: Clock) -> np.ndarray:
    last = latest_row(r, r["census_date"], r["census_date"] <= clock.day, int(r.person.max(initial=-1)) + 1)
    return np.isin(np.arange(len(r)), last)


TRACES = {
    "sen_provision_level": Trace(
        table="pupils",
        select=_census,
        date="census_date",
        code="sen_provision",
        decode=decoder(_codes.SEN_PROVISION),
    ),
}

NAMES = (
    "sex_male",
    *(f"ethnicity_{name.lower()}" for name in ETHNIC_GROUPS),
    "disability",
    "sen_provision_level",
)
