"""The tidy tables' columns and dtypes (the contract in ``docs/tidy-tables.md``).

:func:`conform` puts a frame into its table's column order and dtypes, and
:func:`empty_table` makes the empty table handed on when a source is absent.
"""

from __future__ import annotations

import pandas as pd

S, D, B, F, I, NI = "str", "datetime64[ns]", "bool", "float64", "int64", "Int64"

TIDY_TABLES = {
    "people": {
        "person_id": S, "birth_month": D, "sex": S, "ethnicity": S, "ethnicity_group": S,
        "postcode_district": S, "disability": "boolean", "sources": S,
    },
    "pupils": {
        "person_id": S, "census_date": D, "sex": S, "ethnicity": S, "sen_provision": S,
        "sen_type": S, "fsm_eligible": B, "postcode_district": S, "nc_year": NI, "record_ref": S,
    },
    "exclusions": {
        "person_id": S, "start_date": D, "category": S, "reasons": S, "sessions": F,
        "record_ref": S,
    },
    "attendance": {
        "person_id": S, "academic_year": I, "term": S, "term_start": D, "term_end": D,
        "sessions_possible": I, "sessions_authorised": I, "sessions_unauthorised": I,
        "record_ref": S,
    },
    "ap_placements": {
        "person_id": S, "census_date": D, "entry_date": D, "leaving_date": D,
        "setting_type": S, "primary_reason": S, "sessions_per_week": NI, "record_ref": S,
    },
    "nccis_activity": {
        "person_id": S, "month_end": D, "activity_code": I, "activity_group": S,
        "activity_start": D, "record_ref": S,
    },
    "cin_referrals": {
        "person_id": S, "referral_ref": S, "collection_year": I, "referral_date": D,
        "closure_date": D, "referral_source": S, "primary_need": S, "reason_for_closure": S,
        "referral_nfa": B, "record_ref": S,
    },
    "cin_assessment_factors": {
        "person_id": S, "referral_ref": S, "assessment_start": D, "assessment_authorised": D,
        "factor": S, "record_ref": S,
    },
    "cin_section47": {
        "person_id": S, "referral_ref": S, "s47_start": D, "icpc_date": D, "record_ref": S,
    },
    "cin_cp_plans": {
        "person_id": S, "referral_ref": S, "cpp_start": D, "cpp_end": D,
        "initial_category": S, "latest_category": S, "record_ref": S,
    },
    "cla_episodes": {
        "person_id": S, "collection_year": I, "decom": D, "dec": D, "rne": S,
        "legal_status": S, "need_category": S, "place": S, "place_provider": S,
        "reason_ceased": S, "reason_place_change": S, "record_ref": S,
    },
    "cla_missing": {
        "person_id": S, "missing_type": S, "start": D, "end": D, "record_ref": S,
    },
    "cla_oc2": {
        "person_id": S, "collection_year": I, "year_end": D, "sdq_score": F, "convicted": B,
        "substance_misuse": B, "record_ref": S,
    },
    "yj_offences": {
        "person_id": S, "offence_ref": S, "offence_date": D, "recorded_date": D,
        "ho_class": S, "ho_code": S, "yjb_category": S, "knife_flag": "boolean",
        "gravity": NI, "record_ref": S,
    },
    "yj_outcomes": {
        "person_id": S, "offence_ref": S, "outcome_date": D, "outcome_type": S, "tier": S,
        "tier_rank": I, "length_months": F, "record_ref": S,
    },
}


def empty_table(name):
    """The named tidy table with its columns and dtypes and no rows."""
    return pd.DataFrame({col: pd.Series(dtype=dtype) for col, dtype in TIDY_TABLES[name].items()})


def conform(name, frame):
    """Select the named table's columns in order, cast to its dtypes, reset the index."""
    columns = TIDY_TABLES[name]
    out = {}
    for col, dtype in columns.items():
        values = frame[col]
        if dtype == B:
            values = values.astype("boolean").fillna(False)
        out[col] = values.astype(dtype)
    return pd.DataFrame(out).reset_index(drop=True)
