"""The records behind a reason read as one sentence each."""

import numpy as np
import pandas as pd

from riskmodel import _records

AS_OF = "2024-03-31"


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
