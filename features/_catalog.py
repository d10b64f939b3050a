"""The declared features: the default registry every model, explanation and model card reads.

Each entry says what the builder in ``features/_builders/`` computes, from which tidy
table, over which window, and how to say a value in a sentence. Windows are
``(as_of - window, as_of]``; see ``docs/point-in-time-rules.md`` for when each source's
records become known.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._builders._protected import ETHNIC_GROUPS
from ._registry import PROTECTED_CHARACTERISTICS, Feature, FeatureRegistry


def _f(name, description, source, window, aggregation, concept, statement, direction=0, kind="numeric"):
    return Feature(
        name=name, description=description, source=source, window=window,
        aggregation=aggregation, concept=concept, statement=statement,
        direction=direction, kind=kind,
    )


AGE_JUSTIFICATION = (
    "Age is a protected characteristic under the Equality Act 2010 (section 5). It is an input "
    "because the chance of a first knife offence changes steeply across the ages 10 to 18, and "
    "most other inputs (exclusions, NEET, offences) mean something different at 11 than at 17; "
    "without it the model would read age through those proxies instead. The fairness audit "
    "reports every metric by age band so that any difference in errors between ages is seen."
)

AGE = (
    Feature(
        name="age_years",
        description="Age in years on the as-of date, counted in whole months from the month of birth.",
        source="people", window="on the as-of date", aggregation="age", concept="age",
        statement="aged {value}", direction=0, kind="numeric",
        protected="age", justification=AGE_JUSTIFICATION,
    ),
)

EXCLUSIONS = (
    _f("suspensions_3m", "Suspensions (fixed-period exclusions) starting in the last 3 months.",
       "exclusions", "3 months", "count", "school exclusions",
       "{value} suspensions in the last 3 months", 1, "count"),
    _f("suspensions_12m", "Suspensions starting in the last 12 months.",
       "exclusions", "12 months", "count", "school exclusions",
       "{value} suspensions in the last 12 months", 1, "count"),
    _f("suspension_sessions_12m", "Half-day sessions lost to suspensions starting in the last 12 months.",
       "exclusions", "12 months", "sum of sessions", "school exclusions",
       "{value} school sessions lost to suspensions in the last 12 months", 1, "count"),
    _f("violent_exclusions_24m",
       "Suspensions or permanent exclusions in the last 24 months for physical assault or verbal "
       "abuse or threatening behaviour (reasons PP, PA, VP, VA).",
       "exclusions", "24 months", "count", "school exclusions",
       "{value} exclusions for violence or threats in the last 24 months", 1, "count"),
    _f("weapon_exclusions_24m",
       "Suspensions or permanent exclusions in the last 24 months for using, threatening or bringing "
       "a weapon or prohibited item (reasons OW, BW).",
       "exclusions", "24 months", "count", "school exclusions",
       "{value} exclusions involving a weapon in the last 24 months", 1, "count"),
    _f("permanent_exclusion_24m", "Permanently excluded in the last 24 months.",
       "exclusions", "24 months", "flag", "school exclusions",
       "permanently excluded in the last 24 months", 1, "flag"),
    _f("days_since_permanent_exclusion",
       "Days since the most recent permanent exclusion; empty if never permanently excluded.",
       "exclusions", "all records to the as-of date", "days since latest", "school exclusions",
       "permanently excluded {value} days ago", -1, "days"),
)

ATTENDANCE = (
    _f("attendance_rate_12m",
       "Share of possible sessions attended over the school terms that ended in the last 12 months; "
       "empty when not in the school census (not the same as full attendance).",
       "attendance", "12 months (ended terms)", "share", "attendance",
       "attended {value} of school sessions over the last year", -1, "numeric"),
    _f("unauthorised_absence_rate_12m",
       "Share of possible sessions missed without authorisation over the terms that ended in the last 12 months.",
       "attendance", "12 months (ended terms)", "share", "attendance",
       "missed {value} of school sessions without authorisation over the last year", 1, "numeric"),
    _f("persistent_absence_12m",
       "Persistently absent: missed 10% or more of possible sessions over the terms that ended in the last 12 months.",
       "attendance", "12 months (ended terms)", "flag", "attendance",
       "persistently absent from school over the last year", 1, "flag"),
    _f("severe_absence_12m",
       "Severely absent: missed 50% or more of possible sessions over the terms that ended in the last 12 months.",
       "attendance", "12 months (ended terms)", "flag", "attendance",
       "severely absent from school over the last year", 1, "flag"),
)

PROVISION = (
    _f("ap_now", "In an alternative provision placement on the as-of date, as shown by the latest AP census.",
       "ap_placements", "on the as-of date", "flag", "alternative provision",
       "in alternative provision now", 1, "flag"),
    _f("ap_12m", "In an alternative provision placement at any time in the last 12 months.",
       "ap_placements", "12 months", "flag", "alternative provision",
       "in alternative provision in the last 12 months", 1, "flag"),
)

NEET = (
    _f("neet_months_12m",
       "Monthly NCCIS snapshots in the last 12 months showing not in education, employment or training "
       "and available for it (NCCIS 540, 610-619; the not-available codes 620-680, such as young carer, "
       "teenage parent, illness or pregnancy, are not counted; aged 16 and over; empty when not tracked).",
       "nccis_activity", "12 months", "count", "NEET",
       "not in education, employment or training in {value} of the last 12 months", 1, "count"),
    _f("not_known_months_12m",
       "Monthly NCCIS snapshots in the last 12 months where the young person's activity was not known "
       "(aged 16 and over; empty when not tracked).",
       "nccis_activity", "12 months", "count", "NEET",
       "activity not known to the authority in {value} of the last 12 months", 1, "count"),
    _f("neet_now",
       "Latest NCCIS snapshot (within 3 months) shows NEET and available (540, 610-619) or activity not "
       "known (aged 16 and over; the not-available codes 620-680 do not count).",
       "nccis_activity", "3 months", "flag (latest snapshot)", "NEET",
       "not in education, employment or training, or not known, at the latest check", 1, "flag"),
)

_FACTORS = {
    "af_gangs_24m": ("gangs (13A)", "gang involvement"),
    "af_criminal_exploitation_24m": ("child criminal exploitation (24A)", "child criminal exploitation"),
    "af_sexual_exploitation_24m": ("child sexual exploitation (11A)", "child sexual exploitation"),
    "af_missing_24m": ("going missing (10A)", "going missing"),
    "af_domestic_violence_24m": ("domestic violence affecting the child (3A, 3B, 3C)", "domestic violence"),
    "af_drug_misuse_24m": ("drug misuse by the child (2A)", "the child's drug misuse"),
    "af_child_on_child_abuse_24m": ("child-on-child physical or sexual abuse (18B, 19B)", "child-on-child abuse"),
}

SOCIAL_CARE = (
    _f("cin_referrals_12m", "Referrals to children's social care in the last 12 months.",
       "cin_referrals", "12 months", "count", "social care",
       "{value} referrals to children's social care in the last 12 months", 1, "count"),
    _f("cin_open_now", "A children-in-need episode open on the as-of date.",
       "cin_referrals", "on the as-of date", "flag", "social care",
       "open to children's social care as a child in need now", 1, "flag"),
    _f("s47_enquiries_24m", "Section 47 (child protection) enquiries started in the last 24 months.",
       "cin_section47", "24 months", "count", "social care",
       "{value} child protection enquiries in the last 24 months", 1, "count"),
    _f("cp_plan_now", "On a child protection plan on the as-of date.",
       "cin_cp_plans", "on the as-of date", "flag", "social care",
       "on a child protection plan now", 1, "flag"),
    _f("cp_plan_ended_24m", "A child protection plan ended in the last 24 months (and none is open now).",
       "cin_cp_plans", "24 months", "flag", "social care",
       "a child protection plan ended in the last 24 months", 1, "flag"),
    *(
        _f(name, f"Assessment authorised in the last 24 months identified {words}.",
           "cin_assessment_factors", "24 months", "flag", "social care",
           f"a social care assessment in the last 24 months identified {short}", 1, "flag")
        for name, (words, short) in _FACTORS.items()
    ),
)

LOOKED_AFTER = (
    _f("looked_after_now", "Looked after by the local authority on the as-of date.",
       "cla_episodes", "on the as-of date", "flag", "looked after",
       "looked after now", 1, "flag"),
    _f("looked_after_past_24m", "Looked after at some time in the last 24 months, but not now.",
       "cla_episodes", "24 months", "flag", "looked after",
       "looked after in the last 24 months, not now", 1, "flag"),
    _f("placement_moves_12m",
       "Changes of placement in the last 12 months (episodes starting for a change of placement: RNE P, T, B, U).",
       "cla_episodes", "12 months", "count", "looked after",
       "{value} changes of care placement in the last 12 months", 1, "count"),
    _f("residential_placement_12m",
       "In a residential or secure placement (children's home, secure children's home, residential care "
       "home, young offender institution: PLACE K1, K2, R1, R5) at any time in the last 12 months. "
       "Residential schools (S1) are not counted: that placement is mostly chosen for special "
       "educational needs, so counting it would make this a disability proxy.",
       "cla_episodes", "12 months", "flag", "looked after",
       "in a residential or secure placement in the last 12 months", 1, "flag"),
    _f("remand_12m", "Looked after on remand or under PACE or a residence requirement (legal status J1-J3) "
       "at any time in the last 12 months.",
       "cla_episodes", "12 months", "flag", "looked after",
       "remanded or accommodated under a youth justice legal status in the last 12 months", 1, "flag"),
    _f("substance_misuse_oc2_24m",
       "Substance misuse noted in an OC2 return for a year that ended in the last 24 months.",
       "cla_oc2", "24 months (years ended 31 March)", "flag", "looked after",
       "substance misuse noted while looked after in the last 24 months", 1, "flag"),
)

MISSING = (
    _f("missing_episodes_12m", "Missing episodes (whereabouts unknown) starting in the last 12 months.",
       "cla_missing", "12 months", "count", "missing episodes",
       "missing {value} times in the last 12 months", 1, "count"),
    _f("away_episodes_12m", "Away-without-authorisation episodes starting in the last 12 months.",
       "cla_missing", "12 months", "count", "missing episodes",
       "away without authorisation {value} times in the last 12 months", 1, "count"),
    _f("missing_or_away_3m", "Missing or away episodes starting in the last 3 months.",
       "cla_missing", "3 months", "count", "missing episodes",
       "missing or away {value} times in the last 3 months", 1, "count"),
)

YOUTH_JUSTICE = (
    _f("offences_12m", "Offences committed in the last 12 months and recorded by the youth justice service by the as-of date.",
       "yj_offences", "12 months", "count", "youth justice",
       "{value} recorded offences in the last 12 months", 1, "count"),
    _f("offences_24m", "Offences committed in the last 24 months and recorded by the as-of date.",
       "yj_offences", "24 months", "count", "youth justice",
       "{value} recorded offences in the last 24 months", 1, "count"),
    _f("violent_offences_24m", "Violence against the person or robbery offences in the last 24 months.",
       "yj_offences", "24 months", "count", "youth justice",
       "{value} violent or robbery offences in the last 24 months", 1, "count"),
    _f("weapon_or_knife_offences_24m",
       "Possession of weapons offences (Home Office classes 10A-10D, where 10C and 10D include "
       "threatening with a weapon or blade), offences in YJB category WEAP, or offences flagged as "
       "involving a knife or sharp instrument, in the last 24 months (a blank knife flag does not count).",
       "yj_offences", "24 months", "count", "youth justice",
       "{value} weapon or knife offences in the last 24 months", 1, "count"),
    _f("max_outcome_tier_24m",
       "Most serious outcome in the last 24 months: 0 none, 1 diversion, 2 pre-court, 3 first-tier, "
       "4 community, 5 custody.",
       "yj_outcomes", "24 months", "maximum tier", "youth justice",
       "most serious youth justice outcome in the last 24 months at tier {value} of 5", 1, "numeric"),
    _f("days_since_last_offence", "Days since the most recent recorded offence; empty if none recorded.",
       "yj_offences", "all records to the as-of date", "days since latest", "youth justice",
       "last recorded offence {value} days ago", -1, "days"),
    _f("age_at_first_offence", "Age at the first recorded offence; empty if none recorded.",
       "yj_offences", "all records to the as-of date", "age at earliest", "youth justice",
       "first recorded offence at age {value}", -1, "numeric"),
)

DEFAULT_FEATURES = (
    *AGE, *EXCLUSIONS, *ATTENDANCE, *PROVISION, *NEET, *SOCIAL_CARE, *LOOKED_AFTER, *MISSING, *YOUTH_JUSTICE,
)


PROTECTED_FEATURES = {
    "sex": (
        ("sex_male", "Recorded sex is male (empty when not known).", "people", "on the as-of date",
         "flag", "sex is recorded as male", "flag"),
    ),
    "ethnicity": tuple(
        (f"ethnicity_{g.lower()}", f"DfE major ethnic group is {g} (empty when not known).", "people",
         "on the as-of date", "flag", f"ethnic group recorded as {g}", "flag")
        for g in ETHNIC_GROUPS
    ),
    "disability": (
        ("disability", "A disability recorded in the CIN census (empty when never in CIN).", "people",
         "on the as-of date", "flag", "a disability is recorded", "flag"),
    ),
    "sen": (
        ("sen_provision_level", "SEN provision at the latest school census: 0 none, 1 SEN support, 2 EHC plan.",
         "pupils", "latest census to the as-of date", "latest value", "SEN provision level {value} of 2",
         "numeric"),
    ),
}


def default_registry(*, allow_protected: Mapping[str, str] | None = None) -> FeatureRegistry:
    """The declared features, optionally with protected characteristics a setting allows.

    Parameters
    ----------
    allow_protected : dict of str to str, default=None
        Maps a protected characteristic (``"sex"``, ``"ethnicity"``, ``"disability"``,
        ``"sen"``) to the written justification for using it as an input. Only then are
        its features added, flagged ``protected`` and carrying the justification, which
        the model card prints.

    Returns
    -------
    FeatureRegistry

    Raises
    ------
    ValueError
        If a characteristic is not one of the protected ones, or its justification is blank.

    Examples
    --------
    >>> registry = default_registry()
    >>> "age_years" in registry.names and "sex_male" not in registry.names
    True
    >>> default_registry(allow_protected={"sex": "Agreed by the ethics panel."})["sex_male"].protected
    'sex'
    """
    extra = []
    for characteristic, justification in (allow_protected or {}).items():
        extra.extend(_protected(characteristic, justification))
    return FeatureRegistry(DEFAULT_FEATURES + tuple(extra))


def _protected(characteristic: str, justification: str) -> list[Feature]:
    if characteristic not in PROTECTED_FEATURES:
        raise ValueError(
            f"The 'allow_protected' option names '{characteristic}', which is not a protected "
            f"characteristic with features; use one of {', '.join(PROTECTED_CHARACTERISTICS)}."
        )
    if not isinstance(justification, str) or not justification.strip():
        raise ValueError(
            f"The 'allow_protected' option allows '{characteristic}' without a written justification; "
            "give the reason it is needed as text, or leave it out."
        )
    return [
        Feature(name=name, description=description, source=source, window=window, aggregation=aggregation,
                concept="personal characteristics", statement=statement, direction=0, kind=kind,
                protected=characteristic, justification=justification.strip())
        for name, description, source, window, aggregation, statement, kind in PROTECTED_FEATURES[characteristic]
    ]
