"""Small-number suppression, including secondary suppression."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation import audit_scores
from evaluation._layout import build_layout
from evaluation._suppression import PRIMARY, SECONDARY, suppress_counts, suppress_units


def test_primary_suppression_withholds_small_cells():
    status = suppress_counts([50, 40, 3, 30, 0], min_cell=10, totals=[])
    assert status == [None, None, PRIMARY, None, None]


def test_one_withheld_cell_pulls_the_next_smallest_with_it():
    status = suppress_counts([50, 40, 3, 30], min_cell=10, totals=[(None, [0, 1, 2, 3])])
    assert status == [None, None, PRIMARY, SECONDARY]


def test_two_withheld_cells_need_no_secondary():
    status = suppress_counts([50, 4, 3, 30], min_cell=10, totals=[(None, [0, 1, 2, 3])])
    assert status == [None, PRIMARY, PRIMARY, None]


def test_zero_cells_are_shown_and_not_used_as_cover():
    status = suppress_counts([50, 0, 3, 30], min_cell=10, totals=[(None, [0, 1, 2, 3])])
    assert status == [None, None, PRIMARY, SECONDARY]


def test_parts_of_a_withheld_group_are_withheld():
    status = suppress_counts([5, 3, 2], min_cell=10, totals=[], parts=[(0, [1, 2])])
    assert status[0] == PRIMARY and status[1:] == [PRIMARY, PRIMARY]
    status = suppress_counts([100, 60, 40, 8], min_cell=10, totals=[(None, [0, 3])], parts=[(0, [1, 2])])
    assert status == [SECONDARY, "inherited", "inherited", PRIMARY]


def _layout_and_counts(table):
    groups = pd.DataFrame(table, columns=["a", "b"])
    layout = build_layout(groups)
    n = layout.membership[layout.cell_codes].sum(axis=0)
    return layout, n


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("xyz"), st.sampled_from("pqrs")), min_size=1, max_size=120),
       st.integers(2, 15))
def test_no_published_total_reveals_a_single_withheld_count(pairs, min_cell):
    layout, n = _layout_and_counts(pairs)
    status = suppress_units(layout, n, min_cell=min_cell)
    units = layout.units
    for u in range(len(units)):
        assert (status[u] == PRIMARY) == (0 < n[u] < min_cell)
    sets = []
    for col in layout.columns:
        sets.append((0, [i for i, x in enumerate(units) if x.kind == "group" and x.attributes[0][0] == col]))
    for g, unit in enumerate(units):
        if unit.kind == "group":
            sets.append((g, [i for i, x in enumerate(units)
                             if x.kind == "intersection" and unit.attributes[0] in x.attributes]))
    for total, members in sets:
        if status[total] is not None:
            assert all(status[m] is not None for m in members)
            continue
        hidden = [m for m in members if status[m] is not None and n[m] > 0]
        assert len(hidden) != 1


def test_audit_withholds_small_groups_and_lists_the_reason(audit):
    payload = audit.to_dict()
    other = next(g for g in payload["groups"] if g["value"] == "Other")
    assert other["suppressed"] and other["n"] is None
    assert other["n_display"] == "fewer than 10"
    assert all(m["value"] is None for m in other["metrics"].values())
    assert all(d["verdict"] == "insufficient evidence" for d in other["disparities"].values())
    secondary = [g for g in payload["groups"] if g["suppressed"] and g["value"] != "Other"]
    assert len(secondary) == 1
    assert secondary[0]["value"] == "Mixed"
    listed = {(s.get("attribute"), s.get("value")) for s in payload["suppression"]}
    assert ("ethnicity", "Other") in listed and ("ethnicity", "Mixed") in listed
    reasons = {s["rule"] for s in payload["suppression"]}
    assert {"primary", "secondary"} <= reasons


def test_withheld_groups_are_withheld_in_capacity_and_decision_tables(audit):
    payload = audit.to_dict()
    for row in payload["capacity"]["rows"]:
        other = next(g for g in row["groups"] if g["value"] == "Other")
        assert other["suppressed"] and other["share_of_flags"] is None
    agreement = next(g for g in payload["decision"]["agreement"]["groups"] if g["value"] == "Other")
    assert agreement["agreement"] is None


def test_calibration_bins_with_small_counts_are_withheld():
    rng = np.random.default_rng(2)
    n = 200
    score = rng.random(n)
    y = (rng.random(n) < score).astype(int)
    groups = pd.Series(np.where(np.arange(n) < 40, "A", "B"), name="g")
    result = audit_scores(y, y_score=score, threshold=0.5, sensitive_features=groups,
                          n_boot=20, min_cell=10)
    small = next(g for g in result.to_dict()["groups"] if g["value"] == "A")
    bins = small["calibration"]["bins"]
    for b in bins:
        if b["n"] is not None and b["n"] > 0:
            assert b["n"] >= 10
    hidden = [b for b in bins if b["suppressed"]]
    assert len(hidden) != 1


def _three_people_on_many_dates():
    """120 young people on one date each, and 3 with the top score on 40 dates each."""
    rng = np.random.default_rng(0)
    score = np.r_[rng.uniform(0, 0.5, 120), np.full(120, 0.95)]
    person = np.r_[[f"p{i}" for i in range(120)], np.repeat(["a", "b", "c"], 40)]
    y = (rng.random(len(score)) < score).astype(int)
    groups = pd.Series(np.where(np.arange(len(score)) % 2, "A", "B"), name="g")
    return y, score, groups, person


def test_a_calibration_bin_of_many_rows_but_few_young_people_is_withheld():
    y, score, groups, person = _three_people_on_many_dates()
    by_person = audit_scores(y, y_score=score, threshold=0.5, sensitive_features=groups, n_boot=20,
                             min_cell=10, person=person).to_dict()
    top = by_person["overall"]["calibration"]["bins"][-1]
    assert top["suppressed"] and top["n"] is None
    by_row = audit_scores(y, y_score=score, threshold=0.5, sensitive_features=groups, n_boot=20,
                          min_cell=10).to_dict()
    assert by_row["overall"]["calibration"]["bins"][-1]["n"] == 120


def test_capacity_curves_start_once_enough_young_people_are_flagged():
    y, score, groups, person = _three_people_on_many_dates()
    curve = audit_scores(y, y_score=score, threshold=0.5, sensitive_features=groups, n_boot=20,
                         min_cell=10, person=person).to_dict()["capacity"]["curve"]
    assert curve["k"][0] == 127  # the 120 rows of 3 people, then 7 more people
