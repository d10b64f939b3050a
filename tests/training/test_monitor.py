"""Monitoring a batch against the stored training reference (synthetic feature tables only)."""

import json

import numpy as np
import pandas as pd
import pytest

from evaluation._arrivals import month_range, monthly_volume
from training._monitor import MissingReferenceError, monitor_batch, outcome_dates
from training._reference import REFERENCE_FILE


@pytest.fixture(scope="module")
def setting(trained):
    result, frame = trained["result"], trained["frame"]
    last = frame["as_of"].max()
    return result.model, frame, frame[frame["as_of"] == last].reset_index(drop=True), last


def _alerts(result):
    return {c["name"] for c in result.payload["checks"] if c["status"] == "alert"}


def test_the_reference_travels_with_the_registered_model(trained, monkeypatch):
    import training

    monkeypatch.setenv("MLFLOW_TRACKING_URI", trained["uri"])
    loaded = training.load_registered_model()
    reference = loaded.documents[REFERENCE_FILE]
    assert set(reference["features"]) == set(loaded.feature_names)
    assert reference["periods"]["test"] == [f"{d:%Y-%m-%d}" for d in trained["result"].split.test_dates_]
    assert "roc_auc" in reference["model_card"]


def test_the_same_data_as_training_raises_nothing(setting):
    model, _, batch, last = setting
    result = monitor_batch(model, batch, as_of=last)
    assert result.status in ("ok", "watch")
    assert result.exit_code == 0
    assert not _alerts(result)


def test_a_shifted_feature_is_caught_and_named(setting):
    model, _, batch, last = setting
    shifted = batch.assign(suspensions_12m=batch["suspensions_12m"] + 3)
    result = monitor_batch(model, shifted, as_of=last)
    assert "suspensions_12m" in _alerts(result)
    assert result.exit_code == 3
    assert any("suspensions_12m" in f for f in result.findings("alert"))


def test_a_feature_that_stops_being_recorded_is_caught_by_its_missing_share(setting):
    model, _, batch, last = setting
    gone = batch.assign(attendance_rate_12m=np.where(np.arange(len(batch)) % 2 == 0, np.nan, batch["attendance_rate_12m"]))
    row = next(r for r in monitor_batch(model, gone, as_of=last).payload["features"] if r["feature"] == "attendance_rate_12m")
    assert row["missing_status"] == "alert"


def test_a_source_that_stopped_arriving_is_named(setting):
    model, _, batch, last = setting
    months = month_range("2018-01-01", f"{last:%Y-%m-%d}")
    rng = np.random.default_rng(0)
    days = {s: pd.Series(pd.to_datetime([f"{m}-{d:02d}" for m in months for d in rng.integers(1, 28, 40)]))
            for s in ("youth_justice", "cin")}
    recent = month_range(last - pd.DateOffset(months=5), last)
    keep = ~days["youth_justice"].dt.strftime("%Y-%m").isin(recent) | (rng.random(len(days["youth_justice"])) < 0.1)
    days["youth_justice"] = days["youth_justice"][keep]
    volume = monthly_volume(days, months)
    result = monitor_batch(model, batch, as_of=last, profile={"volume": volume, "codes": None})
    assert "youth_justice" in _alerts(result)
    assert not any(name.startswith("cin") for name in _alerts(result))
    assert any("youth_justice" in n for n in result.payload["notes"]) is False
    assert any("stopped arriving" in f for f in result.findings("alert"))


def test_outcomes_after_the_test_period_sit_beside_the_card(setting, trained):
    model, frame, batch, last = setting
    groups = trained["groups"]
    later = frame[frame["as_of"] == last].reset_index(drop=True)
    result = monitor_batch(model, batch, as_of=last, outcomes=later, groups=groups.loc[later.index])
    outcomes = result.payload["outcomes"]
    auc = next(m for m in outcomes["metrics"] if m["metric"] == "roc_auc")
    assert auc["later"]["ci_low"] <= auc["later"]["value"] <= auc["later"]["ci_high"]
    assert auc["model_card"]["value"] == pytest.approx(model.documents[REFERENCE_FILE]["model_card"]["roc_auc"]["value"])
    assert any(g["group"].startswith("sex = ") for g in outcomes["fairness"])


def test_outcome_dates_need_a_complete_label_window(setting):
    model, *_ = setting
    reference = model.documents[REFERENCE_FILE]
    last_test = pd.Timestamp(reference["periods"]["test"][-1])
    assert outcome_dates(reference, as_of=last_test + pd.DateOffset(years=2), data_end=last_test + pd.DateOffset(months=6)) == []
    dates = outcome_dates(reference, as_of=last_test + pd.DateOffset(years=2), data_end=last_test + pd.DateOffset(months=18))
    assert dates and all(d > last_test for d in dates)


def test_a_model_without_a_reference_is_refused_clearly(setting):
    model, _, batch, last = setting
    import copy

    old = copy.copy(model)
    old.documents = {}
    with pytest.raises(MissingReferenceError, match="has no monitoring reference"):
        monitor_batch(old, batch, as_of=last)


def test_monitor_writes_json_and_html_without_identifiers(setting, tmp_path):
    model, _, batch, last = setting
    result = monitor_batch(model, batch.assign(offences_24m=batch["offences_24m"] + 2), as_of=last)
    paths = result.write(tmp_path)
    text = paths["json"].read_text()
    payload = json.loads(text)
    assert payload["status"] == "alert"
    html = paths["html"].read_text()
    assert "offences_24m" in html and "<svg" in html
    for person in batch["person_id"].head(50):
        assert person not in text and person not in html


def test_a_changed_reference_file_fails_the_model_signature(setting, tmp_path):
    from riskmodel import ModelIntegrityError, RiskModel

    model, *_ = setting
    folder = model.save(tmp_path / "model")
    assert RiskModel.load(folder).documents[REFERENCE_FILE] == json.loads((folder / REFERENCE_FILE).read_text())
    (folder / REFERENCE_FILE).write_text("{}")
    with pytest.raises(ModelIntegrityError, match="changed after signing: .training_reference.json."):
        RiskModel.load(folder)
