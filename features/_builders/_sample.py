"""Random tidy tables for tests, examples and the builders' benchmark.

These are not the synthetic authority (``features.synthesize`` writes realistic raw
extracts); they are tidy tables as the loaders hand them on, with plausible volumes per
young person and a shared latent risk so sources co-occur, built directly with numpy in
a fraction of a second. Every value is random: no real record is involved.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import _codes
from .._loaders._tidy import TIDY_TABLES

COLUMNS = {name: tuple(columns) for name, columns in TIDY_TABLES.items()}
# The sample tables use the nullable dtype of each tidy dtype, so a column left out is <NA>.
_NULLABLE = {"str": "string", "bool": "boolean", "int64": "Int64"}


def empty_tables() -> dict[str, pd.DataFrame]:
    """Every tidy table, empty, with its columns and dtypes."""
    return {name: _typed(name, pd.DataFrame({c: [] for c in columns})) for name, columns in COLUMNS.items()}


def make_table(name: str, rows: list[dict] | dict) -> pd.DataFrame:
    """A tidy table from row dicts (or a dict of columns); absent columns are left empty.

    Examples
    --------
    >>> make_table("exclusions", [{"person_id": "a", "start_date": "2024-01-10", "category": "SUSP"}]).shape
    (1, 6)
    """
    frame = pd.DataFrame(rows)
    for column in COLUMNS[name]:
        if column not in frame:
            frame[column] = None
    return _typed(name, frame[list(COLUMNS[name])])


def _typed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for column in frame.columns:
        dtype = _NULLABLE.get(TIDY_TABLES[name][column], TIDY_TABLES[name][column])
        values = frame[column]
        if dtype.startswith("datetime"):
            out[column] = pd.to_datetime(values, errors="coerce").astype(dtype)
        elif dtype == "float64":
            out[column] = pd.to_numeric(values, errors="coerce").astype(dtype)
        else:
            out[column] = values.astype(dtype)
    return pd.DataFrame(out, index=frame.index)


def sample_tables(
    n_people: int,
    *,
    seed: int = 0,
    start: str = "2018-09-01",
    end: str = "2025-03-31",
) -> dict[str, pd.DataFrame]:
    """Random tidy tables for ``n_people`` people with records between ``start`` and ``end``.

    Parameters
    ----------
    n_people : int
        Number of people.
    seed : int, default=0
        Random seed; the same seed gives the same tables.
    start, end : str, default="2018-09-01", "2025-03-31"
        Span of the record dates.

    Returns
    -------
    dict of str to DataFrame
        Every tidy table, shaped as ``docs/tidy-tables.md`` describes.
    """
    rng = np.random.default_rng(seed)
    span = _Span(rng, pd.Timestamp(start), pd.Timestamp(end))
    ids = np.array([f"{v:016x}" for v in rng.integers(0, 2**63, n_people)], dtype=object)
    risk = rng.gamma(0.6, 1.0, n_people)  # shared latent risk: sources co-occur
    people = _people(rng, ids, span)
    tables = {"people": people}
    tables.update(_education(rng, ids, risk, span, people))
    tables.update(_social_care(rng, ids, risk, span))
    tables.update(_youth_justice(rng, ids, risk, span))
    return {name: _finish(name, tables.get(name)) for name in COLUMNS}


class _Span:
    def __init__(self, rng, start: pd.Timestamp, end: pd.Timestamp):
        self.rng, self.start, self.end = rng, start, end
        self.days = (end - start).days

    def dates(self, n: int) -> np.ndarray:
        offsets = self.rng.integers(0, self.days + 1, n)
        return (np.datetime64(self.start.date()) + offsets).astype("datetime64[ns]")


def _events(rng, ids: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Positions of people repeated by Poisson counts with the given mean per person."""
    return np.repeat(np.arange(len(ids)), rng.poisson(rate))


def _pick(rng, codes, n: int, p=None) -> np.ndarray:
    return np.asarray(list(codes), dtype=object)[rng.choice(len(codes), n, p=p)]


def _refs(table: str, n: int) -> np.ndarray:
    return np.array([f"{table}:row {i}" for i in range(1, n + 1)], dtype=object)


