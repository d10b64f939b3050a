"""School census extracts: pupils, exclusions and termly attendance."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes as codes
from ._columns import Column, by_unique
from ._people_attrs import attributes, postcode_district
from ._rules import age_outside, duplicate_keys, lookup
from ._table import load_csv

FOLDER = "school_census"
SEX_CODES = ("M", "F", "U")
SEX_ALIASES = {"1": "M", "2": "F"}
NC_YEAR_WORDS = {"R": 0, "N1": -1, "N2": -2, "X": None}
TERM_DATES = {"AUT": ((9, 1), (12, 31), 0), "SPR": ((1, 1), (3, 31), 1), "SUM": ((4, 1), (7, 31), 1)}

PUPILS = (
    Column("CensusDate", "date", required=True),
    Column("URN"),
    Column("UPN", "upn", required=True),
    Column("Surname"),
    Column("Forename"),
    Column("DOB", "date", required=True),
    Column("Sex", "code", required=True, codes=SEX_CODES, aliases=SEX_ALIASES),
    Column("Ethnicity", "code", codes=(*codes.ETHNICITY, "UNKN")),
    Column("Postcode"),
    Column("NCyearActual"),
    Column("SENprovision", "code", codes=tuple(codes.SEN_PROVISION), aliases=codes.SEN_PROVISION_ALIASES),
    Column("PrimarySENtype", "code", codes=tuple(codes.SEN_TYPE)),
    Column("FSMeligible", "flag"),
)
EXCLUSIONS = (
    Column("UPN", "upn", required=True),
    Column("URN"),
    Column("Category", "code", required=True, codes=tuple(codes.EXCLUSION_CATEGORY),
           aliases=codes.EXCLUSION_CATEGORY_ALIASES),
    Column("Reason", "codes", required=True, codes=tuple(codes.EXCLUSION_REASON)),
    Column("StartDate", "date", required=True),
    Column("Sessions", "number", low=0, high=1000),
)
ATTENDANCE = (
    Column("UPN", "upn", required=True),
    Column("URN"),
    Column("AcademicYear", required=True),
    Column("Term", "code", required=True, codes=tuple(codes.TERMS)),
    Column("sess_possible", "int", required=True, low=0, high=400),
    Column("sess_authorised", "int", required=True, low=0, high=400),
    Column("sess_unauthorised", "int", required=True, low=0, high=400),
)


def read_school_census(data_dir, report):
    """Read and validate the school census files that are present."""
    frames = {}
    pupils_path = f"{FOLDER}/pupils.csv"
    if (data_dir / pupils_path).exists():
        frames["pupils"] = load_csv(
            data_dir, pupils_path, table="school_census_pupils", columns=PUPILS,
            report=report, rules=_pupil_rules,
        )
    births = _births(frames.get("pupils"))
    for name, columns, rules in (
        ("exclusions", EXCLUSIONS, _exclusion_rules(births)),
        ("attendance", ATTENDANCE, _attendance_rules(births)),
    ):
        relpath = f"{FOLDER}/{name}.csv"
        if (data_dir / relpath).exists():
            frames[name] = load_csv(
                data_dir, relpath, table=f"school_census_{name}", columns=columns,
                report=report, rules=rules,
            )
    return frames


def _births(pupils):
    if pupils is None:
        return pd.Series(dtype="datetime64[ns]")
    latest = pupils.sort_values("CensusDate", ascending=False)
    return latest.drop_duplicates("UPN").set_index("UPN")["DOB"]


def _pupil_rules(parsed, problems):
    age_outside(problems, parsed["DOB"], parsed["CensusDate"], event_name="CensusDate", column="DOB")
    duplicate_keys(problems, parsed, ("UPN", "CensusDate", "URN"))
    nc_year = by_unique(parsed["NCyearActual"], _nc_year)
    bad = parsed["NCyearActual"].notna() & nc_year.isna() & parsed["NCyearActual"].str.upper().ne("X")
    problems.add(bad, "NCyearActual", "not a national curriculum year (R, N1, N2, X or -2 to 14)")
    parsed["NCyearActual"] = nc_year.mask(bad)


def _nc_year(values):
    upper = values.str.upper()
    words = upper.map(NC_YEAR_WORDS)
    numbers = pd.to_numeric(upper, errors="coerce")
    numbers = numbers.where((numbers >= -2) & (numbers <= 14) & (numbers == numbers.round()))
    return numbers.fillna(words.astype("float64")).astype("Int64")


def _exclusion_rules(births):
    def rules(parsed, problems):
        birth = lookup(parsed["UPN"], births)
        age_outside(problems, birth, parsed["StartDate"], event_name="StartDate")
        duplicate_keys(problems, parsed, ("UPN", "StartDate", "Category", "URN"))
    return rules


def _attendance_rules(births):
    def rules(parsed, problems):
        year = by_unique(parsed["AcademicYear"], academic_year)
        problems.add(
            parsed["AcademicYear"].notna() & year.isna(), "AcademicYear",
            "not an academic year (use YYYY/YY, e.g. 2023/24)",
        )
        parsed["AcademicYear"] = year
        absent = parsed["sess_authorised"] + parsed["sess_unauthorised"]
        problems.add(absent > parsed["sess_possible"], "sess_possible",
                     "absence sessions exceed sessions possible")
        start, _ = term_dates(year, parsed["Term"])
        age_outside(problems, lookup(parsed["UPN"], births), start, event_name="Term")
        duplicate_keys(problems, parsed, ("UPN", "URN", "AcademicYear", "Term"))
    return rules


def academic_year(values):
    """The calendar year an academic year starts, from ``2023/24``, ``2023/2024`` or ``2023-24``.

    Examples
    --------
    >>> academic_year(pd.Series(["2023/24", "2023-2024", "2023/25", "23/24"])).tolist()
    [2023, 2023, <NA>, <NA>]
    """
    parts = values.str.extract(r"^(\d{4})\s*[/-]\s*(\d{2}|\d{4})$")
    start = pd.to_numeric(parts[0], errors="coerce")
    end = pd.to_numeric(parts[1], errors="coerce")
    consistent = (end % 100) == ((start + 1) % 100)
    return start.where(consistent).astype("Int64")


def term_dates(year, term):
    """First and last day of each term of an academic year (``NaT`` if unknown)."""
    start = np.full(len(term), np.datetime64("NaT"), dtype="datetime64[ns]")
    end = start.copy()
    years = year.to_numpy(dtype="float64", na_value=np.nan)
    for name, ((m0, d0), (m1, d1), offset) in TERM_DATES.items():
        rows = (term == name).fillna(False).to_numpy(dtype=bool) & ~np.isnan(years)
        y = (years[rows] + offset - 1970).astype("int64").astype("datetime64[Y]")
        start[rows] = _day(y, m0, d0)
        end[rows] = _day(y, m1, d1)
    return pd.Series(start, index=term.index), pd.Series(end, index=term.index)


def _day(years, month, day):
    months = years.astype("datetime64[M]") + np.timedelta64(month - 1, "M")
    return (months.astype("datetime64[D]") + np.timedelta64(day - 1, "D")).astype("datetime64[ns]")


def tidy_school_census(frames, linker):
    """Turn the accepted school census rows into the tidy tables and attributes.

    Returns
    -------
    tables : dict of DataFrame
        ``pupils``, ``exclusions``, ``attendance`` (those present).
    attrs : list of DataFrame
        Person attributes for the ``people`` table.
    """
    tables, attrs = {}, []
    if "pupils" in frames:
        tables["pupils"], pupil_attrs = _tidy_pupils(frames["pupils"], linker)
        attrs.append(pupil_attrs)
    if "exclusions" in frames:
        tables["exclusions"] = _tidy_exclusions(frames["exclusions"], linker)
    if "attendance" in frames:
        tables["attendance"] = _tidy_attendance(frames["attendance"], linker)
    return tables, attrs


def _tidy_pupils(p, linker):
    person = linker.person_ids(p["UPN"], "upn")
    district = postcode_district(p["Postcode"])
    table = pd.DataFrame({
        "person_id": person, "census_date": p["CensusDate"], "sex": p["Sex"],
        "ethnicity": p["Ethnicity"].fillna("UNKN"),
        "sen_provision": p["SENprovision"].fillna("N"), "sen_type": p["PrimarySENtype"],
        "fsm_eligible": p["FSMeligible"], "postcode_district": district,
        "nc_year": p["NCyearActual"], "record_ref": p["record_ref"],
    })
    attrs = attributes(person, "school_census", when=p["CensusDate"], birth=p["DOB"],
                       sex=p["Sex"], ethnicity=p["Ethnicity"], district=district)
    return table, attrs


def _tidy_exclusions(e, linker):
    return pd.DataFrame({
        "person_id": linker.person_ids(e["UPN"], "upn"), "start_date": e["StartDate"],
        "category": e["Category"], "reasons": e["Reason"],
        "sessions": e["Sessions"].where(e["Category"] != "PERM"), "record_ref": e["record_ref"],
    })


def _tidy_attendance(a, linker):
    start, end = term_dates(a["AcademicYear"], a["Term"])
    return pd.DataFrame({
        "person_id": linker.person_ids(a["UPN"], "upn"), "academic_year": a["AcademicYear"],
        "term": a["Term"], "term_start": start, "term_end": end,
        "sessions_possible": a["sess_possible"], "sessions_authorised": a["sess_authorised"],
        "sessions_unauthorised": a["sess_unauthorised"], "record_ref": a["record_ref"],
    })
