"""The tidy tables and columns the builders, labels and groups read (see docs/tidy-tables.md)."""

from __future__ import annotations

REQUIRED_COLUMNS = {
    "people": ("person_id", "birth_month", "sex", "ethnicity", "ethnicity_group", "postcode_district", "disability"),
    "pupils": ("person_id", "census_date", "sen_provision", "fsm_eligible", "postcode_district", "record_ref"),
    "exclusions": ("person_id", "start_date", "category", "reasons", "sessions", "record_ref"),
    "attendance": (
        "person_id", "academic_year", "term", "term_end", "sessions_possible", "sessions_authorised",
        "sessions_unauthorised", "record_ref",
    ),
    "ap_placements": (
        "person_id", "census_date", "entry_date", "leaving_date", "setting_type", "primary_reason", "record_ref",
    ),
    "nccis_activity": ("person_id", "month_end", "activity_code", "activity_group", "record_ref"),
    "cin_referrals": (
        "person_id", "referral_date", "closure_date", "referral_source", "primary_need", "record_ref",
    ),
    "cin_assessment_factors": ("person_id", "assessment_authorised", "factor", "record_ref"),
    "cin_section47": ("person_id", "s47_start", "record_ref"),
    "cin_cp_plans": ("person_id", "cpp_start", "cpp_end", "latest_category", "record_ref"),
    "cla_episodes": ("person_id", "decom", "dec", "rne", "legal_status", "place", "record_ref"),
    "cla_missing": ("person_id", "missing_type", "start", "record_ref"),
    "cla_oc2": ("person_id", "year_end", "substance_misuse", "record_ref"),
    "yj_offences": (
        "person_id", "offence_ref", "offence_date", "recorded_date", "ho_class", "yjb_category", "knife_flag",
        "record_ref",
    ),
    "yj_outcomes": ("person_id", "offence_ref", "outcome_date", "outcome_type", "tier", "tier_rank", "record_ref"),
}
