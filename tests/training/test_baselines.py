"""The baselines: the simple rule's features from the registry, and the logistic regression."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from features import FeatureRegistry, default_registry
from training._baselines import find_rule, fit_logistic_baseline, predict_logistic_baseline


def test_rule_reads_outcome_and_permanent_exclusion_features_from_the_default_registry():
    names = default_registry().names
    rule = find_rule(default_registry(), names)
    assert set(rule.features) == {"permanent_exclusion_24m", "max_outcome_tier_24m"}
    assert "days_since_permanent_exclusion" not in rule.features
    assert rule.available and "permanent_exclusion_24m" in rule.note


def test_rule_is_skipped_with_a_note_when_the_table_lacks_its_features():
    rule = find_rule(FeatureRegistry(), ["feature_a", "feature_b"])
    assert not rule.available
    assert "skipped" in rule.note and "rule_features" in rule.note


def test_configured_rule_features_must_exist(small_registry):
    with pytest.raises(ValueError, match="'rule_features' prior_custody are not columns"):
        find_rule(small_registry, ["a"], configured=("prior_custody",))


def test_rule_flags_any_positive_value_and_learns_rates(small_registry):
    rule = find_rule(small_registry, small_registry.names)
    X = pd.DataFrame({"permanent_exclusion_24m": [0, 1, 0, 0], "max_outcome_tier_24m": [0, 0, 3, np.nan]})
    assert list(rule.flag(X)) == [1.0 if i in (1, 2) else 0.0 for i in range(4)]
    low, high = rule.fit_rates(X, [0, 1, 1, 0])
    assert 0 < low < high < 1


def test_logistic_baseline_ranks_better_than_chance(make_table, small_registry):
    frame, _ = make_table(n_people=400, n_dates=6)
    names = small_registry.names
    model = fit_logistic_baseline(frame[names], frame["label"])
    p = predict_logistic_baseline(model, frame[names])
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(frame["label"], p) > 0.65
    assert p.mean() == pytest.approx(frame["label"].mean(), rel=0.1)
