"""Training on a real FeatureSet built by ``features`` from synthetic tidy tables.

The tables are too small to hold many knife offences, so the label is redrawn from the
features (a synthetic outcome with signal); everything else - registry, label definition,
groups frame, as-of panel - is the real thing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import training
from features import build_features


@pytest.fixture(scope="module")
def feature_set():
    from features._builders._sample import sample_tables

    tables = sample_tables(600, seed=11)
    dates = training.panel_dates(tables, horizon_months=12)
    built = build_features(tables, dates)
    frame = built.frame.copy()
    z = (-4.2 + 0.9 * frame["offences_24m"] + 0.5 * frame["suspensions_12m"] + 1.0 * frame["looked_after_now"]
         + 0.4 * frame["cin_referrals_12m"] - 1.5 * frame["attendance_rate_12m"].fillna(0.9))
    drawn = np.random.default_rng(0).random(len(frame)) < 1 / (1 + np.exp(-z.to_numpy(dtype=float)))
    frame["label"] = drawn.astype("int8")
    return replace(built, frame=frame), dates


def test_panel_runs_quarterly_from_two_years_of_history_to_one_horizon_before_the_end(feature_set):
    _, dates = feature_set
    assert all(d.is_quarter_end for d in dates)
    assert len(dates) >= 12


def test_panel_refuses_too_short_a_span():
    import pandas as pd

    tables = {"pupils": pd.DataFrame({"census_date": pd.to_datetime(["2023-01-19", "2023-10-05"])}),
              "yj_outcomes": pd.DataFrame({"outcome_date": pd.to_datetime(["2023-11-01"])})}
    with pytest.raises(ValueError, match="too short for a panel of as-of dates"):
        training.panel_dates(tables)


def test_panel_ends_one_horizon_before_the_label_cut_off():
    import pandas as pd

    tables = {"pupils": pd.DataFrame({"census_date": pd.to_datetime(["2019-01-17", "2025-01-16"])}),
              "yj_outcomes": pd.DataFrame({"outcome_date": pd.to_datetime(["2019-05-01", "2024-06-30"])})}
    dates = training.panel_dates(tables)
    assert dates[-1] == pd.Timestamp("2022-12-31")  # last quarter end by 2024-06-30 less 3 months less 12
    with pytest.raises(ValueError, match="no dated youth justice records"):
        training.panel_dates({"pupils": tables["pupils"]})


def test_a_feature_set_trains_with_its_registry_label_and_groups(feature_set, tracking, fast):
    built, _ = feature_set
    result = training.train_model(built, config=fast, progress=lambda *a: None)
    card = Path(result.card_paths["model_card.md"]).read_text()
    assert built.label_definition.describe() in card
    assert built.registry["suspensions_12m"].description in card
    assert "sex = " in card and "age_band = " in card
    assert set(result.model.feature_names) == set(built.registry.names)
    assert not {"sex", "ethnicity", "ethnicity_group", "disability", "sen_provision"} & set(result.model.feature_names)
    assert result.model.metadata["split"]["horizon_months"] == 12
    assert "max_outcome_tier_24m" in card and "baseline_rule_test_roc_auc" in result.metrics
