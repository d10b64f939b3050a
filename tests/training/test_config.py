"""Training configuration: defaults, files, and refusals."""

from __future__ import annotations

import json

import pytest

from training import TrainingConfig, load_config


def test_defaults_are_valid_and_plain():
    config = TrainingConfig()
    record = config.to_dict()
    assert record["n_search"] == 8 and record["capacities"] == [50, 100, 200]
    assert json.loads(json.dumps(record)) == record


def test_toml_file_with_a_training_table(tmp_path):
    path = tmp_path / "train.toml"
    path.write_text('[training]\nrandom_state = 7\nn_search = 3\ncapacities = [25, 50]\n'
                    'band_thresholds = { high = 0.1, low = 0.0 }\n')
    config = load_config(path)
    assert (config.random_state, config.n_search, config.capacities) == (7, 3, (25, 50))
    assert config.band_thresholds == {"high": 0.1, "low": 0.0}


def test_json_file_at_top_level(tmp_path):
    path = tmp_path / "train.json"
    path.write_text(json.dumps({"horizon_months": 6, "calibration_methods": ["sigmoid"]}))
    config = load_config(path)
    assert config.horizon_months == 6 and config.calibration_methods == ("sigmoid",)


def test_unknown_setting_is_refused_by_name(tmp_path):
    path = tmp_path / "train.toml"
    path.write_text("n_serch = 3\n")
    with pytest.raises(ValueError, match="unknown setting.*n_serch"):
        load_config(path)


def test_unreadable_file_is_explained(tmp_path):
    path = tmp_path / "train.toml"
    path.write_text("n_search = = 3\n")
    with pytest.raises(ValueError, match="could not be read as TOML"):
        load_config(path)


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize("settings, message", [
    ({"horizon_months": 0}, "'horizon_months' must be a whole number of months from 1 to 36; got 0"),
    ({"test_fraction": 0.7}, "'test_fraction' must be above 0 and below 0.5"),
    ({"n_search": 0}, "'n_search' must be at least 1"),
    ({"calibration_methods": ("beta",)}, "'calibration_methods' must be drawn from"),
    ({"calibration_score": "auc"}, "'calibration_score' must be one of"),
    ({"capacity_shares": (1.5,)}, "'capacity_shares' between 0 and 1"),
    ({"calibration_folds": 1}, "'calibration_folds' must be at least 2"),
])
def test_out_of_range_values_are_refused(settings, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**settings)


@pytest.mark.parametrize(("setting", "value", "message"), [
    ("calibration_slope_range", (1.1, 1.3), "'calibration_slope_range' must be two numbers, one below 1"),
    ("max_ece", 0, "'max_ece' must be above 0 and below 1"),
    ("fairness_tolerance", 1.2, "'fairness_tolerance' must be above 0 and below 1"),
    ("fairness_metrics", ("fnr", "auc"), "'fairness_metrics' must be drawn from fnr, fpr"),
    ("recording_lag_months", 30, "'recording_lag_months' must be a whole number of months from 0 to 24"),
])
def test_verdict_and_label_window_settings_are_checked(setting, value, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**{setting: value})
