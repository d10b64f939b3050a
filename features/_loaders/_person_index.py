"""The master person index, ``linkage/person_index.csv``."""

from __future__ import annotations

import pandas as pd

from ._columns import Column
from ._rules import duplicate_keys
from ._table import load_csv

RELPATH = "linkage/person_index.csv"
ID_COLUMNS = ("PERSON_REF", "LA_CHILD_ID", "UPN", "YJ_ID", "NCCIS_ID")
COLUMNS = (
    Column("PERSON_REF", required=True),
    Column("LA_CHILD_ID"),
    Column("UPN", "upn", unknown_upn=True),
    Column("YJ_ID"),
    Column("NCCIS_ID"),
)


def read_person_index(data_dir, report):
    """Read and validate the person index; each id may belong to one person only.

    Returns an empty index (and a report note) when the file is absent, so that
    people are then linked through their UPN alone.
    """
    if not (data_dir / RELPATH).exists():
        report.notes.append(f"{RELPATH} is absent: records are linked through UPN only")
        return pd.DataFrame({name: pd.Series(dtype="str") for name in ID_COLUMNS})

    def rules(parsed, problems):
        for name in ID_COLUMNS:
            duplicate_keys(problems, parsed, (name,), within="the person index")

    return load_csv(data_dir, RELPATH, table="person_index", columns=COLUMNS, report=report, rules=rules)
