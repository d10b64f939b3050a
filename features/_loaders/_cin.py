"""CIN census returns, ``cin/<YYYY>.xml``: validation and tidy tables.

Each year's file is flattened by :mod:`._cin_xml` into children, referrals,
assessments, section 47 enquiries and child protection plans, each validated like a
CSV table (the row is the record's locator, e.g. ``child 3/referral 1``). A record
whose child or referral is quarantined is quarantined with it. Across years, a
referral (same child and referral date) keeps its latest return.
"""

from __future__ import annotations

import pandas as pd

from .. import _codes as codes
from ._cin_xml import read_cin_xml
from ._columns import UPN_UNKNOWN_CODES, Column, parse_columns
from ._people_attrs import attributes
from ._report import RowProblems
from ._rules import PRE_BIRTH_DAYS, age_outside, duplicate_keys, end_before_start, lookup

FOLDER = "cin"
FACTORS = (*codes.ASSESSMENT_FACTOR, *codes.LEGACY_ASSESSMENT_FACTOR)
SCHEMAS = {
    "children": (
        Column("LAchildID", required=True),
        Column("UPN", "upn"),
        Column("UPNunknown", "code", codes=UPN_UNKNOWN_CODES),
        Column("PersonBirthDate", "date"),
        Column("Sex", "code", required=True, codes=("M", "F", "U"),
               aliases={"1": "M", "2": "F", "0": "U", "9": "U"}),
        Column("Ethnicity", "code", codes=tuple(codes.ETHNICITY)),
        Column("Disabilities", "codes", codes=tuple(codes.DISABILITY)),
    ),
    "referrals": (
        Column("CINreferralDate", "date", required=True),
        Column("ReferralSource", "code", codes=tuple(codes.REFERRAL_SOURCE)),
        Column("PrimaryNeedCode", "code", codes=tuple(codes.NEED_CATEGORY)),
        Column("CINclosureDate", "date"),
        Column("ReasonForClosure", "code", codes=tuple(codes.REASON_FOR_CLOSURE)),
        Column("ReferralNFA", "flag"),
    ),
    "assessments": (
        Column("AssessmentActualStartDate", "date", required=True),
        Column("AssessmentAuthorisationDate", "date"),
        Column("Factors", "codes", codes=FACTORS),
    ),
    "section47": (
        Column("S47ActualStartDate", "date", required=True),
        Column("DateOfInitialCPC", "date"),
    ),
    "cp_plans": (
        Column("CPPstartDate", "date", required=True),
        Column("CPPendDate", "date"),
        Column("InitialCategoryOfAbuse", "code", codes=tuple(codes.ABUSE_CATEGORY)),
        Column("LatestCategoryOfAbuse", "code", codes=tuple(codes.ABUSE_CATEGORY)),
        Column("NumberOfPreviousCPP", "int", low=0, high=99),
    ),
}
ORDER_RULES = {
    "referrals": ("CINreferralDate", "CINclosureDate"),
    "assessments": ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
    "section47": ("S47ActualStartDate", "DateOfInitialCPC"),
    "cp_plans": ("CPPstartDate", "CPPendDate"),
}


def census_years(data_dir):
    """The ``cin/<YYYY>.xml`` files present, oldest first, and notes on other files."""
    folder = data_dir / FOLDER
    if not folder.is_dir():
        return [], []
    years, notes = [], []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() == ".xml" and path.stem.isdigit() and len(path.stem) == 4:
            years.append((int(path.stem), path.name))
        else:
            notes.append(f"{FOLDER}/{path.name} ignored: not a CIN census file (YYYY.xml)")
    return years, notes


def read_cin(data_dir, report):
    """Read and validate every year's CIN census; return accepted rows by part."""
    years, notes = census_years(data_dir)
    report.notes.extend(notes)
    found = {part: [] for part in SCHEMAS}
    for year, name in years:
        relpath = f"{FOLDER}/{name}"
        raw = read_cin_xml(data_dir / relpath, relpath)
        for part, frame in _validate_year(raw, year, relpath, report).items():
            found[part].append(frame.assign(year=year))
    return {part: pd.concat(frames, ignore_index=True) if frames else None
            for part, frames in found.items()}