def _people(rng, ids, span: _Span) -> pd.DataFrame:
    n = len(ids)
    age_at_end_months = rng.integers(8 * 12, 21 * 12, n)
    end_month = np.datetime64(span.end.date(), "M")
    birth = (end_month - age_at_end_months).astype("datetime64[D]").astype("datetime64[ns]")
    ethnicity = _pick(rng, list(_codes.ETHNICITY), n)
    return pd.DataFrame({
        "person_id": ids, "birth_month": birth, "sex": _pick(rng, ("M", "F", "U"), n, p=(0.5, 0.49, 0.01)),
        "ethnicity": ethnicity, "ethnicity_group": [_codes.ETHNICITY_GROUP.get(e, "Unknown") for e in ethnicity],
        "postcode_district": _pick(rng, ("NW10", "NW2", "HA0", "W10", None), n),
        "disability": np.where(rng.random(n) < 0.3, rng.random(n) < 0.15, None), "sources": "school_census",
    })


def _education(rng, ids, risk, span: _Span, people) -> dict[str, pd.DataFrame]:
    born = people["birth_month"].to_numpy()
    years = np.arange(span.start.year, span.end.year + 1)
    person = np.repeat(np.arange(len(ids)), len(years))
    year = np.tile(years, len(ids))
    age = (np.datetime64("2000-01-01") + (year - 2000).astype("timedelta64[Y]").astype("timedelta64[D]")
           - born[person]).astype("timedelta64[D]").astype(int) / 365.25
    at_school = (age >= 5) & (age < 16.5) & (rng.random(len(person)) < 0.95)
    person, year = person[at_school], year[at_school]
    census = (pd.to_datetime(year.astype(str) + "-01-18")).to_numpy("datetime64[ns]")
    pupils = pd.DataFrame({
        "person_id": ids[person], "census_date": census, "sen_provision": _pick(rng, "NKE", len(person), p=(0.82, 0.14, 0.04)),
        "fsm_eligible": rng.random(len(person)) < 0.25, "postcode_district": _pick(rng, ("NW10", "NW2", "HA0"), len(person)),
        "nc_year": 6, "sex": "M", "ethnicity": "WBRI",
    })
    terms = {"AUT": ("09-01", "12-31", 0), "SPR": ("01-01", "03-31", 1), "SUM": ("04-01", "07-31", 1)}
    frames = []
    for term, (first, last, shift) in terms.items():
        term_year = year - 1 + shift  # academic year starting in September of year - 1
        possible = rng.integers(100, 130, len(person))
        absent_rate = np.clip(rng.beta(1.2, 18, len(person)) * (1 + risk[person]), 0, 1)
        absent = rng.binomial(possible, absent_rate)
        unauthorised = rng.binomial(absent, 0.4)
        cal_year = term_year + (0 if term == "AUT" else 1)
        frames.append(pd.DataFrame({
            "person_id": ids[person], "academic_year": term_year, "term": term,
            "term_start": pd.to_datetime(cal_year.astype(str) + "-" + first),
            "term_end": pd.to_datetime(cal_year.astype(str) + "-" + last),
            "sessions_possible": possible, "sessions_authorised": absent - unauthorised,
            "sessions_unauthorised": unauthorised,
        }))
    attendance = pd.concat(frames, ignore_index=True)
    attendance = attendance[attendance["term_end"] <= span.end].reset_index(drop=True)
    at = _events(rng, ids, 0.6 * risk)
    excl = pd.DataFrame({
        "person_id": ids[at], "start_date": span.dates(len(at)),
        "category": _pick(rng, ("SUSP", "PERM", "LNCH"), len(at), p=(0.9, 0.03, 0.07)),
        "reasons": _pick(rng, ("PD", "PP", "VA", "OW", "PP;VP", "BW", "DR", "LD"), len(at)),
    })
    excl["sessions"] = np.where(excl["category"] == "PERM", np.nan, rng.integers(1, 10, len(at)).astype(float))
    ap = _events(rng, ids, 0.03 * risk)
    entry = span.dates(len(ap))
    ap_table = pd.DataFrame({
        "person_id": ids[ap], "entry_date": entry,
        "leaving_date": np.where(rng.random(len(ap)) < 0.6, entry + np.timedelta64(120, "D"), np.datetime64("NaT")),
        "census_date": (entry.astype("datetime64[Y]") + np.timedelta64(1, "Y")).astype("datetime64[D]") + np.timedelta64(17, "D"),
        "setting_type": _pick(rng, _codes.AP_SETTING_TYPE, len(ap)),
        "primary_reason": _pick(rng, _codes.AP_PRIMARY_REASON, len(ap)), "sessions_per_week": 5,
    })
    return {"pupils": pupils, "attendance": attendance, "exclusions": excl, "ap_placements": ap_table,
            "nccis_activity": _nccis(rng, ids, risk, span, born)}


