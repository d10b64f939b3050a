"""Plain-English reasons from the registry, the young person's values and dated records."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features import Feature, FeatureRegistry
from riskmodel._explain import explain_scores
from riskmodel._reasons import (
    SOURCES,
    assemble,
    choose_features,
    cites_protected,
    dated_sentence,
    evidence_text,
    feature_texts,
    format_date,
    missing_sources,
    top_reasons,
)


def _feature(statement, kind="count", aggregation="count", name="x", concept="youth justice", **kw):
    return Feature(name, "Some records in a window.", "yj_offences", "12 months", aggregation, concept,
                   statement, kind=kind, **kw)


def _texts(feature, values):
    X = pd.DataFrame({feature.name: np.asarray(values, dtype=float)})
    return feature_texts(X, FeatureRegistry((feature,)), [feature.name])[:, 0].tolist()


@pytest.mark.parametrize(
    ("statement", "kind", "aggregation", "value", "expected"),
    [
        ("{value} suspensions in the last 12 months", "count", "count", 3, "3 suspensions in the last 12 months"),
        ("{value} suspensions in the last 12 months", "count", "count", 1, "1 suspension in the last 12 months"),
        ("{value} suspensions in the last 12 months", "count", "count", 0, "no suspensions in the last 12 months"),
        ("{value} weapon or knife offences in the last 24 months", "count", "count", 1,
         "1 weapon or knife offence in the last 24 months"),
        ("NEET in {value} of the last 12 months", "count", "count", 1, "NEET in 1 of the last 12 months"),
        ("missing {value} times in the last 12 months", "count", "count", 1, "missing once in the last 12 months"),
        ("missing {value} times in the last 12 months", "count", "count", 0, "never missing in the last 12 months"),
        ("attended {value} of school sessions", "numeric", "share", 0.824, "attended 82% of school sessions"),
        ("looked after now", "flag", "flag", 1, "looked after now"),
        ("looked after now", "flag", "flag", 0, "not looked after now"),
        ("a plan ended in the last 24 months", "flag", "flag", 0, "no plan ended in the last 24 months"),
        ("substance misuse noted", "flag", "flag", 0, "no record: substance misuse noted"),
        ("not in education at the latest check", "flag", "flag", 0,
         "no record that the young person was not in education at the latest check"),
        ("last recorded offence {value} days ago", "days", "days since latest", 1234,
         "last recorded offence 1,234 days ago"),
        ("{value} suspensions in the last 12 months", "count", "count", np.nan, ""),
    ],
)
def test_a_value_becomes_a_sentence(statement, kind, aggregation, value, expected):
    assert _texts(_feature(statement, kind, aggregation), [value]) == [expected]


def test_age_is_stated_in_whole_years():
    age = _feature("aged {value}", kind="numeric", aggregation="age", name="age_years", concept="age")
    assert _texts(age, [15.99, 10.0]) == ["aged 15", "aged 10"]


@pytest.mark.parametrize(
    "feature",
    [
        _feature("has SEN support", kind="flag", protected="sen", justification="A test."),
        _feature("{value} episodes recorded for a child's disability"),
        Feature("eth", "Ethnic group code", "people", "now", "value", "age", "{value}"),
    ],
)
def test_protected_characteristics_are_never_cited(feature):
    assert _texts(feature, [1.0, 0.0]) == ["", ""]


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("SEN support", True),
        ("education, health and care plan", True),
        ("child's disability", True),
        ("White British", True),
        ("female", True),
        ("abuse relating to disability", True),
        ("not available: illness", True),
        ("not available: pregnancy", True),
        ("sentenced to custody", False),
        ("child sexual exploitation", False),
        ("3 suspensions in the last 12 months", False),
        ("physical assault against a pupil", False),
    ],
)
def test_cites_protected(text, cited):
    assert cites_protected(text) is cited


def with_records(text, records):
    """A sentence and its evidence from ``features.trace_feature`` records, worded as
    ``riskmodel._records.add_lineage`` words one traced cell (latest record first)."""
    if records.empty or not text:
        return text, ""
    records = records.sort_values("date", ascending=False, na_position="last")
    latest = records.iloc[0]
    return (dated_sentence(text, len(records), latest["date"], latest.get("meaning")),
            evidence_text(records["record_ref"].astype(str).tolist()))


def _records(dates, meanings=None, refs=None):
    n = len(dates)
    return pd.DataFrame({
        "table": ["exclusions"] * n,
        "record_ref": refs or [f"school_census/exclusions.csv:row {i + 1}" for i in range(n)],
        "date": pd.to_datetime(dates),
        "code": ["PP"] * n,
        "meaning": meanings or ["physical assault against a pupil"] * n,
        "detail": [""] * n,
    })


def test_one_record_gives_its_date_and_meaning():
    statement, evidence = with_records("1 suspension in the last 12 months", _records(["2025-03-04"]))
    assert statement == "1 suspension in the last 12 months, on 4 March 2025, for physical assault against a pupil"
    assert evidence == "school_census/exclusions.csv:row 1"


def test_several_records_give_the_most_recent_and_at_most_five_references():
    dates = [f"2024-0{m}-01" for m in range(1, 8)]
    statement, evidence = with_records("7 suspensions in the last 12 months", _records(dates))
    assert "most recently on 1 July 2024" in statement
    assert evidence.startswith("school_census/exclusions.csv:row 7;")
    assert evidence.endswith("; and 2 more")


def test_no_records_leave_the_sentence_alone():
    assert with_records("no suspensions", _records([])) == ("no suspensions", "")


@settings(max_examples=100, deadline=None)
@given(
    meaning=st.sampled_from([
        "abuse relating to disability", "SEN support", "child's disability", "White British",
        "learning disability (child)", "mental health (child)", "autism or Asperger syndrome",
    ]),
    prefix=st.text(alphabet="abcdefghij ", max_size=10),
)
def test_a_record_meaning_that_names_a_protected_characteristic_is_left_out(meaning, prefix):
    statement, evidence = with_records("1 referral", _records(["2024-05-01"], meanings=[prefix + " " + meaning]))
    assert not cites_protected(statement)
    assert statement.startswith("1 referral, on 1 May 2024")
    assert evidence


@pytest.mark.parametrize(("value", "expected"), [("2025-03-14", "14 March 2025"), ("2024-01-01", "1 January 2024")])
def test_dates_read_in_words(value, expected):
    assert format_date(value) == expected


def test_missing_sources_lists_every_source_without_a_record():
    known = pd.DataFrame({source: [source in ("school_census", "youth_justice"), False] for source in SOURCES},
                         index=pd.Index(["a", "b"], name="person_id"))
    out = missing_sources(known, np.array(["a", "b", "unknown"], dtype=object))
    assert "no school census record" not in out[0]
    assert "no children in need census record" in out[0]
    assert out[1].split("; ") == list(SOURCES.values())
    assert out[2] == out[1]


def test_no_youth_justice_record_and_no_nccis_record_under_16_are_not_gaps():
    people = pd.DataFrame({"person_id": ["young", "old"], "birth_month": ["2010-05-01", "2007-01-01"]})
    known = pd.DataFrame({source: [False, False] for source in (*SOURCES, "youth_justice")},
                         index=pd.Index(["young", "old"], name="person_id"))
    out = missing_sources(known, np.array(["young", "old"], dtype=object), people=people, as_of="2025-03-31")
    assert not any("youth justice" in o for o in out)
    assert "NCCIS" not in out[0]  # aged 14
    assert "no NCCIS post-16 activity record" in out[1]  # aged 18


def test_records_of_harm_read_as_needs_not_blame():
    from features import Feature, FeatureRegistry

    feature = Feature("af_sexual_exploitation_24m", "Assessment identified child sexual exploitation.",
                      "cin_assessment_factors", "24 months", "flag", "social care",
                      "a social care assessment in the last 24 months identified child sexual exploitation",
                      kind="flag")
    text = feature_texts(pd.DataFrame({feature.name: [1.0]}), FeatureRegistry((feature,)), [feature.name])[0, 0]
    assert "needed protection from child sexual exploitation" in text
    assert "identified child sexual exploitation" not in text


def test_top_reasons_name_what_raises_and_lowers_most():
    values = np.array([[0.5, -0.2, 1.0, 0.1, 0.05], [-1.0, -2.0, 0.0, 0.0, 0.0]])
    out = top_reasons(values, ["a", "b", "c", "d", "e"])
    assert out[0] == "raised by c, a, d; lowered by b"
    assert out[1] == "lowered by b, a"


def test_chosen_features_move_the_score_the_same_way_as_their_concept():
    feature_shap = np.array([[0.4, -0.1, 0.2], [0.1, -0.5, 0.1]])
    concept = feature_shap.sum(axis=1, keepdims=True)
    texts = np.array([["a", "b", ""], ["a", "b", "c"]], dtype=object)
    chosen = choose_features(feature_shap, concept, texts, [np.array([0, 1, 2])], top=3)
    assert chosen[0, 0].tolist() == [0, -1, -1]  # column 2 raises but has no sentence
    assert chosen[1, 0].tolist() == [1, -1, -1]
    statements, _ = assemble(texts, np.full(texts.shape, "", dtype=object), chosen)
    assert statements[:, 0].tolist() == ["a", "b"]


def test_a_concept_with_nothing_citable_gets_a_neutral_sentence():
    texts = np.array([[""]], dtype=object)
    chosen = choose_features(np.array([[0.3]]), np.array([[0.3]]), texts, [np.array([0])])
    statements, _ = assemble(texts, np.full(texts.shape, "", dtype=object), chosen)
    assert statements[0, 0] == "other recorded information in this area"


def test_explanations_of_a_model_with_a_protected_input_never_cite_it(model, X):
    table = explain_scores(model, X)
    assert not table["statement"].map(cites_protected).any()
    assert not table["statement"].str.contains("SEN").any()
