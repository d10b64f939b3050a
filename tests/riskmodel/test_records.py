"""The records behind a reason: the bulk trace equals features.trace_feature person by person."""

import re

import numpy as np
import pandas as pd
import pytest

from features import build_features, trace_feature
from riskmodel import _records
from riskmodel._explain import concept_statements, decompose

AS_OF = "2024-03-31"
TRACED = ["suspensions_12m", "violent_exclusions_24m", "days_since_permanent_exclusion", "cin_referrals_12m",
          "offences_24m", "days_since_last_offence", "missing_episodes_12m", "attendance_rate_12m"]


@pytest.fixture(scope="module")
def busy_people(tables):
    """Pseudonyms of people in the cohort with many records."""
    frame = build_features(tables, AS_OF).frame
    busy = frame.loc[(frame["suspensions_12m"] > 0) | (frame["offences_24m"] > 0), "person_id"]
    return busy.astype(str).head(25).tolist()


def test_the_bulk_trace_lists_exactly_the_records_trace_feature_lists(tables, busy_people):
    bulk = _records.trace_many(tables, busy_people, AS_OF, TRACED)
    compared = 0
    for person_id in busy_people:
        for feature in TRACED:
            one = trace_feature(tables, person_id, AS_OF, feature)
            mine = bulk.loc[(bulk["person_id"] == person_id) & (bulk["feature"] == feature)]
            assert sorted(mine["record_ref"].astype(str)) == sorted(one["record_ref"].astype(str))
            assert list(mine["date"]) == list(one["date"])
            assert list(mine["meaning"].astype(str)) == list(one["meaning"].astype(str))
            compared += len(one)
    assert compared > 20


def test_the_per_person_fallback_gives_the_same_statements(real_model, tables, busy_people, monkeypatch):
    frame = build_features(tables, AS_OF).frame
    frame = frame.loc[frame["person_id"].isin(busy_people)]
    X = frame[real_model.feature_names].set_axis(frame["person_id"].astype(str).to_numpy(object))
    parts = decompose(real_model, X)
    rows = np.arange(len(X))
    fast = concept_statements(real_model.registry, X, parts, tables=tables, as_of=AS_OF, rows=rows)

    def unavailable(*args, **kwargs):
        raise ImportError("builders moved")

    monkeypatch.setattr(_records, "trace_many", unavailable)
    slow = concept_statements(real_model.registry, X, parts, tables=tables, as_of=AS_OF, rows=rows)
    np.testing.assert_array_equal(fast[0], slow[0])
    np.testing.assert_array_equal(fast[1], slow[1])
    assert (fast[1] != "").any()


def test_person_tables_hold_only_that_persons_rows(tables, busy_people):
    split = _records.PersonTables(tables, busy_people[:3])
    own = split.of(busy_people[0])
    for name, table in own.items():
        assert set(table["person_id"]) <= {busy_people[0]}, name
    assert set(own) == set(tables)
    assert all(len(t) == 0 for t in split.of("not-a-person").values() if "person_id" in t.columns)


def test_a_date_and_reason_are_not_repeated_within_one_statement():
    from features import default_registry
    from features._builders._sample import empty_tables, make_table

    tables = empty_tables()
    tables["people"] = make_table("people", [{"person_id": "p1", "birth_month": "2009-05-01",
                                              "sources": "school_census"}])
    tables["exclusions"] = make_table("exclusions", [{
        "person_id": "p1", "start_date": "2024-03-08", "category": "SUSP", "reasons": "PP", "sessions": 3,
        "record_ref": "school_census/exclusions.csv:row 7"}])
    names = ["suspensions_12m", "suspension_sessions_12m", "violent_exclusions_24m"]
    X = pd.DataFrame({"suspensions_12m": [1.0], "suspension_sessions_12m": [3.0], "violent_exclusions_24m": [1.0]})
    texts = np.array([["1 suspension", "3 sessions lost", "1 exclusion for violence"]], dtype=object)
    chosen = np.array([[[0, 1, 2]]])
    out, evidence = _records.add_lineage(texts, X, np.array(["p1"], dtype=object), np.array([0]), chosen,
                                         names, default_registry(), tables, AS_OF)
    assert out[0].tolist() == [
        "1 suspension, on 8 March 2024, for physical assault against a pupil", "3 sessions lost",
        "1 exclusion for violence",
    ]
    assert evidence[0].tolist() == ["school_census/exclusions.csv:row 7"] * 3
