"""Youth justice service extracts: offences and outcomes."""

from __future__ import annotations

import pandas as pd

from .. import _codes as codes
from ._columns import Column
from ._people_attrs import attributes
from ._rules import age_outside, duplicate_keys, end_before_start, lookup
from ._table import load_csv

FOLDER = "youth_justice"
TIER = {code: tier for code, (tier, _) in codes.OUTCOME_TYPE.items()}
OFFENCES = (
    Column("YJ_ID", required=True),
    Column("DOB", "date"),
    Column("OffenceID", required=True),
    Column("OffenceDate", "date", required=True),
    Column("RecordedDate", "date"),
    Column("HOClass", "code", required=True, codes=tuple(codes.HO_CLASS),
           pattern=codes.HO_CLASS_PATTERN, keep_unknown=True),
    Column("HOCode"),
    Column("OffenceDescription"),
    Column("YJBCategory", "code", codes=tuple(codes.YJB_CATEGORY)),
    Column("KnifeFlag", "flag"),
    Column("Gravity", "int", low=1, high=8),
)
OUTCOMES = (
    Column("YJ_ID", required=True),
    Column("OffenceID", required=True),
    Column("OutcomeDate", "date", required=True),
    Column("OutcomeType", "code", required=True, codes=tuple(codes.OUTCOME_TYPE)),
    Column("Tier", "code", codes=codes.OUTCOME_TIERS),
    Column("LengthMonths", "number", low=0, high=240),
)


KNIFE_FLAG_UNKNOWN = ("blank: whether a knife or sharp instrument was involved is unknown; kept, "
                      "counted as not knife-flagged and reported with the label (docs/label-definition.md)")


def _offence_rules(parsed, problems):
    problems.warn(parsed["KnifeFlag"].isna(), "KnifeFlag", KNIFE_FLAG_UNKNOWN)
    end_before_start(problems, parsed["OffenceDate"], parsed["RecordedDate"],
                     start_name="OffenceDate", end_name="RecordedDate")
    age_outside(problems, parsed["DOB"], parsed["OffenceDate"], event_name="OffenceDate")
    duplicate_keys(problems, parsed, ("OffenceID",))


def _outcome_rules(offences):
    births = offences.set_index("YJ_ID")["DOB"].dropna() if offences is not None else pd.Series(dtype="datetime64[ns]")
    dates = offences.set_index("OffenceID")["OffenceDate"] if offences is not None else pd.Series(dtype="datetime64[ns]")

    def rules(parsed, problems):
        offence_date = lookup(parsed["OffenceID"], dates)
        problems.add(parsed["OutcomeDate"] < offence_date, "OutcomeDate",
                     "dated before its offence (OutcomeDate before the offence's OffenceDate)")
        age_outside(problems, lookup(parsed["YJ_ID"], births), parsed["OutcomeDate"],
                    event_name="OutcomeDate")
        duplicate_keys(problems, parsed, ("OffenceID", "OutcomeDate", "OutcomeType"))
    return rules


def read_youth_justice(data_dir, report):
    """Read and validate the youth justice files that are present."""
    frames = {}
    path = f"{FOLDER}/offences.csv"
    if (data_dir / path).exists():
        frames["offences"] = load_csv(data_dir, path, table="youth_justice_offences",
                                      columns=OFFENCES, report=report, rules=_offence_rules)
    path = f"{FOLDER}/outcomes.csv"
    if (data_dir / path).exists():
        frames["outcomes"] = load_csv(data_dir, path, table="youth_justice_outcomes",
                                      columns=OUTCOMES, report=report,
                                      rules=_outcome_rules(frames.get("offences")))
    return frames


def tidy_youth_justice(frames, linker):
    """The ``yj_offences`` and ``yj_outcomes`` tables and person attributes."""
    tables, attrs = {}, []
    pseudonymise = linker.pseudonymiser.pseudonymise
    if "offences" in frames:
        o = frames["offences"]
        person = linker.person_ids(o["YJ_ID"], "yj")
        tables["yj_offences"] = pd.DataFrame({
            "person_id": person, "offence_ref": pseudonymise(o["OffenceID"], "yj_offence"),
            "offence_date": o["OffenceDate"], "recorded_date": o["RecordedDate"],
            "ho_class": o["HOClass"], "ho_code": o["HOCode"],
            "yjb_category": o["YJBCategory"], "knife_flag": o["KnifeFlag"], "gravity": o["Gravity"],
            "record_ref": o["record_ref"],
        })
        attrs.append(attributes(person, "youth_justice", when=o["OffenceDate"], birth=o["DOB"]))
    if "outcomes" in frames:
        u = frames["outcomes"]
        tier = u["Tier"].fillna(u["OutcomeType"].map(TIER)).astype("str")
        tables["yj_outcomes"] = pd.DataFrame({
            "person_id": linker.person_ids(u["YJ_ID"], "yj"),
            "offence_ref": pseudonymise(u["OffenceID"], "yj_offence"),
            "outcome_date": u["OutcomeDate"], "outcome_type": u["OutcomeType"], "tier": tier,
            "tier_rank": tier.map(codes.OUTCOME_TIER_RANK), "length_months": u["LengthMonths"],
            "record_ref": u["record_ref"],
        })
    return tables, attrs
