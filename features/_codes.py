"""Statutory code lists, each code with its plain-English meaning.

One home for every code the loaders validate, the generator writes and explanations
decode. Sources: the DfE SSDA903 and CIN census specifications, the school census
(CBDS), the NCCIS management information requirement and the Home Office counting
rules; ``docs/data-formats.md`` says which lists are local definitions.
"""

from __future__ import annotations

ETHNICITY = {
    "WBRI": "White British", "WIRI": "White Irish", "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background", "WROM": "Gypsy/Roma",
    "MWBC": "White and Black Caribbean", "MWBA": "White and Black African",
    "MWAS": "White and Asian", "MOTH": "Any other mixed background",
    "AIND": "Indian", "APKN": "Pakistani", "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background", "BCRB": "Black Caribbean", "BAFR": "Black African",
    "BOTH": "Any other Black background", "CHNE": "Chinese", "OOTH": "Any other ethnic group",
    "REFU": "Refused", "NOBT": "Information not yet obtained",
}

ETHNICITY_GROUP = {
    **{c: "White" for c in ("WBRI", "WIRI", "WIRT", "WOTH", "WROM")},
    **{c: "Mixed" for c in ("MWBC", "MWBA", "MWAS", "MOTH")},
    **{c: "Asian" for c in ("AIND", "APKN", "ABAN", "AOTH")},
    **{c: "Black" for c in ("BCRB", "BAFR", "BOTH")},
    **{c: "Other" for c in ("CHNE", "OOTH")},
    **{c: "Unknown" for c in ("REFU", "NOBT", "UNKN")},
}

# --- SSDA903 -------------------------------------------------------------------------

RNE = {
    "S": "started to be looked after", "L": "change of legal status",
    "P": "change of placement and carer", "T": "change of placement, same carer",
    "B": "change of legal status and placement", "U": "change of legal status and placement, same carer",
}

LEGAL_STATUS = {
    "C1": "interim care order", "C2": "full care order", "D1": "freeing order",
    "E1": "placement order", "V2": "accommodated under section 20",
    "V3": "short breaks (single episodes)", "V4": "short breaks (agreed series)",
    "L1": "police protection", "L2": "emergency protection order",
    "L3": "child assessment order",
    "J1": "remanded to local authority or youth detention accommodation",
    "J2": "in local authority accommodation under PACE",
    "J3": "youth rehabilitation order with residence or intensive fostering requirement",
}
REMAND_LEGAL_STATUS = ("J1", "J2", "J3")

NEED_CATEGORY = {
    "N0": "not stated", "N1": "abuse or neglect", "N2": "child's disability",
    "N3": "parental illness or disability", "N4": "family in acute stress",
    "N5": "family dysfunction", "N6": "socially unacceptable behaviour", "N7": "low income",
    "N8": "absent parenting", "N9": "cases other than children in need",
}

PLACEMENT = {
    "A3": "placed for adoption (consent, with current foster carer)",
    "A4": "placed for adoption (consent, not with current foster carer)",
    "A5": "placed for adoption (placement order, with current foster carer)",
    "A6": "placed for adoption (placement order, not with current foster carer)",
    "U1": "foster care with a relative or friend (long term)",
    "U2": "foster care with a relative or friend (fostering for adoption)",
    "U3": "foster care with a relative or friend (other)",
    "U4": "foster care with another carer (long term)",
    "U5": "foster care with another carer (fostering for adoption)",
    "U6": "foster care with another carer (other)",
    "K1": "secure children's home", "K2": "children's home",
    "K3": "registered supported accommodation", "H5": "semi-independent living",
    "P1": "placed with parents", "P2": "independent living", "P3": "residential employment",
    "R1": "residential care home", "R2": "NHS or health trust placement",
    "R3": "family centre or mother and baby unit", "R5": "young offender institution",
    "S1": "residential school", "T0": "temporary placement", "T1": "temporary placement",
    "T2": "temporary placement", "T3": "temporary placement", "T4": "temporary placement",
    "Z1": "other placement", "Z11": "other placement", "Z12": "other placement",
    "Z13": "other placement", "Z14": "other placement",
}
# Residential care for the residential-placement feature. S1 (residential school) is
# left out: it is an education placement, chosen mostly for special educational needs,
# so counting it would make the feature a disability proxy.
RESIDENTIAL_OR_SECURE_PLACEMENTS = ("K1", "K2", "R1", "R5")

