"""Plain-English reasons: the registry's sentences filled with a young person's own values.

Every sentence comes from a feature's ``statement`` in the registry, so the wording cannot
drift from what the builder computes. Values are formatted for reading ("3 suspensions",
"82%", "no record"), and where the source records are at hand the sentence gains the date
and meaning of the most recent record behind it ("..., most recently on 14 March 2025,
for physical assault against a pupil") with references to the records as evidence.

Reasons never cite sex, ethnicity, disability or special educational needs: a feature that
encodes one, or whose wording or record meaning names one, is left out of the sentence
(its effect still counts in the numbers). Age may be stated.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from features import PROTECTED_INPUTS, Feature, FeatureRegistry

SOURCES = {
    "ssda903": "no looked-after children (SSDA903) record",
    "cin": "no children in need census record",
    "school_census": "no school census record",
    "ap_census": "no alternative provision census record",
    "nccis": "no NCCIS post-16 activity record",
}
# Youth justice is not listed: most young people have no youth justice record, so its silence
# is not a gap to follow up. NCCIS tracks young people from 16, so it is a gap only from that age.
NCCIS_FROM_AGE = 16

# Records that show a young person was harmed or at risk of harm read as needs, never blame.
NEEDS_WORDING = {
    "af_sexual_exploitation_24m": "a social care assessment in the last 24 months found the young person "
                                  "needed protection from child sexual exploitation",
    "af_criminal_exploitation_24m": "a social care assessment in the last 24 months found the young person "
                                    "needed protection from child criminal exploitation",
    "af_domestic_violence_24m": "a social care assessment in the last 24 months found the young person "
                                "was affected by domestic abuse at home and needed support",
    "s47_enquiries_24m": "{value} child protection enquiries in the last 24 months into whether the young "
                         "person was safe",
    "cp_plan_now": "on a child protection plan now, to keep the young person safe",
}
NO_SINGLE_RECORD = "other recorded information in this area"
MAX_PER_CONCEPT = 3
MAX_EVIDENCE = 5

# Words that would cite a protected characteristic (or a close proxy for one) in a reason.
_PROTECTED = re.compile(
    r"\b(sex|gender|male|female|boy|girl|ethnic\w*|race|racial|white|black|asian|mixed|"
    r"traveller|gypsy|roma|disab\w*|impairment|autis\w*|asperger\w*|down syndrome|"
    r"special educational|sen|send|ehc\w*|education, health and care|learning difficult\w*|"
    r"mental health|health\w*|illness|pregnan\w*|incontinence|mobility|hearing|vision)\b",
    re.IGNORECASE,
)


def cites_protected(text: str) -> bool:
    """Whether ``text`` names sex, ethnicity, disability or SEN (or a close proxy).

    Examples
    --------
    >>> cites_protected("SEN support")
    True
    >>> cites_protected("3 suspensions in the last 12 months")
    False
    """
    return bool(_PROTECTED.search(text or ""))


def citable(feature: Feature) -> bool:
    """Whether a reason may quote this feature: not protected (age, an input by design, may
    be quoted), and not worded as a protected characteristic."""
    if feature.protected is not None and feature.protected not in PROTECTED_INPUTS:
        return False
    return not (cites_protected(feature.statement) or cites_protected(feature.description))


def feature_texts(X: pd.DataFrame, registry: FeatureRegistry, names: list[str]) -> np.ndarray:
    """One sentence per person and feature, from the registry and the person's values.

    Parameters
    ----------
    X : DataFrame
        Feature values, one row per person.
    registry : FeatureRegistry
    names : list of str
        Columns of ``X`` to render, in order.

    Returns
    -------
    ndarray of object, shape (n_people, n_features)
        The sentence, or ``""`` where a feature may not be cited, is unknown to the
        registry, or has no value for the person (an empty value is never a reason).

    Examples
    --------
    >>> from features import Feature, FeatureRegistry
    >>> registry = FeatureRegistry((Feature(
    ...     "susp_12m", "Suspensions", "exclusions", "12 months", "count",
    ...     "school exclusions", "{value} suspensions in the last 12 months", kind="count"),))
    >>> X = pd.DataFrame({"susp_12m": [0.0, 1.0, 3.0]})
    >>> feature_texts(X, registry, ["susp_12m"])[:, 0].tolist()
    ['no suspensions in the last 12 months', '1 suspension in the last 12 months', '3 suspensions in the last 12 months']
    """
    out = np.full((len(X), len(names)), "", dtype=object)
    for column, name in enumerate(names):
        feature = _lookup(registry, name)
        if feature is not None and citable(feature):
            out[:, column] = _render(_as_need(feature), X[name].to_numpy(dtype=float))
    return out


def _as_need(feature: Feature) -> Feature:
    """The feature with its sentence worded as a need when its records show harm (:data:`NEEDS_WORDING`)."""
    wording = NEEDS_WORDING.get(feature.name)
    return dataclasses.replace(feature, statement=wording) if wording else feature


# How a record's decoded code joins the sentence, by source table: a referral's code is
# who made it; most other codes say what the record was for.
CONNECTORS = {"cin_referrals": "from"}


def dated_sentence(text: str, n_records: int, latest_date, meaning, *, source: str | None = None) -> str:
    """``text`` with the latest record's date and (citable) meaning appended.

    The meaning is left out where the sentence already says it.

    Examples
    --------
    >>> dated_sentence("1 suspension", 1, pd.Timestamp("2024-05-01"), "theft")
    '1 suspension, on 1 May 2024, for theft'
    >>> dated_sentence("1 referral", 1, pd.Timestamp("2024-05-01"), "school", source="cin_referrals")
    '1 referral, on 1 May 2024, from school'
    >>> dated_sentence("an assessment identified gangs", 1, pd.Timestamp("2024-05-01"), "gangs")
    'an assessment identified gangs, on 1 May 2024'
    """
    parts = [text]
    if latest_date is not None and pd.notna(latest_date):
        when = "most recently on" if n_records > 1 else "on"
        parts.append(f"{when} {format_date(latest_date)}")
    meaning = "" if meaning is None or pd.isna(meaning) else str(meaning).strip()
    if meaning and not cites_protected(meaning) and meaning.lower() not in text.lower():
        parts.append(f"{CONNECTORS.get(source, 'for')} {meaning}")
    return ", ".join(parts)


def format_date(value) -> str:
    """``14 March 2025``: the day without a leading zero, the month in words."""
    stamp = pd.Timestamp(value)
    return f"{stamp.day} {stamp:%B %Y}"


def missing_sources(known: pd.DataFrame, person_ids: pd.Series | np.ndarray, *, people: pd.DataFrame | None = None,
                    as_of=None) -> np.ndarray:
    """For each person, the sources that held no record of them on the as-of date and should,
    as a ``"; "``-joined phrase.

    Youth justice is never listed (having no record there is the usual case, not a gap), nor
    NCCIS for a young person under 16 on ``as_of`` (NCCIS tracks activity from 16).

    Parameters
    ----------
    known : DataFrame
        From :func:`features.known_sources` for the as-of date: indexed by ``person_id``,
        one boolean column per source. A record that became available after the as-of
        date does not count, so a case page for an earlier date reads that date's view.
    person_ids : array-like of str
    people : DataFrame, optional
        The tidy ``people`` table, for ``birth_month`` (the NCCIS rule).
    as_of : date-like, optional
        The date ages are taken on; without it (or ``people``) NCCIS is listed for all.

    Returns
    -------
    ndarray of object
        E.g. ``"no school census record; no children in need census record"``, or ``""``.

    Examples
    --------
    >>> known = pd.DataFrame({s: [True] for s in SOURCES}, index=pd.Index(["a"], name="person_id"))
    >>> known["cin"] = False
    >>> missing_sources(known, ["a"]).tolist()
    ['no children in need census record']
    """
    held = known[~known.index.duplicated()].reindex(pd.Index(person_ids))
    ages = people.drop_duplicates("person_id").set_index("person_id").reindex(pd.Index(person_ids)) \
        if people is not None else pd.DataFrame(index=pd.Index(person_ids))
    under_16 = _under(ages, as_of, NCCIS_FROM_AGE)
    out = np.full(len(held), "", dtype=object)
    for source, phrase in SOURCES.items():
        absent = ~held[source].fillna(False).to_numpy(bool) if source in held.columns else np.ones(len(held), bool)
        if source == "nccis":
            absent &= ~under_16
        out = np.where(absent, np.where(out == "", phrase, out + "; " + phrase), out)
    return out


def _under(people: pd.DataFrame, as_of, age: int) -> np.ndarray:
    """Whether each person is known to be younger than ``age`` on ``as_of``."""
    if as_of is None or "birth_month" not in people.columns:
        return np.zeros(len(people), dtype=bool)
    born = pd.to_datetime(people["birth_month"], errors="coerce")
    stamp = pd.Timestamp(as_of)
    before_birthday = (born.dt.month > stamp.month) | ((born.dt.month == stamp.month) & (born.dt.day > stamp.day))
    years = stamp.year - born.dt.year - before_birthday.astype(float)
    return (years < age).fillna(False).to_numpy(dtype=bool)


def join_nonempty(columns: np.ndarray, separator: str) -> np.ndarray:
    """Join the non-empty strings of each row of a 2-D object array."""
    out = np.full(columns.shape[0], "", dtype=object)
    for k in range(columns.shape[1]):
        part = columns[:, k]
        has = part != ""
        started = out != ""
        first, more = has & ~started, has & started
        out[first] = part[first]
        if more.any():
            out[more] = out[more] + separator + part[more]
    return out


def top_reasons(concept_values: np.ndarray, concepts: list[str], *, top: int = 3) -> np.ndarray:
    """Short text naming the concepts that raise and lower each score most.

    Examples
    --------
    >>> top_reasons(np.array([[0.5, -0.2, 1.0]]), ["attendance", "age", "youth justice"])[0]
    'raised by youth justice, attendance; lowered by age'
    """
    names = np.array(concepts, dtype=object)
    raised = _ranked(concept_values, names, top, sign=1.0)
    lowered = _ranked(concept_values, names, top, sign=-1.0)
    raised = np.where(raised == "", "", "raised by " + raised)
    lowered = np.where(lowered == "", "", "lowered by " + lowered)
    return join_nonempty(np.stack([raised, lowered], axis=1), "; ")


def _ranked(values: np.ndarray, names: np.ndarray, top: int, *, sign: float) -> np.ndarray:
    signed = values * sign
    order = np.argsort(-signed, axis=1, kind="stable")[:, :top]
    picked = np.where(np.take_along_axis(signed, order, axis=1) > 0, names[order], "")
    return join_nonempty(picked.astype(object), ", ")


def _unique_refs(joined: str) -> str:
    return "; ".join(dict.fromkeys(joined.split("; ")))


def evidence_text(refs: list[str]) -> str:
    shown = "; ".join(refs[:MAX_EVIDENCE])
    if len(refs) > MAX_EVIDENCE:
        shown += f"; and {len(refs) - MAX_EVIDENCE} more"
    return shown


def _lookup(registry: FeatureRegistry, name: str) -> Feature | None:
    try:
        return registry[name]
    except KeyError:
        return None


def _render(feature: Feature, values: np.ndarray) -> np.ndarray:
    """Sentences for one feature's values; formats each distinct display value once."""
    shown, formatter = _display(feature, values)
    codes, distinct = pd.factorize(shown, use_na_sentinel=True)
    texts = np.array([formatter(v) for v in distinct.tolist()] + [""], dtype=object)
    return texts[codes]  # code -1 (missing) is the last, empty text: an empty value is never a reason


