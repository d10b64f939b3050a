"""Alternative provision census placements, ``ap_census/placements.csv``."""

from __future__ import annotations

import pandas as pd

from .. import _codes as codes
from ._columns import Column
from ._people_attrs import attributes
from ._rules import age_outside, duplicate_keys, end_before_start
from ._table import load_csv

RELPATH = "ap_census/placements.csv"
COLUMNS = (
    Column("CensusDate", "date", required=True),
    Column("UPN", "upn", required=True),
    Column("DOB", "date"),
    Column("URN"),
    Column("SettingType", "code", required=True, codes=tuple(codes.AP_SETTING_TYPE)),
    Column("PrimaryReason", "code", codes=tuple(codes.AP_PRIMARY_REASON)),
    Column("EntryDate", "date", required=True),
    Column("LeavingDate", "date"),
    Column("SessionsPerWeek", "int", low=1, high=10),
)


def _rules(parsed, problems):
    end_before_start(problems, parsed["EntryDate"], parsed["LeavingDate"],
                     start_name="EntryDate", end_name="LeavingDate")
    age_outside(problems, parsed["DOB"], parsed["EntryDate"], event_name="EntryDate")
    duplicate_keys(problems, parsed, ("UPN", "CensusDate", "EntryDate", "SettingType", "URN"))


def read_ap_census(data_dir, report):
    """Read and validate the AP census placements, if present."""
    if not (data_dir / RELPATH).exists():
        return {}
    return {"placements": load_csv(data_dir, RELPATH, table="ap_census_placements",
                                   columns=COLUMNS, report=report, rules=_rules)}


def tidy_ap_census(frames, linker):
    """The ``ap_placements`` table and person attributes."""
    if "placements" not in frames:
        return {}, []
    p = frames["placements"]
    person = linker.person_ids(p["UPN"], "upn")
    table = pd.DataFrame({
        "person_id": person, "census_date": p["CensusDate"], "entry_date": p["EntryDate"],
        "leaving_date": p["LeavingDate"], "setting_type": p["SettingType"],
        "primary_reason": p["PrimaryReason"], "sessions_per_week": p["SessionsPerWeek"],
        "record_ref": p["record_ref"],
    })
    return {"ap_placements": table}, [attributes(person, "ap_census", when=p["CensusDate"], birth=p["DOB"])]