PLACE_PROVIDER = {
    "PR0": "parent or person with parental responsibility", "PR1": "own local authority",
    "PR2": "other local authority", "PR3": "other public provision",
    "PR4": "private provision", "PR5": "voluntary or third sector",
}

REASON_EPISODE_CEASED = {
    "E11": "adopted (application unopposed)", "E12": "adopted (application opposed)",
    "E41": "residence or child arrangements order", "E43": "special guardianship order (former foster carers)",
    "E44": "special guardianship order (other than former foster carers)",
    "E45": "special guardianship order (relatives or friends, former foster carers)",
    "E46": "special guardianship order (relatives or friends, other)",
    "E47": "special guardianship order (other former foster carers)",
    "E48": "special guardianship order (other)",
    "E4A": "returned home (part of care plan)", "E4B": "returned home (not part of care plan)",
    "E13": "left care to live with parents or relatives without parental responsibility",
    "E2": "died", "E3": "care taken over by another local authority",
    "E5": "moved to independent living with support", "E6": "moved to independent living without support",
    "E7": "transferred to adult social care", "E9": "sentenced to custody",
    "E14": "accommodation on remand ended", "E15": "age assessed as 18 or over",
    "E16": "moved abroad", "E17": "staying put", "E8": "other reason",
    "X1": "episode ceased, new episode begins the same day",
}

REASON_PLACE_CHANGE = {
    "CARPL": "change to care plan", "CLOSE": "provision closed", "ALLEG": "allegation (s47)",
    "STAND": "standards of care concern", "APPRR": "carer approval removed",
    "CREQB": "carer request (child's behaviour)", "CREQO": "carer request (other)",
    "CHILD": "child's request", "LAREQ": "local authority request",
    "PLACE": "change of placement status only", "CUSTOD": "custody", "OTHER": "other",
}

MISSING_TYPE = {"M": "missing (whereabouts unknown)", "A": "away without authorisation"}

SDQ_REASON = {
    "SDQ1": "aged under 4 or over 16", "SDQ2": "carer refused", "SDQ3": "disability",
    "SDQ4": "other", "SDQ5": "child refused",
}

# --- CIN census ----------------------------------------------------------------------

REFERRAL_SOURCE = {
    "1A": "individual: family member", "1B": "individual: acquaintance", "1C": "individual: self",
    "1D": "individual: other", "2A": "school", "2B": "education services",
    "3A": "health: GP", "3B": "health: health visitor", "3C": "health: school nurse",
    "3D": "health: other primary care", "3E": "health: A&E", "3F": "health: other",
    "4": "housing", "5A": "local authority: social care", "5B": "local authority: other internal (e.g. youth offending)",
    "5C": "local authority: external", "5D": "local authority: early help", "6": "police",
    "7": "other legal agency", "8": "other", "9": "anonymous", "10": "unknown",
}

REASON_FOR_CLOSURE = {
    "RC1": "adopted", "RC2": "died", "RC3": "child arrangements order",
    "RC4": "special guardianship order", "RC5": "moved to another local authority",
    "RC6": "transferred to adult services", "RC7": "case closed after support",
    "RC8": "no further action after assessment", "RC9": "transferred to early help after assessment",
}

DISABILITY = {
    "NONE": "no disability", "MOB": "mobility", "HAND": "hand function",
    "PC": "personal care", "INC": "incontinence", "COMM": "communication",
    "LD": "learning", "HEAR": "hearing", "VIS": "vision", "BEH": "behaviour",
    "CON": "consciousness", "AUT": "autism or Asperger syndrome", "DDA": "other disability",
}

ABUSE_CATEGORY = {
    "NEG": "neglect", "PHY": "physical abuse", "SAB": "sexual abuse",
    "EMO": "emotional abuse", "MUL": "multiple categories",
}