def _display(feature: Feature, values: np.ndarray) -> tuple[np.ndarray, Callable[[float], str]]:
    """Round values to what is shown, and the function turning one into a sentence."""
    statement = feature.statement
    if feature.concept == "age" or "age" in feature.name.split("_"):
        return np.floor(values), lambda v: statement.replace("{value}", _number(v))
    if feature.kind == "flag":
        return np.round(values), lambda v: _flag_text(statement, v)
    if _is_share(feature):
        return np.round(values * 100.0), lambda v: statement.replace("{value}", f"{v:.0f}%")
    if feature.kind in ("count", "days"):
        return np.round(values), lambda v: _count_text(statement, v)
    return np.round(values, 1), lambda v: statement.replace("{value}", _number(v))


def _is_share(feature: Feature) -> bool:
    words = f"{feature.aggregation} {feature.name}".lower()
    return any(w in words for w in ("share", "rate", "proportion", "percent"))


def _flag_text(statement: str, value: float) -> str:
    if "{value}" in statement:
        return statement.replace("{value}", "yes" if value >= 1 else "no")
    return statement if value >= 1 else _negated(statement)


def _negated(statement: str) -> str:
    """``"looked after now"`` -> ``"not looked after now"``; ``"a plan ended"`` -> ``"no plan ended"``."""
    first, _, rest = statement.partition(" ")
    if first.lower() in ("a", "an"):
        return f"no {rest}"
    if first.lower() in ("in", "on", "at", "open") or first.endswith(("ed", "ly")):
        return f"not {statement}"
    if first.lower() == "not":
        return f"no record that the young person was {statement}"
    return f"no record: {statement}"