def _nccis(rng, ids, risk, span: _Span, born) -> pd.DataFrame:
    months = pd.date_range(span.start, span.end, freq="ME").to_numpy("datetime64[ns]")
    sixteen = born + np.timedelta64(16 * 365 + 4, "D")
    eighteen = born + np.timedelta64(18 * 365 + 4, "D")
    person = np.repeat(np.arange(len(ids)), len(months))
    month = np.tile(months, len(ids))
    keep = (month >= sixteen[person]) & (month < eighteen[person])
    person, month = person[keep], month[keep]
    neet = rng.random(len(person)) < np.clip(0.05 * (1 + risk[person]), 0, 0.9)
    codes = np.where(neet, _pick(rng, (610, 619, 810, 820), len(person)), _pick(rng, (210, 230, 310), len(person)))
    return pd.DataFrame({
        "person_id": ids[person], "month_end": month, "activity_code": codes.astype(int),
        "activity_group": [_codes.NCCIS_ACTIVITY[c][0] for c in codes], "activity_start": month,
    })


def _social_care(rng, ids, risk, span: _Span) -> dict[str, pd.DataFrame]:
    ref = _events(rng, ids, 0.3 * risk)
    referral = span.dates(len(ref))
    closure = referral + rng.integers(20, 400, len(ref)).astype("timedelta64[D]")
    closure = np.where(closure > np.datetime64(span.end.date()), np.datetime64("NaT"), closure)
    refs = np.array([f"r{i}" for i in range(len(ref))], dtype=object)
    referrals = pd.DataFrame({
        "person_id": ids[ref], "referral_ref": refs, "referral_date": referral, "closure_date": closure,
        "referral_source": _pick(rng, ("6", "2A", "1A", "5B"), len(ref)), "primary_need": _pick(rng, _codes.NEED_CATEGORY, len(ref)),
        "collection_year": 2024,
    })
    af = np.repeat(np.arange(len(ref)), rng.poisson(1.5, len(ref)))
    factors = pd.DataFrame({
        "person_id": ids[ref][af], "referral_ref": refs[af], "assessment_start": referral[af] + np.timedelta64(5, "D"),
        "assessment_authorised": referral[af] + np.timedelta64(40, "D"),
        "factor": _pick(rng, ("13A", "24A", "11A", "10A", "3A", "2A", "18B", "21", "4A"), len(af)),
    })
    s = np.flatnonzero(rng.random(len(ref)) < 0.15)
    s47 = pd.DataFrame({"person_id": ids[ref][s], "referral_ref": refs[s], "s47_start": referral[s] + np.timedelta64(3, "D")})
    c = np.flatnonzero(rng.random(len(ref)) < 0.07)
    cpp_start = referral[c] + np.timedelta64(30, "D")
    cpp_end = np.where(rng.random(len(c)) < 0.7, cpp_start + np.timedelta64(270, "D"), np.datetime64("NaT"))
    cpp = pd.DataFrame({"person_id": ids[ref][c], "referral_ref": refs[c], "cpp_start": cpp_start, "cpp_end": cpp_end,
                        "initial_category": "NEG", "latest_category": _pick(rng, _codes.ABUSE_CATEGORY, len(c))})
    return {"cin_referrals": referrals, "cin_assessment_factors": factors, "cin_section47": s47,
            "cin_cp_plans": cpp, **_looked_after(rng, ids, risk, span)}