ASSESSMENT_FACTOR = {
    "1A": "alcohol misuse (child)", "1B": "alcohol misuse (parent or carer)", "1C": "alcohol misuse (other household member)",
    "2A": "drug misuse (child)", "2B": "drug misuse (parent or carer)", "2C": "drug misuse (other household member)",
    "3A": "domestic violence (child)", "3B": "domestic violence (parent or carer)", "3C": "domestic violence (other household member)",
    "4A": "mental health (child)", "4B": "mental health (parent or carer)", "4C": "mental health (other household member)",
    "5A": "learning disability (child)", "5B": "learning disability (parent or carer)", "5C": "learning disability (other household member)",
    "6A": "physical disability or illness (child)", "6B": "physical disability or illness (parent or carer)",
    "6C": "physical disability or illness (other household member)", "7A": "young carer",
    "8B": "privately fostered", "8C": "privately fostered", "8D": "privately fostered",
    "8E": "privately fostered", "8F": "privately fostered", "9A": "unaccompanied asylum-seeking child",
    "10A": "going missing", "11A": "child sexual exploitation", "12A": "trafficking",
    "13A": "gangs", "14A": "socially unacceptable behaviour", "15A": "self-harm",
    "16A": "neglect", "17A": "emotional abuse", "18B": "physical abuse (child on child)",
    "18C": "physical abuse (adult on child)", "19B": "sexual abuse (child on child)",
    "19C": "sexual abuse (adult on child)", "20": "other", "21": "no factors identified",
    "22A": "female genital mutilation", "23A": "abuse linked to faith or belief",
    "24A": "child criminal exploitation",
}
# Retired codes seen in older returns; accepted, with their former meanings.
LEGACY_ASSESSMENT_FACTOR = {
    "8A": "privately fostered", "18A": "physical abuse", "19A": "sexual abuse",
}

# --- School census -------------------------------------------------------------------

EXCLUSION_CATEGORY = {"PERM": "permanent exclusion", "SUSP": "suspension", "LNCH": "lunchtime exclusion"}
EXCLUSION_CATEGORY_ALIASES = {"FIXD": "SUSP"}

EXCLUSION_REASON = {
    "PP": "physical assault against a pupil", "PA": "physical assault against an adult",
    "VP": "verbal abuse or threatening behaviour against a pupil",
    "VA": "verbal abuse or threatening behaviour against an adult",
    "OW": "use or threat of use of an offensive weapon or prohibited item",
    "BW": "bringing a weapon or prohibited item into school",
    "BU": "bullying", "TB": "cyber-bullying", "RA": "racist abuse",
    "LG": "abuse relating to sexual orientation or gender identity", "DS": "abuse relating to disability",
    "SM": "sexual misconduct", "SB": "harmful sexual behaviour", "MB": "misogyny", "AB": "misandry",
    "DR": "drugs", "AR": "alcohol", "DA": "drug and alcohol related", "SR": "smoking", "VR": "vaping",
    "DM": "damage", "TH": "theft", "LD": "low-level disruption", "CB": "challenging behaviour",
    "DB": "disruptive behaviour", "MT": "inappropriate use of social media", "MP": "mobile phone misuse",
    "OS": "behaviour outside school", "PH": "breach of public-health measures",
    "PD": "persistent disruptive behaviour", "OT": "other",
}
VIOLENCE_EXCLUSION_REASONS = ("PP", "PA", "VP", "VA")
WEAPON_EXCLUSION_REASONS = ("OW", "BW")

SEN_PROVISION = {"N": "no special educational need", "K": "SEN support", "E": "education, health and care plan"}
SEN_PROVISION_ALIASES = {"S": "E", "A": "K", "P": "K"}

SEN_TYPE = {
    "SPLD": "specific learning difficulty", "MLD": "moderate learning difficulty",
    "SLD": "severe learning difficulty", "PMLD": "profound and multiple learning difficulty",
    "SEMH": "social, emotional and mental health", "SLCN": "speech, language and communication needs",
    "HI": "hearing impairment", "VI": "visual impairment", "MSI": "multi-sensory impairment",
    "PD": "physical disability", "ASD": "autistic spectrum disorder", "DS": "Down syndrome",
    "OTH": "other difficulty or disability", "NSA": "SEN support but no specialist assessment",
}

TERMS = {"AUT": "autumn term", "SPR": "spring term", "SUM": "summer term"}

# --- Alternative provision census (setting types national, reasons local) -----------

AP_SETTING_TYPE = {
    "NFE": "non-further-education provider", "OOT": "one-to-one tuition",
    "OTH": "unregistered provider", "WBP": "work-based placement",
    "SCH": "registered school or pupil referral unit",
}
AP_PRIMARY_REASON = {
    "PEX": "permanently excluded", "SUS": "suspended or at risk of exclusion",
    "MED": "health needs", "SEM": "social, emotional and mental health", "OTH": "other",
}