_SINGULAR = {
    "offences": "offence", "suspensions": "suspension", "exclusions": "exclusion",
    "referrals": "referral", "enquiries": "enquiry", "changes": "change", "sessions": "session",
    "days": "day", "months": "month", "episodes": "episode",
}


def _count_text(statement: str, value: float) -> str:
    if value == 0 and statement.startswith("{value} "):
        return "no " + statement[len("{value} "):]
    if value == 0 and " {value} times" in statement:
        return "never " + statement.replace(" {value} times", "")
    text = statement.replace("{value}", _number(value))
    if value == 0:
        return text.replace(" 0 of ", " none of ")
    if value == 1:
        text = text.replace("1 times", "once")
        words = text.split(" ")
        after = words.index("1") if "1" in words else len(words)
        if after + 1 < len(words) and words[after + 1] == "of":
            after = len(words)
        for i in range(after + 1, min(after + 6, len(words))):
            if words[i] in _SINGULAR:
                words[i] = _SINGULAR[words[i]]
                break
        text = " ".join(words)
    return text.replace("2 times", "twice")


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def choose_features(
    feature_shap: np.ndarray,
    concept_values: np.ndarray,
    texts: np.ndarray,
    groups: list[np.ndarray],
    *,
    top: int = MAX_PER_CONCEPT,
) -> np.ndarray:
    """Pick, per person and concept, the features that explain the concept's effect.

    Within a concept that raises the score, the features that raise it most (and the
    reverse for one that lowers it); features with no citable sentence are skipped.

    Parameters
    ----------
    feature_shap : ndarray of shape (n_people, n_features)
    concept_values : ndarray of shape (n_people, n_concepts)
    texts : ndarray of shape (n_people, n_features)
        From :func:`feature_texts`.
    groups : list of int arrays
        The feature columns of each concept.
    top : int, default=3

    Returns
    -------
    ndarray of int, shape (n_people, n_concepts, top)
        Feature column numbers, most important first; ``-1`` where none.
    """
    chosen = np.full((feature_shap.shape[0], len(groups), top), -1, dtype=np.int64)
    for c, columns in enumerate(groups):
        signed = feature_shap[:, columns] * np.sign(concept_values[:, [c]])
        valid = (signed > 0) & (texts[:, columns] != "")
        order = np.argsort(np.where(valid, -signed, np.inf), axis=1, kind="stable")[:, :top]
        picked = np.where(np.take_along_axis(valid, order, axis=1), columns[order], -1)
        chosen[:, c, : picked.shape[1]] = picked
    return chosen


def assemble(texts: np.ndarray, evidence: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Join the chosen sentences (and evidence) into one statement per person and concept.

    Returns
    -------
    statements, evidence : ndarray of object, shape (n_people, n_concepts)
    """
    rows = np.arange(texts.shape[0])[:, None]
    n_concepts = chosen.shape[1]
    statements = np.empty((texts.shape[0], n_concepts), dtype=object)
    refs = np.empty_like(statements)
    for c in range(n_concepts):
        picked = chosen[:, c, :]
        safe = np.maximum(picked, 0)
        parts = np.where(picked >= 0, texts[rows, safe], "")
        statements[:, c] = join_nonempty(parts.astype(object), "; ")
        joined = join_nonempty(np.where(picked >= 0, evidence[rows, safe], "").astype(object), "; ")
        filled = np.flatnonzero(joined != "")
        joined[filled] = [_unique_refs(j) for j in joined[filled]]
        refs[:, c] = joined
    statements = np.where(statements == "", NO_SINGLE_RECORD, statements)
    return statements, refs