def _validate_year(raw, year, relpath, report):
    raw = _with_sex(raw)
    accepted = {}
    parsed_children, ok_children = _check(
        raw["children"], "children", relpath, report, rules=_child_rules(year))
    births = parsed_children.set_index(raw["children"]["child"].to_numpy())["PersonBirthDate"]
    child_ids = raw["children"].set_index("child")["LAchildID"]
    bad_children = set(raw["children"]["child"][~ok_children])
    accepted["children"] = parsed_children[ok_children].assign(child=raw["children"]["child"][ok_children])
    parsed, ok = _check(raw["referrals"], "referrals", relpath, report,
                        rules=_referral_rules(births, raw["referrals"]), parents=(bad_children, "child"),
                        child_ids=child_ids)
    bad_referrals = set(_referral_key(raw["referrals"])[~ok])
    accepted["referrals"] = _accept(parsed, ok, raw["referrals"], child_ids)
    for part in ("assessments", "section47", "cp_plans"):
        parsed, ok = _check(raw[part], part, relpath, report, parents=(bad_referrals, "referral"),
                            child_ids=child_ids)
        accepted[part] = _accept(parsed, ok, raw[part], child_ids)
    return accepted


def _with_sex(raw):
    children = raw["children"].copy()
    children["Sex"] = children["Sex"].fillna(children["GenderCurrent"])
    return {**raw, "children": children}


def _check(frame, part, relpath, report, *, rules=None, parents=None, child_ids=None):
    frame = frame.reset_index(drop=True)
    problems = RowProblems(frame.index)
    parsed = parse_columns(frame, SCHEMAS[part], problems)
    if part in ORDER_RULES:
        start, end = ORDER_RULES[part]
        end_before_start(problems, parsed[start], parsed[end], start_name=start, end_name=end)
    if rules is not None:
        rules(parsed, problems)
    if parents is not None:
        bad, level = parents
        keys = frame["child"] if level == "child" else _referral_key(frame)
        problems.add(keys.isin(list(bad)), level, f"its {level} record was quarantined")
    shown = frame if child_ids is None else frame.assign(LAchildID=lookup(frame["child"], child_ids))
    ok, table_report = problems.finish(
        table=f"cin_{part}", file=relpath, raw=shown, rows=frame["locator"].to_numpy())
    report.add(table_report)
    return parsed, ok


def _accept(parsed, ok, raw, child_ids):
    keys = raw.loc[ok, ["child", "referral", "locator"]]
    return parsed[ok].assign(
        child=keys["child"], referral=keys["referral"], locator=keys["locator"],
        LAchildID=lookup(keys["child"], child_ids).to_numpy(),
    )


def _referral_key(frame):
    return frame["child"].astype("str") + "/" + frame["referral"].astype("str")


def _child_rules(year):
    def rules(parsed, problems):
        end = pd.Series(pd.Timestamp(year=year, month=3, day=31), index=parsed.index)
        age_outside(problems, parsed["PersonBirthDate"], end, event_name="the census year end",
                    column="PersonBirthDate", pre_birth_days=PRE_BIRTH_DAYS)
        duplicate_keys(problems, parsed, ("LAchildID",))
    return rules


def _referral_rules(births, raw):
    def rules(parsed, problems):
        birth = lookup(raw["child"].to_numpy(), births).set_axis(parsed.index)
        age_outside(problems, birth, parsed["CINreferralDate"], event_name="CINreferralDate",
                    pre_birth_days=PRE_BIRTH_DAYS)
    return rules


def upn_pairs(frames):
    """Each child's LA id and UPN, latest census first, for the linker; None without children."""
    children = frames["children"]
    if children is None or not len(children):
        return None
    latest = children.sort_values("year", ascending=False, kind="stable")
    return latest["LAchildID"], latest["UPN"]