# --- NCCIS ---------------------------------------------------------------------------

NCCIS_ACTIVITY = {
    110: ("PRE16", "registered at school (below leaving age)"),
    120: ("PRE16", "electively home educated (below leaving age)"),
    130: ("PRE16", "custodial sentence (below leaving age)"),
    140: ("PRE16", "not registered at school (below leaving age)"),
    150: ("PRE16", "situation not known (below leaving age)"),
    210: ("EET", "full-time education: school sixth form"),
    220: ("EET", "full-time education: sixth-form college"),
    230: ("EET", "full-time education: further education"),
    240: ("EET", "full-time education: higher education"),
    250: ("EET", "part-time education"), 260: ("EET", "gap year"),
    270: ("EET", "other full-time education"), 280: ("EET", "special post-16 institution"),
    290: ("EET", "full-time education in a custodial institution"),
    310: ("EET", "apprenticeship"), 320: ("EET", "full-time employment with study"),
    330: ("EET", "employment without training"), 340: ("EET", "employment with other training"),
    350: ("EET", "temporary employment"), 360: ("EET", "part-time employment"),
    380: ("EET", "self-employed"), 381: ("EET", "self-employed with study"),
    410: ("EET", "funded work-based learning"), 430: ("EET", "other training"),
    440: ("EET", "DWP programme"), 450: ("EET", "traineeship"), 460: ("EET", "supported internship"),
    530: ("EET", "re-engagement provision"), 550: ("EET", "work not for reward combined with study"),
    540: ("NEET", "working not for reward"), 610: ("NEET", "not yet ready for work or learning"),
    615: ("NEET", "start date agreed (other)"), 616: ("NEET", "start date agreed (RPA compliant)"),
    619: ("NEET", "seeking employment, education or training"),
    620: ("NEET", "not available: young carer"), 630: ("NEET", "not available: teenage parent"),
    640: ("NEET", "not available: illness"), 650: ("NEET", "not available: pregnancy"),
    660: ("NEET", "not available: religious grounds"),
    670: ("NEET", "not available: unlikely ever to be economically active"),
    680: ("NEET", "not available: other reason"),
    710: ("OTHER", "custody (young adult offender)"), 720: ("OTHER", "refugee or asylum seeker"),
    810: ("NOT_KNOWN", "current situation not known"), 820: ("NOT_KNOWN", "cannot be contacted"),
    830: ("NOT_KNOWN", "refused to disclose activity"),
}
# The NEET codes the NEET features count: working not for reward (540) and the
# "available to the labour market" group 610-619. Codes 620-680 are NEET but *not
# available* (young carer, teenage parent, illness, pregnancy, religious grounds, ...):
# counting them would let caring, parenthood, pregnancy or illness raise a score.
NEET_AVAILABLE_ACTIVITY = (540, 610, 615, 616, 619)
NEET_NOT_AVAILABLE_ACTIVITY = (620, 630, 640, 650, 660, 670, 680)

# --- Youth justice -------------------------------------------------------------------
# Home Office offence classes, titles as the Home Office Counting Rules for Recorded
# Crime print them. Sources, checked for this list (docs/label-definition.md):
#   HOCR Violence against the Person, April 2010 edition (contents list: classes 1 to 13);
#   HOCR Homicide, April 2018, 2020 and 2021 editions (1, 4/1, 4/2, 4/10);
#   HOCR Robbery, April 2021 (34A, 34B); Theft, April 2019 and 2021 (39);
#   HOCR Vehicle Offences, April 2022 (48);
#   HOCR Arson and Criminal Damage (56A, 56B); Drug Offences, April 2019 and 2021 (92A);
#   HOCR Public Order Offences, April 2021 (9A, 9B, 62A, 66);
#   HOCR Miscellaneous Crimes against Society, April 2021 (15 to 99).
# Only classes whose number and title were read in those documents are listed; any
# other well-formed class is kept, decodes as "unknown offence class" and is counted
# as a warning when the extract is validated. 8M is racially or religiously aggravated
# harassment, not a knife class; threatening with a blade is counted in 10D.

