"""SSDA903 children looked after returns, ``ssda903/<YYYY>/``.

Each collection year's folder holds ``header.csv``, ``episodes.csv``, ``missing.csv``
and ``oc2.csv``. Years are concatenated; an episode (or missing episode) repeated in a
later year's return keeps the later version.
"""

from __future__ import annotations

import pandas as pd

from .. import _codes as codes
from ._columns import Column
from ._people_attrs import attributes, postcode_district
from ._rules import age_outside, duplicate_keys, end_before_start, lookup
from ._table import load_csv

FOLDER = "ssda903"
YES_NO = ("0", "1")
HEADER = (
    Column("CHILD", required=True),
    Column("SEX", "code", required=True, codes=("M", "F", "U"), aliases={"1": "M", "2": "F"}),
    Column("DOB", "date", required=True),
    Column("ETHNIC", "code", required=True, codes=tuple(codes.ETHNICITY)),
    Column("UPN", "upn", unknown_upn=True),
    Column("MOTHER", "code", codes=YES_NO),
    Column("MC_DOB", "date"),
)
EPISODES = (
    Column("CHILD", required=True),
    Column("DECOM", "date", required=True),
    Column("RNE", "code", required=True, codes=tuple(codes.RNE)),
    Column("LS", "code", required=True, codes=tuple(codes.LEGAL_STATUS)),
    Column("CIN", "code", required=True, codes=tuple(codes.NEED_CATEGORY)),
    Column("PLACE", "code", required=True, codes=tuple(codes.PLACEMENT)),
    Column("PLACE_PROVIDER", "code", codes=tuple(codes.PLACE_PROVIDER)),
    Column("DEC", "date"),
    Column("REC", "code", codes=tuple(codes.REASON_EPISODE_CEASED)),
    Column("REASON_PLACE_CHANGE", "code", codes=tuple(codes.REASON_PLACE_CHANGE)),
    Column("HOME_POST"),
    Column("PL_POST"),
    Column("URN"),
)
MISSING = (
    Column("CHILD", required=True),
    Column("DOB", "date"),
    Column("MISSING", "code", required=True, codes=tuple(codes.MISSING_TYPE)),
    Column("MIS_START", "date", required=True),
    Column("MIS_END", "date"),
)
OC2 = (
    Column("CHILD", required=True),
    Column("DOB", "date"),
    Column("SDQ_SCORE", "int", low=0, high=40),
    Column("SDQ_REASON", "code", codes=tuple(codes.SDQ_REASON)),
    *(Column(name, "flag") for name in (
        "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED",
    )),
)


def collection_years(data_dir):
    """The collection-year folders present, oldest first, and notes on other folders."""
    folder = data_dir / FOLDER
    if not folder.is_dir():
        return [], []
    years, notes = [], []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and path.name.isdigit() and len(path.name) == 4:
            years.append(int(path.name))
        else:
            notes.append(f"{FOLDER}/{path.name} ignored: not a collection-year folder (YYYY)")
    return years, notes


def year_end(year):
    """31 March of the collection year ending in ``year``."""
    return pd.Timestamp(year=year, month=3, day=31)


def read_ssda903(data_dir, report):
    """Read and validate every year's SSDA903 files; return frames with ``year``."""
    years, notes = collection_years(data_dir)
    report.notes.extend(notes)
    headers = [_read(data_dir, year, "header", HEADER, report, _header_rules(year)) for year in years]
    headers = _concat(headers)
    births = _births(headers)
    frames = {"header": headers}
    for name, columns, rules in (
        ("episodes", EPISODES, _episode_rules(births)),
        ("missing", MISSING, _missing_rules(births)),
        ("oc2", OC2, _oc2_rules(births)),
    ):
        parts = [_read(data_dir, year, name, columns, report, rules(year)) for year in years]
        frames[name] = _concat(parts)
    return frames


def _births(headers):
    if not len(headers):
        return pd.Series(dtype="datetime64[ns]")
    latest = headers.sort_values("year", ascending=False, kind="stable")
    return latest.drop_duplicates("CHILD").set_index("CHILD")["DOB"]


def _read(data_dir, year, name, columns, report, rules):
    relpath = f"{FOLDER}/{year}/{name}.csv"
    if not (data_dir / relpath).exists():
        report.notes.append(f"{relpath} is absent")
        return None
    parsed = load_csv(data_dir, relpath, table=f"ssda903_{name}", columns=columns,
                      report=report, rules=rules)
    return parsed.assign(year=year)