def tidy_cin(frames, linker):
    """The four ``cin_*`` tables, person attributes and disability flags."""
    children = frames["children"]
    if children is None or not len(children):
        return {}, [], pd.Series(dtype="boolean")
    person = linker.person_ids(children["LAchildID"], "la")
    when = pd.to_datetime(children["year"].astype("str") + "-03-31")
    attrs = [attributes(person, "cin", when=when, birth=children["PersonBirthDate"],
                        sex=children["Sex"], ethnicity=children["Ethnicity"])]
    has_disability = ~children["Disabilities"].fillna("NONE").str.fullmatch(r"NONE(?:;NONE)*")
    disability = has_disability.groupby(person.to_numpy()).any()
    tables = _tidy_referrals(frames, linker)
    return tables, attrs, disability


def _tidy_referrals(frames, linker):
    referrals = frames["referrals"]
    if referrals is None or not len(referrals):
        return {}
    refs = _ReferralRefs(referrals, linker)
    r = _latest(referrals, ["LAchildID", "CINreferralDate"])
    tables = {"cin_referrals": pd.DataFrame({
        **refs.common(r), "collection_year": r["year"], "referral_date": r["CINreferralDate"],
        "closure_date": r["CINclosureDate"], "referral_source": r["ReferralSource"],
        "primary_need": r["PrimaryNeedCode"], "reason_for_closure": r["ReasonForClosure"],
        "referral_nfa": r["ReferralNFA"],
    })}
    for part, tidy in (("assessments", _factors), ("section47", _section47), ("cp_plans", _plans)):
        frame = frames[part]
        if frame is not None and len(frame):
            name, table = tidy(frame, refs)
            tables[name] = table
    return tables


class _ReferralRefs:
    """The columns every CIN table shares: person, pseudonymous referral, record."""

    def __init__(self, referrals, linker):
        self.linker = linker
        self.dates = referrals.set_index(["year", "child", "referral"])["CINreferralDate"]

    def date_of(self, frame):
        index = pd.MultiIndex.from_frame(frame[["year", "child", "referral"]])
        return pd.Series(self.dates.reindex(index).to_numpy(), index=frame.index)

    def common(self, frame):
        key = frame["LAchildID"] + "|" + self.date_of(frame).dt.strftime("%Y-%m-%d")
        record = f"{FOLDER}/" + frame["year"].astype("str") + ".xml:" + frame["locator"]
        return {
            "person_id": self.linker.person_ids(frame["LAchildID"], "la"),
            "referral_ref": self.linker.pseudonymiser.pseudonymise(key, "cin_referral"),
            "record_ref": record.astype("str"),
        }


def _factors(frame, refs):
    a = frame.assign(factor=frame["Factors"].str.split(";")).explode("factor").dropna(subset=["factor"])
    a = _latest(a, ["LAchildID", "AssessmentActualStartDate", "factor"], refs)
    return "cin_assessment_factors", pd.DataFrame({
        **refs.common(a), "assessment_start": a["AssessmentActualStartDate"],
        "assessment_authorised": a["AssessmentAuthorisationDate"], "factor": a["factor"],
    })


def _section47(frame, refs):
    s = _latest(frame, ["LAchildID", "S47ActualStartDate"], refs)
    return "cin_section47", pd.DataFrame({
        **refs.common(s), "s47_start": s["S47ActualStartDate"], "icpc_date": s["DateOfInitialCPC"],
    })


def _plans(frame, refs):
    c = _latest(frame, ["LAchildID", "CPPstartDate"], refs)
    return "cin_cp_plans", pd.DataFrame({
        **refs.common(c), "cpp_start": c["CPPstartDate"], "cpp_end": c["CPPendDate"],
        "initial_category": c["InitialCategoryOfAbuse"], "latest_category": c["LatestCategoryOfAbuse"],
    })


def _latest(frame, keys, refs=None):
    """Keep each record's latest return (by collection year)."""
    frame = frame.reset_index(drop=True)
    if refs is not None:
        frame = frame.assign(_referral_date=refs.date_of(frame))
        keys = [keys[0], "_referral_date", *keys[1:]]
    ordered = frame.sort_values("year", kind="stable")
    return ordered.drop_duplicates(keys, keep="last").sort_index()
