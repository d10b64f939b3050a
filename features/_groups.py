"""The groups frame: what fairness audits need and the model must not see.

One row per person and as-of date, beside the feature matrix: sex, ethnicity (DfE major
group and detailed code), SEN provision and free school meals from the latest school
census on or before the as-of date, disability (from CIN), age band, looked-after status
on the date, and area (postcode district from the latest census, else the person's
recorded district).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._builders._base import Clock, People, Records, latest_row, open_at, take

AGE_BANDS = ((10, 12, "10-12"), (13, 15, "13-15"), (16, 18, "16-18"))
GROUP_COLUMNS = (
    "person_id", "as_of", "sex", "ethnicity_group", "ethnicity", "sen_provision", "disability",
    "age_band", "looked_after", "fsm", "area",
)


def _text(column: str, default=None):
    def values(t: pd.DataFrame) -> np.ndarray:
        series = t[column].astype("string")
        return (series.fillna(default) if default is not None else series).to_numpy(object, na_value=None)

    return values


def prepare_groups(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    """Arrays the groups frame reads, built once for every as-of date."""
    index = people
    return {
        "people": Records.from_table(
            tables["people"],
            index,
            values={
                "sex": _text("sex", "U"),
                "ethnicity": _text("ethnicity", "UNKN"),
                "ethnicity_group": _text("ethnicity_group", "Unknown"),
                "area": _text("postcode_district"),
                "disability": lambda t: t["disability"].astype("boolean").to_numpy(object, na_value=None),
            },
        ),
        "pupils": Records.from_table(
            tables["pupils"],
            index,
            dates=("census_date",),
            values={
                "sen_provision": _text("sen_provision"),
                "fsm": lambda t: t["fsm_eligible"].astype("boolean").fillna(False).to_numpy(bool),
                "area": _text("postcode_district"),
            },
        ),
        "cla_episodes": Records.from_table(tables["cla_episodes"], index, dates=("decom", "dec")),
    }


def group_frame(prepared: dict[str, Records], clock: Clock, people: People, cohort: pd.DataFrame) -> pd.DataFrame:
    """The groups frame for one as-of date, rows in the order of ``cohort``."""
    position = cohort["_position"].to_numpy()
    n = people.n
    person = _per_person(prepared["people"], n)
    pupils = prepared["pupils"]
    census = latest_row(pupils, pupils["census_date"], pupils["census_date"] <= clock.day, n)
    episodes = prepared["cla_episodes"]
    looked_after = np.bincount(episodes.person[open_at(episodes["decom"], episodes["dec"], clock)], minlength=n) > 0
    census_area = take(pupils["area"], census, missing=None)
    area = np.where(pd.isna(census_area), person["area"], census_area)
    frame = pd.DataFrame(
        {
            "person_id": cohort["person_id"].to_numpy(),
            "as_of": cohort["as_of"].to_numpy(),
            "sex": person["sex"][position],
            "ethnicity_group": person["ethnicity_group"][position],
            "ethnicity": person["ethnicity"][position],
            "sen_provision": take(pupils["sen_provision"], census, missing=None)[position],
            "disability": pd.array(person["disability"][position], dtype="boolean"),
            "age_band": age_band(cohort["age_years"].to_numpy()),
            "looked_after": looked_after[position],
            "fsm": take(pupils["fsm"], census, missing=False)[position].astype(bool),
            "area": area[position],
        }
    )
    for column in ("person_id", "sex", "ethnicity_group", "ethnicity", "sen_provision", "age_band", "area"):
        frame[column] = frame[column].astype("string")
    return frame


def _per_person(records: Records, n: int) -> dict[str, np.ndarray]:
    defaults = {"sex": "U", "ethnicity": "UNKN", "ethnicity_group": "Unknown", "area": None, "disability": None}
    out = {}
    for name, default in defaults.items():
        values = np.full(n, default, dtype=object)
        values[records.person] = records[name]
        out[name] = values
    return out


def age_band(age_years: np.ndarray) -> np.ndarray:
    """``"10-12"``, ``"13-15"`` or ``"16-18"`` by completed years of age."""
    years = np.floor(np.asarray(age_years, dtype=float))
    bands = np.full(len(years), None, dtype=object)
    for low, high, name in AGE_BANDS:
        bands[(years >= low) & (years <= high)] = name
    return bands
