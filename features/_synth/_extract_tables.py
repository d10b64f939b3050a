"""Education, NCCIS and youth justice extracts as text tables in the documented columns.

Each function takes the simulated records (day numbers, codes) and the extract window,
keeps what the authority's systems would hold for that window, and returns a DataFrame
of strings whose columns are exactly those of ``docs/data-formats.md``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._dates import dmy, iso
from ._schools import PRU_URN, academic_year_label

PUPIL_COLUMNS = ["CensusDate", "URN", "UPN", "Surname", "Forename", "DOB", "Sex", "Ethnicity", "Postcode",
                 "NCyearActual", "SENprovision", "PrimarySENtype", "FSMeligible"]
EXCLUSION_COLUMNS = ["UPN", "URN", "Category", "Reason", "StartDate", "Sessions"]
ATTENDANCE_COLUMNS = ["UPN", "URN", "AcademicYear", "Term", "sess_possible", "sess_authorised", "sess_unauthorised"]
AP_COLUMNS = ["CensusDate", "UPN", "DOB", "URN", "SettingType", "PrimaryReason", "EntryDate", "LeavingDate",
              "SessionsPerWeek"]
NCCIS_COLUMNS = ["NCCIS_ID", "UPN", "DOB", "Month", "ActivityCode", "ActivityStartDate"]
OFFENCE_COLUMNS = ["YJ_ID", "DOB", "OffenceID", "OffenceDate", "RecordedDate", "HOClass", "HOCode",
                   "OffenceDescription", "YJBCategory", "KnifeFlag", "Gravity"]
OUTCOME_COLUMNS = ["YJ_ID", "OffenceID", "OutcomeDate", "OutcomeType", "Tier", "LengthMonths"]


def _text(values):
    return np.asarray(values).astype(str).astype(object)


def pupils_table(rolls, people, window):
    """``school_census/pupils.csv``: one row per pupil per January census in the window."""
    rows = rolls[(rolls["census_day"] >= window[0]) & (rolls["census_day"] <= window[1])]
    p = people.iloc[rows["person"].to_numpy()]
    return pd.DataFrame({
        "CensusDate": iso(rows["census_day"].to_numpy()), "URN": _text(rows["urn"]), "UPN": p["upn"].to_numpy(),
        "Surname": p["surname"].to_numpy(), "Forename": p["forename"].to_numpy(), "DOB": iso(p["dob"].to_numpy()),
        "Sex": p["sex"].to_numpy(), "Ethnicity": p["ethnicity"].to_numpy(), "Postcode": p["postcode"].to_numpy(),
        "NCyearActual": _text(rows["k"]), "SENprovision": rows["sen_provision"].to_numpy(),
        "PrimarySENtype": rows["sen_type"].to_numpy(), "FSMeligible": np.where(rows["fsm"].to_numpy(), "1", "0"),
    }, columns=PUPIL_COLUMNS)


def exclusions_table(exclusions, rolls, people, window, perm_day):
    """``school_census/exclusions.csv``: exclusions starting in the window, at the school on roll
    (the pupil referral unit once permanently excluded)."""
    rows = exclusions[(exclusions["day"] >= window[0]) & (exclusions["day"] <= window[1])]
    home = rows[["person", "ay"]].merge(rolls[["person", "ay", "home_urn"]], on=["person", "ay"], how="left")
    person = rows["person"].to_numpy()
    urn = np.where(perm_day[person] < rows["day"].to_numpy(), PRU_URN, home["home_urn"].to_numpy(dtype=np.int64))
    sessions = rows["sessions"].to_numpy()
    return pd.DataFrame({
        "UPN": people["upn"].to_numpy()[person],
        "URN": _text(urn),
        "Category": rows["category"].to_numpy(), "Reason": rows["reasons"].to_numpy(),
        "StartDate": iso(rows["day"].to_numpy()),
        "Sessions": np.where(np.isnan(sessions), "", np.nan_to_num(sessions).astype(np.int64).astype(str)),
    }, columns=EXCLUSION_COLUMNS)


def attendance_table(attendance, people, window):
    """``school_census/attendance.csv``: one row per pupil per term inside the window."""
    rows = attendance[(attendance["term_start"] >= window[0]) & (attendance["term_end"] <= window[1])]
    return pd.DataFrame({
        "UPN": people["upn"].to_numpy()[rows["person"].to_numpy()], "URN": _text(rows["urn"]),
        "AcademicYear": academic_year_label(rows["ay"].to_numpy()), "Term": rows["term"].to_numpy(),
        "sess_possible": _text(rows["possible"]), "sess_authorised": _text(rows["authorised"]),
        "sess_unauthorised": _text(rows["unauthorised"]),
    }, columns=ATTENDANCE_COLUMNS)


def ap_table(census_rows, people):
    """``ap_census/placements.csv`` from the per-census placement rows."""
    p = people.iloc[census_rows["person"].to_numpy()]
    urn = census_rows["urn"].to_numpy()
    return pd.DataFrame({
        "CensusDate": iso(census_rows["census_day"].to_numpy()), "UPN": p["upn"].to_numpy(),
        "DOB": iso(p["dob"].to_numpy()), "URN": np.where(urn > 0, urn.astype(str), ""),
        "SettingType": census_rows["setting"].to_numpy(), "PrimaryReason": census_rows["reason"].to_numpy(),
        "EntryDate": iso(census_rows["entry"].to_numpy()),
        "LeavingDate": iso(census_rows["leaving"].to_numpy(), mask=census_rows["left"].to_numpy()),
        "SessionsPerWeek": _text(census_rows["sessions_per_week"]),
    }, columns=AP_COLUMNS)


def nccis_table(activity, people, window):
    """``nccis/activity.csv``: monthly snapshots whose month lies inside the window."""
    rows = activity[(activity["month"] >= window[0]) & (activity["month"] + 27 <= window[1])]
    p = people.iloc[rows["person"].to_numpy()]
    month = iso(rows["month"].to_numpy()).astype(str)
    return pd.DataFrame({
        "NCCIS_ID": p["nccis_id"].to_numpy(), "UPN": p["nccis_upn"].to_numpy(), "DOB": iso(p["dob"].to_numpy()),
        "Month": np.strings.slice(month, 0, 7).astype(object), "ActivityCode": _text(rows["code"]),
        "ActivityStartDate": iso(rows["activity_start"].to_numpy()),
    }, columns=NCCIS_COLUMNS)


def offences_table(offences, people):
    """``youth_justice/offences.csv`` from the offences in the extract (UK date style)."""
    p = people.iloc[offences["person"].to_numpy()]
    return pd.DataFrame({
        "YJ_ID": p["yj_id"].to_numpy(), "DOB": dmy(p["dob"].to_numpy()), "OffenceID": offences["offence_id"].to_numpy(),
        "OffenceDate": dmy(offences["offence_day"].to_numpy()), "RecordedDate": dmy(offences["recorded_day"].to_numpy()),
        "HOClass": offences["ho_class"].to_numpy(), "HOCode": offences["ho_code_written"].to_numpy(),
        "OffenceDescription": offences["description"].to_numpy(), "YJBCategory": offences["yjb_category"].to_numpy(),
        "KnifeFlag": np.where(offences["knife_flag"].to_numpy(), "Y", "N"), "Gravity": _text(offences["gravity"]),
    }, columns=OFFENCE_COLUMNS)


def outcomes_table(outcomes, offences, people):
    """``youth_justice/outcomes.csv`` for outcomes of offences in the extract."""
    off = offences.loc[outcomes["offence_row"].to_numpy()]
    length = outcomes["length_months"].to_numpy()
    return pd.DataFrame({
        "YJ_ID": people["yj_id"].to_numpy()[off["person"].to_numpy()], "OffenceID": off["offence_id"].to_numpy(),
        "OutcomeDate": dmy(outcomes["outcome_day"].to_numpy()), "OutcomeType": outcomes["outcome_type"].to_numpy(),
        "Tier": outcomes["tier"].to_numpy(),
        "LengthMonths": np.where(np.isnan(length), "", np.nan_to_num(length).astype(np.int64).astype(str)),
    }, columns=OUTCOME_COLUMNS)