HO_CLASS = {
    # Violence against the person: homicide
    "1": "murder", "4/1": "manslaughter", "4/2": "infanticide",
    "4/10": "corporate manslaughter",
    # Violence against the person: other
    "2": "attempted murder", "3A": "conspiracy to murder", "3B": "threats to kill",
    "4/3": "intentional destruction of a viable unborn child",
    "4/4": "causing death by dangerous driving",
    "4/6": "causing death by careless driving under the influence of drink or drugs",
    "4/7": "causing or allowing the death of a child or vulnerable person",
    "4/8": "causing death by careless or inconsiderate driving",
    "4/9": "causing death by driving: unlicensed, disqualified or uninsured drivers",
    "5A": "wounding or carrying out an act endangering life",
    "5B": "use of substance or object to endanger life",
    "5C": "possession of items to endanger life",
    "6": "endangering railway passengers", "7": "endangering life at sea",
    "8F": "inflicting grievous bodily harm without intent",
    "8G": "actual bodily harm and other injury",
    "8H": "racially or religiously aggravated inflicting grievous bodily harm without intent",
    "8J": "racially or religiously aggravated actual bodily harm and other injury",
    "8K": "poisoning or female genital mutilation",
    "8L": "harassment", "8M": "racially or religiously aggravated harassment",
    "8N": "assault with injury",
    "11": "cruelty to and neglect of children", "12": "abandoning a child under two years",
    "13": "child abduction",
    # Possession of weapons
    "10A": "possession of firearms with intent", "10B": "possession of firearms offences",
    "10C": "possession of other weapons", "10D": "possession of article with blade or point",
    # Robbery
    "34A": "robbery of business property", "34B": "robbery of personal property",
    # Theft and vehicle offences
    "39": "theft from the person", "48": "theft or unauthorised taking of a motor vehicle",
    # Arson and criminal damage
    "56A": "arson endangering life", "56B": "arson not endangering life",
    "59": "threat or possession with intent to commit criminal damage",
    # Drug offences
    "92A": "trafficking in controlled drugs",
    # Public order offences
    "9A": "public fear, alarm or distress",
    "9B": "racially or religiously aggravated public fear, alarm or distress",
    "62A": "violent disorder", "66": "other offences against the state or public order",
    # Miscellaneous crimes against society
    "15": "concealing an infant death close to birth", "24": "exploitation of prostitution",
    "26": "bigamy", "27": "soliciting for prostitution", "33": "going equipped for stealing",
    "54": "handling stolen goods", "61": "other forgery", "61A": "possession of false documents",
    "79": "perverting the course of justice", "80": "absconding from lawful custody",
    "86": "obscene publications", "95": "disclosure, obstruction, false or misleading statements",
    "96": "wildlife crime", "99": "other notifiable offences",
}
HO_CLASS_UNKNOWN = "unknown offence class"
# A well-formed class: a number of one to three digits, an optional letter, and an
# optional "/" sub-number (10D, 8M, 4/1, 105A). Anything else is a row problem.
HO_CLASS_PATTERN = r"^\d{1,3}[A-Z]?(/\d{1,2})?$"

YJB_CATEGORY = {
    "VAP": "violence against the person", "ROB": "robbery", "WEAP": "weapon possession",
    "DRUG": "drugs", "THEFT": "theft and handling", "BURG": "burglary",
    "CDAM": "criminal damage", "PUBO": "public order", "MOTOR": "motoring",
    "SEX": "sexual offences", "OTH": "other",
}

OUTCOME_TYPE = {
    "CR": ("DIVERSION", "community resolution"), "O22": ("DIVERSION", "outcome 22 (diversionary activity)"),
    "YC": ("PRECOURT", "youth caution"), "YCC": ("PRECOURT", "youth conditional caution"),
    "AD": ("FIRST_TIER", "absolute discharge"), "CD": ("FIRST_TIER", "conditional discharge"),
    "FINE": ("FIRST_TIER", "fine"), "COMP": ("FIRST_TIER", "compensation order"),
    "RO": ("FIRST_TIER", "referral order"), "YRO": ("COMMUNITY", "youth rehabilitation order"),
    "DTO": ("CUSTODY", "detention and training order"), "LTD": ("CUSTODY", "long-term detention"),
}
OUTCOME_TIERS = ("DIVERSION", "PRECOURT", "FIRST_TIER", "COMMUNITY", "CUSTODY")
OUTCOME_TIER_RANK = {tier: rank for rank, tier in enumerate(OUTCOME_TIERS, start=1)}
