"""Round trip: a synthetic authority's extracts load with zero problems."""

from __future__ import annotations

import pytest

import features
from features._loaders._schemas import check_tidy_tables

KEY = b"round-trip-key-0123456789abcdef!"


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic")
    features.synthesize(folder, n_young_people=500, seed=3)
    return folder


@pytest.fixture(scope="module")
def extracts(synthetic):
    return features.load_extracts(synthetic, key=KEY)


def test_synthetic_extracts_load_with_zero_problems(extracts):
    totals = extracts.report.to_dict()["totals"]
    problems = [
        (t["file"], p["column"], p["reason"]) for t in extracts.report.tables for p in t["problems"]
    ]
    assert problems[:10] == []
    assert totals["rows_quarantined"] == 0
    assert totals["rows_in"] == totals["rows_accepted"] > 1000


def test_synthetic_extracts_fill_every_table(extracts):
    empty = [name for name, frame in extracts.tables.items() if frame.empty]
    assert empty == []
    check_tidy_tables(extracts.tables)


def test_synthetic_people_link_across_sources(extracts):
    people = extracts.tables["people"]
    assert people["person_id"].is_unique
    assert (people["sources"].str.count(";") >= 1).mean() > 0.5


def test_a_clean_report_writes_no_quarantine(extracts, tmp_path):
    extracts.report.write_json(tmp_path / "validation.json")
    assert extracts.report.write_quarantine(tmp_path / "quarantine") == []
    assert '"rows_quarantined": 0' in (tmp_path / "validation.json").read_text()
