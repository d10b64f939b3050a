"""Age on the as-of date, from the month of birth."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._base import Clock, People, Records, Trace

SOURCES = ("people",)


def prepare(tables: dict[str, pd.DataFrame], people: People) -> dict[str, Records]:
    return {"people": Records.from_table(tables["people"], people, dates=("birth_month",))}


def build(prepared: dict[str, Records], clock: Clock, people: People) -> dict[str, np.ndarray]:
    return {"age_years": people.age_months(clock) / 12.0}


TRACES = {
    "age_years": Trace(
        table="people",
        select=lambda records, clock: records["birth_month"] <= clock.day,
        date="birth_month",
        detail=lambda rows: pd.Series("month of birth", index=rows.index),
    ),
}

NAMES = ("age_years",)
