"""The span of dates the extracts cover."""

import pandas as pd
import pytest

from features import record_span
from features._builders._sample import empty_tables, make_table


def test_the_span_starts_at_the_first_collection_and_ends_at_the_last_record():
    tables = empty_tables()
    tables["pupils"] = make_table("pupils", [{"person_id": "p1", "census_date": "2018-01-18"},
                                             {"person_id": "p1", "census_date": "2019-01-17"}])
    tables["cla_episodes"] = make_table("cla_episodes", [{"person_id": "p1", "decom": "2012-05-01"}])
    tables["yj_offences"] = make_table("yj_offences", [{"person_id": "p1", "offence_date": "2020-01-01",
                                                        "recorded_date": "2020-02-01"}])
    assert record_span(tables) == (pd.Timestamp("2018-01-18"), pd.Timestamp("2020-02-01"))


def test_tables_without_dated_records_are_refused():
    with pytest.raises(ValueError, match="no dated records"):
        record_span(empty_tables())