def _looked_after(rng, ids, risk, span: _Span) -> dict[str, pd.DataFrame]:
    lac = np.flatnonzero(rng.random(len(ids)) < np.clip(0.012 * (1 + risk), 0, 1))
    n_ep = rng.integers(1, 6, len(lac))
    person = np.repeat(lac, n_ep)
    first = span.dates(len(lac))
    within = np.concatenate([np.arange(k) for k in n_ep]) if len(n_ep) else np.empty(0, int)
    decom = np.repeat(first, n_ep) + within * np.timedelta64(150, "D")
    dec = decom + np.timedelta64(150, "D")
    last = np.r_[within[1:] == 0, True] if len(within) else np.empty(0, bool)
    dec = np.where(last & (rng.random(len(person)) < 0.5), np.datetime64("NaT"), dec)
    episodes = pd.DataFrame({
        "person_id": ids[person], "decom": decom, "dec": dec, "rne": np.where(within == 0, "S", _pick(rng, "PTBL", len(person))),
        "legal_status": _pick(rng, ("C2", "V2", "J1", "C1"), len(person), p=(0.5, 0.35, 0.05, 0.1)),
        "place": _pick(rng, ("U4", "U6", "K2", "R5", "P1", "K1"), len(person), p=(0.4, 0.3, 0.15, 0.03, 0.1, 0.02)),
        "collection_year": 2024, "need_category": "N1",
    })
    episodes = episodes[episodes["decom"] <= span.end].reset_index(drop=True)
    mi = _events(rng, ids[lac], 2.0 * (1 + risk[lac]))
    missing = pd.DataFrame({"person_id": ids[lac][mi], "missing_type": _pick(rng, "MA", len(mi)), "start": span.dates(len(mi))})
    missing["end"] = missing["start"] + pd.Timedelta(days=2)
    years = np.arange(span.start.year + 1, span.end.year + 1)
    op = np.repeat(lac, len(years))
    oc2 = pd.DataFrame({
        "person_id": ids[op], "collection_year": np.tile(years, len(lac)),
        "year_end": pd.to_datetime(np.tile(years, len(lac)).astype(str) + "-03-31"),
        "sdq_score": rng.integers(0, 40, len(op)).astype(float), "convicted": rng.random(len(op)) < 0.05,
        "substance_misuse": rng.random(len(op)) < 0.05,
    })
    return {"cla_episodes": episodes, "cla_missing": missing, "cla_oc2": oc2}


def _youth_justice(rng, ids, risk, span: _Span) -> dict[str, pd.DataFrame]:
    o = _events(rng, ids, 0.1 * risk**1.5)
    offence = span.dates(len(o))
    classes = _pick(rng, ("10D", "8N", "104", "34B", "49", "92D", "10C", "58A"), len(o),
                    p=(0.06, 0.18, 0.2, 0.08, 0.2, 0.12, 0.04, 0.12))
    category = pd.Series(classes).map({"10D": "WEAP", "10C": "WEAP", "8N": "VAP", "104": "VAP", "34B": "ROB",
                                       "49": "THEFT", "92D": "DRUG", "58A": "CDAM"}).to_numpy(object)
    knife = np.isin(category, ("VAP", "ROB")) & (rng.random(len(o)) < 0.1)
    refs = np.array([f"o{i}" for i in range(len(o))], dtype=object)
    offences = pd.DataFrame({
        "person_id": ids[o], "offence_ref": refs, "offence_date": offence,
        "recorded_date": offence + rng.integers(0, 60, len(o)).astype("timedelta64[D]"),
        "ho_class": classes, "yjb_category": category, "knife_flag": knife, "gravity": rng.integers(1, 8, len(o)),
    })
    outcome_type = _pick(rng, list(_codes.OUTCOME_TYPE), len(o))
    tier = np.array([_codes.OUTCOME_TYPE[t][0] for t in outcome_type], dtype=object)
    outcomes = pd.DataFrame({
        "person_id": ids[o], "offence_ref": refs, "outcome_date": offence + rng.integers(30, 200, len(o)).astype("timedelta64[D]"),
        "outcome_type": outcome_type, "tier": tier, "tier_rank": [_codes.OUTCOME_TIER_RANK[t] for t in tier],
    })
    return {"yj_offences": offences, "yj_outcomes": outcomes}


def _finish(name: str, frame: pd.DataFrame | None) -> pd.DataFrame:
    if frame is None or len(frame) == 0:
        return empty_tables()[name]
    frame = frame.reset_index(drop=True)
    if "record_ref" in COLUMNS[name]:
        frame["record_ref"] = _refs(name, len(frame))
    return make_table(name, frame)
