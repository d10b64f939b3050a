"""Calibration figures computed back from a written synthetic authority.

Each figure is computed from the extract files (youth justice, school census, SSDA903)
and, where the extracts cannot see a whole childhood, from ``_truth/``. ``TARGETS``
holds the published figure each one reproduces (``docs/synthetic-data.md`` cites the
sources); the generator's tests check every figure within a factor of 1.5.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

TARGETS = {
    "knife_offence_rate_yearly": 0.0045,
    "cautioned_or_sentenced_by_18": 0.05,
    "serious_violence_by_18": 0.011,
    "serious_violence_male_share": 0.86,
    "serious_violence_female_share": 0.14,
    "peak_age_first_offence": 15,
    "peak_age_first_serious_violence": 16,
    "persistent_absence_ratio": 4.8,
    "suspension_ratio": 8.0,
    "looked_after_ratio": 4.0,
    "knife_offenders_persistently_absent": 0.83,
    "knife_offenders_suspended": 0.83,
    "knife_offenders_permanently_excluded": 0.20,
    "knife_offenders_ever_fsm": 0.41,
}
AS_OF_YEARS = range(2019, 2025)
STATUTORY_TIERS = ("PRECOURT", "FIRST_TIER", "COMMUNITY", "CUSTODY")
SECONDARY_COHORTS = range(2005, 2009)  # academic birth years whose years 7 to 11 all fall in the extracts


def calibration_figures(data_dir):
    """Every figure of ``TARGETS`` as achieved by the authority in ``data_dir``.

    Parameters
    ----------
    data_dir : str or pathlib.Path
        A folder written by :func:`synthesize`.

    Returns
    -------
    dict of str to float or None
        None where a figure is undefined (a population too small to have, say, any
        serious violence).
    """
    data = Path(data_dir)
    people = pd.read_csv(data / "_truth" / "people.csv", parse_dates=["dob"], dtype={"PERSON_REF": str})
    truth = pd.read_csv(data / "_truth" / "offences.csv", parse_dates=["offence_date"],
                        dtype={"PERSON_REF": str, "ho_class": str, "outcome_tier": str}, keep_default_na=False)
    index = pd.read_csv(data / "linkage" / "person_index.csv", dtype=str, keep_default_na=False)
    extract = _extract_offences(data, index)
    figures = {"knife_offence_rate_yearly": _knife_rate(people, extract)}
    figures.update(_by_eighteen(people, truth))
    figures.update(_education(data, index, people, extract))
    return {name: round(float(value), 5) if np.isfinite(value) else None for name, value in figures.items()}


def _extract_offences(data, index):
    offences = pd.read_csv(data / "youth_justice" / "offences.csv", dtype=str, keep_default_na=False)
    outcomes = pd.read_csv(data / "youth_justice" / "outcomes.csv", dtype=str, keep_default_na=False)
    ref = dict(zip(index["YJ_ID"], index["PERSON_REF"]))
    offences["PERSON_REF"] = offences["YJ_ID"].map(ref)
    offences["date"] = pd.to_datetime(offences["OffenceDate"], format="%d/%m/%Y")
    offences["knife"] = (offences["HOClass"] == "10D") | (offences["KnifeFlag"] == "Y")
    tier = outcomes.set_index("OffenceID")["Tier"]
    offences["statutory"] = offences["OffenceID"].map(tier).isin(STATUTORY_TIERS)
    return offences


def _knife_rate(people, extract):
    knife = extract[extract["knife"]]
    rates = []
    for year in AS_OF_YEARS:
        as_of = pd.Timestamp(f"{year}-04-01")
        age = _age(people["dob"], as_of)
        cohort = people.loc[(age >= 10) & (age <= 18), "PERSON_REF"]
        window = knife[(knife["date"] >= as_of) & (knife["date"] < as_of + pd.DateOffset(years=1))]
        rates.append(cohort.isin(window["PERSON_REF"]).mean())
    return np.mean(rates)


def _age(dob, when):
    when = pd.Timestamp(when)
    before_birthday = (dob.dt.month > when.month) | ((dob.dt.month == when.month) & (dob.dt.day > when.day))
    return when.year - dob.dt.year - before_birthday.astype(int)


def _by_eighteen(people, truth):
    adult = people[_age(people["dob"], "2026-03-31") >= 18]
    statutory = truth[(truth["recorded"] == 1) & truth["outcome_tier"].isin(STATUTORY_TIERS)]
    any_group = adult["PERSON_REF"].isin(statutory["PERSON_REF"])
    serious = adult["PERSON_REF"].isin(statutory.loc[statutory["serious_violence"] == 1, "PERSON_REF"])
    recorded = truth[truth["recorded"] == 1].merge(people[["PERSON_REF", "dob"]], on="PERSON_REF")
    recorded["age"] = ((recorded["offence_date"] - recorded["dob"]).dt.days // 365.25).astype(int)
    first = recorded.sort_values("offence_date").drop_duplicates("PERSON_REF")
    first_sv = recorded[recorded["serious_violence"] == 1].sort_values("offence_date").drop_duplicates("PERSON_REF")
    serious_people = people[people["PERSON_REF"].isin(statutory.loc[statutory["serious_violence"] == 1, "PERSON_REF"])]
    male = serious_people["sex"].eq("M").mean()
    looked_after = adult["ever_looked_after"].to_numpy() == 1
    return {
        "cautioned_or_sentenced_by_18": any_group.mean(), "serious_violence_by_18": serious.mean(),
        "serious_violence_male_share": male, "serious_violence_female_share": 1 - male,
        "looked_after_ratio": _ratio(any_group[looked_after].mean(), any_group[~looked_after].mean()),
        "peak_age_first_offence": _mode(first["age"]),
        "peak_age_first_serious_violence": _mode(first_sv["age"]),
    }


def _mode(values):
    modes = values.mode()
    return modes.iloc[0] if len(modes) else np.nan


def _ratio(numerator, denominator):
    return numerator / denominator if denominator > 0 else np.nan


def _education(data, index, people, extract):
    by_upn = dict(zip(index.loc[index["UPN"] != "", "UPN"], index.loc[index["UPN"] != "", "PERSON_REF"]))
    dob = people["dob"]
    birth_ay = dob.dt.year - (dob.dt.month < 9).astype(int)
    cohort = people.loc[birth_ay.isin(SECONDARY_COHORTS), "PERSON_REF"]
    flags = pd.DataFrame(index=pd.Index(cohort, name="PERSON_REF"))
    flags["pa"] = flags.index.isin(_persistently_absent(data, by_upn, people))
    exclusions = pd.read_csv(data / "school_census" / "exclusions.csv", dtype=str, keep_default_na=False)
    exclusions["PERSON_REF"] = exclusions["UPN"].map(by_upn)
    flags["susp"] = flags.index.isin(exclusions.loc[exclusions["Category"].isin(("SUSP", "FIXD")), "PERSON_REF"])
    flags["perm"] = flags.index.isin(exclusions.loc[exclusions["Category"] == "PERM", "PERSON_REF"])
    pupils = pd.read_csv(data / "school_census" / "pupils.csv", dtype=str, keep_default_na=False)
    flags["fsm"] = flags.index.isin(pupils.loc[pupils["FSMeligible"] == "1", "UPN"].map(by_upn))
    statutory = flags.index.isin(extract.loc[extract["statutory"], "PERSON_REF"])
    knife = flags.index.isin(extract.loc[extract["knife"], "PERSON_REF"])
    never = ~statutory
    return {
        "persistent_absence_ratio": _ratio(flags["pa"][statutory].mean(), flags["pa"][never].mean()),
        "suspension_ratio": _ratio(flags["susp"][statutory].mean(), flags["susp"][never].mean()),
        "knife_offenders_persistently_absent": flags["pa"][knife].mean(),
        "knife_offenders_suspended": flags["susp"][knife].mean(),
        "knife_offenders_permanently_excluded": flags["perm"][knife].mean(),
        "knife_offenders_ever_fsm": flags["fsm"][knife].mean(),
    }


def _persistently_absent(data, by_upn, people):
    attendance = pd.read_csv(data / "school_census" / "attendance.csv", dtype={"UPN": str, "AcademicYear": str})
    attendance["absent"] = attendance["sess_authorised"] + attendance["sess_unauthorised"]
    yearly = attendance.groupby(["UPN", "AcademicYear"])[["absent", "sess_possible"]].sum()
    pa = yearly[yearly["absent"] >= 0.1 * yearly["sess_possible"]].reset_index()
    return pa["UPN"].map(by_upn).dropna().unique()