def _concat(parts):
    parts = [p for p in parts if p is not None]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["CHILD", "year"])


def _header_rules(year):
    def rules(parsed, problems):
        age_outside(problems, parsed["DOB"], pd.Series(year_end(year), index=parsed.index),
                    event_name="the collection year end", column="DOB")
        duplicate_keys(problems, parsed, ("CHILD",))
    return rules


def _episode_rules(births):
    def rules(parsed, problems):
        end_before_start(problems, parsed["DECOM"], parsed["DEC"], start_name="DECOM", end_name="DEC")
        age_outside(problems, lookup(parsed["CHILD"], births), parsed["DECOM"], event_name="DECOM")
        duplicate_keys(problems, parsed, ("CHILD", "DECOM"))
    return lambda year: rules


def _missing_rules(births):
    def rules(parsed, problems):
        end_before_start(problems, parsed["MIS_START"], parsed["MIS_END"],
                         start_name="MIS_START", end_name="MIS_END")
        birth = parsed["DOB"].fillna(lookup(parsed["CHILD"], births))
        age_outside(problems, birth, parsed["MIS_START"], event_name="MIS_START")
        duplicate_keys(problems, parsed, ("CHILD", "MIS_START", "MISSING"))
    return lambda year: rules


def _oc2_rules(births):
    def for_year(year):
        def rules(parsed, problems):
            birth = parsed["DOB"].fillna(lookup(parsed["CHILD"], births))
            end = pd.Series(year_end(year), index=parsed.index)
            age_outside(problems, birth, end, event_name="the collection year end", column="DOB")
            duplicate_keys(problems, parsed, ("CHILD",))
        return rules
    return for_year


def tidy_ssda903(frames, linker):
    """The ``cla_episodes``, ``cla_missing`` and ``cla_oc2`` tables and attributes."""
    header, episodes = frames["header"], frames["episodes"]
    tables, attrs = {}, []
    if len(header):
        person = linker.person_ids(header["CHILD"], "la")
        attrs.append(attributes(person, "ssda903", when=header["year"].map(year_end), birth=header["DOB"],
                                sex=header["SEX"], ethnicity=header["ETHNIC"]))
    if len(episodes):
        e = episodes.sort_values("year", kind="stable").drop_duplicates(["CHILD", "DECOM"], keep="last")
        person = linker.person_ids(e["CHILD"], "la")
        tables["cla_episodes"] = pd.DataFrame({
            "person_id": person, "collection_year": e["year"], "decom": e["DECOM"], "dec": e["DEC"],
            "rne": e["RNE"], "legal_status": e["LS"], "need_category": e["CIN"], "place": e["PLACE"],
            "place_provider": e["PLACE_PROVIDER"], "reason_ceased": e["REC"],
            "reason_place_change": e["REASON_PLACE_CHANGE"], "record_ref": e["record_ref"],
        }).sort_values(["person_id", "decom"])
        attrs.append(attributes(person, "ssda903", when=e["DECOM"],
                                district=postcode_district(e["HOME_POST"])))
    missing = frames["missing"]
    if len(missing):
        m = missing.sort_values("year", kind="stable").drop_duplicates(["CHILD", "MIS_START", "MISSING"], keep="last")
        tables["cla_missing"] = pd.DataFrame({
            "person_id": linker.person_ids(m["CHILD"], "la"), "missing_type": m["MISSING"],
            "start": m["MIS_START"], "end": m["MIS_END"], "record_ref": m["record_ref"],
        })
    oc2 = frames["oc2"]
    if len(oc2):
        tables["cla_oc2"] = pd.DataFrame({
            "person_id": linker.person_ids(oc2["CHILD"], "la"), "collection_year": oc2["year"],
            "year_end": oc2["year"].map(year_end), "sdq_score": oc2["SDQ_SCORE"].astype("float64"),
            "convicted": oc2["CONVICTED"], "substance_misuse": oc2["SUBSTANCE_MISUSE"],
            "record_ref": oc2["record_ref"],
        })
    return tables, attrs


def upn_pairs(frames):
    """Each header's child id and UPN, latest year first, for the linker; None without headers."""
    header = frames["header"]
    if not len(header):
        return None
    latest = header.sort_values("year", ascending=False, kind="stable")
    return latest["CHILD"], latest["UPN"]
