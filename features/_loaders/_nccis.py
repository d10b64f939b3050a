"""NCCIS monthly activity snapshots, ``nccis/activity.csv``."""

from __future__ import annotations

import pandas as pd

from .. import _codes as codes
from ._columns import Column
from ._people_attrs import attributes
from ._rules import age_outside, duplicate_keys
from ._table import load_csv

RELPATH = "nccis/activity.csv"
ACTIVITY_GROUP = {code: group for code, (group, _) in codes.NCCIS_ACTIVITY.items()}
COLUMNS = (
    Column("NCCIS_ID", required=True),
    Column("UPN", "upn", unknown_upn=True),
    Column("DOB", "date"),
    Column("Month", "month", required=True),
    Column("ActivityCode", "int", required=True),
    Column("ActivityStartDate", "date"),
)


def _rules(parsed, problems):
    code = parsed["ActivityCode"]
    unknown = code.notna() & ~code.isin(list(ACTIVITY_GROUP))
    problems.add(unknown, "ActivityCode", "unknown ActivityCode code; see features/_codes.py")
    parsed["ActivityCode"] = code.mask(unknown)
    problems.add(parsed["ActivityStartDate"] > parsed["Month"], "ActivityStartDate",
                 "starts after the snapshot month (ActivityStartDate after Month)")
    age_outside(problems, parsed["DOB"], parsed["Month"], event_name="Month")
    duplicate_keys(problems, parsed, ("NCCIS_ID", "Month"))


def read_nccis(data_dir, report):
    """Read and validate the NCCIS activity file, if present."""
    if not (data_dir / RELPATH).exists():
        return {}
    return {"activity": load_csv(data_dir, RELPATH, table="nccis_activity", columns=COLUMNS,
                                 report=report, rules=_rules)}


def tidy_nccis(frames, linker):
    """The ``nccis_activity`` table and person attributes."""
    if "activity" not in frames:
        return {}, []
    a = frames["activity"]
    person = linker.person_ids(a["NCCIS_ID"], "nccis", upns=a["UPN"])
    table = pd.DataFrame({
        "person_id": person, "month_end": a["Month"], "activity_code": a["ActivityCode"],
        "activity_group": a["ActivityCode"].map(ACTIVITY_GROUP).astype("str"),
        "activity_start": a["ActivityStartDate"], "record_ref": a["record_ref"],
    })
    return {"nccis_activity": table}, [attributes(person, "nccis", when=a["Month"], birth=a["DOB"])]
