"""End to end: one training run, what it records in MLflow, the registered model, the card."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import training
from riskmodel import ModelIntegrityError, RiskModel, sign_model_folder
from training import _tracking


def _client(uri):
    _tracking.mlflow.set_tracking_uri(uri)
    return _tracking.MlflowClient()


def _run_files(trained) -> dict:
    """Every file the run and its logged model hold, by relative path."""
    root = trained["folder"] / "mlruns"
    return {str(p.relative_to(root)): p for p in root.rglob("*") if p.is_file() and p.name != "mlflow.db"}


def test_split_dates_and_label_definition_are_reported(trained):
    messages = "\n".join(trained["messages"])
    assert "train      as-of 2019-03-31 to 2020-06-30" in messages
    assert "test       as-of 2023-03-31 to 2023-12-31" in messages
    assert "Label definition:" in messages
    summary = trained["result"].summary()
    assert "validation as-of 2021-06-30 to 2022-03-31" in summary and "Verdict:" in summary


def test_run_records_the_contracted_metrics(trained):
    run = _client(trained["uri"]).get_run(trained["result"].run_id)
    metrics = run.data.metrics
    for name in ("test_roc_auc", "test_pr_auc", "test_brier", "test_log_loss", "test_calibration_slope",
                 "test_calibration_intercept", "test_precision_at_50", "test_recall_at_100",
                 "test_precision_at_1pct", "test_recall_at_5pct", "test_roc_auc_ci_low", "test_roc_auc_ci_high",
                 "baseline_logreg_test_roc_auc", "baseline_rule_test_roc_auc", "baseline_rule_test_brier",
                 "lift_over_rule_test_roc_auc", "lift_over_logreg_test_roc_auc", "validation_roc_auc"):
        assert name in metrics, name
    assert metrics["test_roc_auc"] == pytest.approx(trained["result"].metrics["test_roc_auc"])
    assert metrics["test_roc_auc_ci_low"] <= metrics["test_roc_auc"] <= metrics["test_roc_auc_ci_high"]


def test_run_records_params_lineage_and_tags(trained):
    run = _client(trained["uri"]).get_run(trained["result"].run_id)
    params, tags = run.data.params, run.data.tags
    assert params["train_first_as_of"] == "2019-03-31" and params["test_last_as_of"] == "2023-12-31"
    assert params["config.random_state"] == "0" and params["lgbm.deterministic"] == "True"
    assert re.fullmatch(r"[0-9a-f]{64}", params["data_fingerprint"])
    assert params["code_version"] and params["rule_features"] == "permanent_exclusion_24m,max_outcome_tier_24m"
    assert tags["verdict"] == trained["result"].verdict.status


def test_run_artifacts_include_card_registry_label_and_split(trained):
    names = {Path(p).name for p in _run_files(trained)}
    for expected in ("model_card.md", "model_card.html", "calibration.png", "feature_registry.json",
                     "label_definition.json", "split.json", "metrics.json", "verdict.json", "search_trials.json",
                     "environment.json", "fairness_audit.json", "fairness_audit.html", "MLmodel",
                     "model.txt", "trees.json", "signature.json", "_pyfunc_model.py"):
        assert expected in names, expected
    for path in trained["result"].card_paths.values():
        assert Path(path).is_file()


def test_no_identifier_appears_in_any_artifact(trained):
    people = set(trained["frame"]["person_id"])
    for name, path in _run_files(trained).items():
        content = path.read_bytes()
        tokens = set(re.findall(rb"(?<![0-9a-f])[0-9a-f]{16}(?![0-9a-f])", content))
        assert not {t.decode() for t in tokens} & people, name


def test_registered_model_loads_back_with_identical_scores(trained, small_registry):
    result = trained["result"]
    model = training.load_registered_model("knife-crime-risk", 1)
    assert isinstance(model, RiskModel) and result.model_version == 1
    assert model.metadata["version"] == 1 and model.metadata["run_id"] == result.run_id
    X = trained["frame"][model.feature_names].head(200)
    np.testing.assert_array_equal(model.predict_proba(X), result.model.predict_proba(X))
    for key in ("split", "data_fingerprint", "seeds", "library_versions", "code_version", "calibration"):
        assert key in model.metadata
    assert model.label_definition == result.label_definition
    assert model.registry.names == small_registry.names


def test_pyfunc_predict_returns_calibrated_probabilities(trained):
    result = trained["result"]
    with _tracking.quiet_mlflow():
        pyfunc = _tracking.mlflow.pyfunc.load_model("models:/knife-crime-risk/1")
        X = trained["frame"][result.model.feature_names].head(50)
        predicted = np.asarray(pyfunc.predict(X))
    np.testing.assert_allclose(predicted, result.model.predict_proba(X))


@pytest.mark.parametrize("version, message", [(None, "No registered model named 'absent'"), (9, "has no version 9")])
def test_loading_an_unknown_model_or_version_is_explained(trained, version, message):
    name = "absent" if version is None else "knife-crime-risk"
    with pytest.raises(ValueError, match=message):
        training.load_registered_model(name, version)


def test_model_is_calibrated_on_the_test_period(trained):
    metrics = trained["result"].metrics
    assert metrics["test_calibration_slope_ci_low"] < 1 < metrics["test_calibration_slope_ci_high"]
    assert metrics["test_calibration_intercept_ci_low"] < 0 < metrics["test_calibration_intercept_ci_high"]


def test_model_card_has_every_section_and_is_self_contained(trained):
    paths = trained["result"].card_paths
    markdown = Path(paths["model_card.md"]).read_text()
    page = Path(paths["model_card.html"]).read_text()
    for heading in ("Intended uses", "Out-of-scope uses", "Data sources and dates", "Label definition",
                    "Features", "Protected characteristics", "Performance against the baselines", "Calibration",
                    "Fairness audit (test period)", "Known limitations", "Fit-for-use verdict"):
        assert f"## {heading}" in markdown and f"<h2>{heading}" in page
    assert "they never decide anything" in markdown and "carries that bias" in markdown
    assert "Suspensions in the last 12 months." in markdown
    assert "data:image/png;base64," in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "sex = F" in markdown and "FAIRNESS AUDIT NOT INCLUDED" not in markdown


def test_same_data_config_and_seed_give_an_identical_model_and_metrics(trained, make_table, small_registry, fast):
    frame, _ = make_table()
    frame.attrs["registry"] = small_registry.to_dict()
    again = training.train_model(frame.sample(frac=1, random_state=5), config=fast,
                                 progress=lambda *a: None)  # rows shuffled, no groups: neither may matter
    first = trained["result"]
    assert again.model.booster.model_to_string() == first.model.booster.model_to_string()
    assert again.model.calibrator == first.model.calibrator
    assert json.dumps(again.metrics, sort_keys=True) == json.dumps(first.metrics, sort_keys=True)
    assert again.model.metadata["data_fingerprint"] == first.model.metadata["data_fingerprint"]
    assert (first.model_version, again.model_version) == (1, 2)
    assert training.load_registered_model("knife-crime-risk").metadata["run_id"] == again.run_id
    assert training.load_registered_model("knife-crime-risk", 1).metadata["run_id"] == first.run_id


def test_a_table_without_rule_features_or_groups_trains_with_notes(tracking, capsys, make_table, fast):
    frame, _ = make_table(n_people=400, n_dates=16, seed=3, base=-3.5)
    frame = frame.drop(columns=["permanent_exclusion_24m", "max_outcome_tier_24m"])
    result = training.train_model(frame, config=fast)
    out = capsys.readouterr().out
    assert "Temporal split (gap of 12 months between periods):" in out
    assert "Label definition:" in out and "Registered knife-crime-risk version 1" in out
    assert "baseline_rule_test_roc_auc" not in result.metrics
    markdown = Path(result.card_paths["model_card.md"]).read_text()
    assert "The simple rule (a prior youth justice outcome or a permanent exclusion) was skipped" in markdown
    assert "FAIRNESS AUDIT NOT INCLUDED" in markdown
    assert "has not been shown to improve on it" in markdown
    assert "no declaration (user-provided feature)" in markdown


def test_a_period_without_positive_labels_is_refused(tracking, make_table, fast):
    frame, _ = make_table(n_people=100, n_dates=16)
    frame.loc[frame["as_of"] >= "2022-01-01", "label"] = 0
    with pytest.raises(ValueError, match="The test period\\(s\\) have no rows with the label"):
        training.train_model(frame, config=fast, progress=lambda *a: None)


def test_default_store_is_under_mlruns_with_artifacts_beside_it(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    assert _tracking.tracking_uri() == f"sqlite:///{tmp_path / 'mlruns' / 'mlflow.db'}"


def test_read_feature_table_round_trips_csv_and_parquet(tmp_path, make_table):
    frame, _ = make_table(n_people=20, n_dates=2)
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    for name in ("t.csv", "t.parquet"):
        read = training.read_feature_table(tmp_path / name)
        assert isinstance(read, pd.DataFrame) and len(read) == len(frame)
        assert pd.api.types.is_datetime64_any_dtype(read["as_of"])
    with pytest.raises(FileNotFoundError, match="does not exist"):
        training.read_feature_table(tmp_path / "absent.parquet")


def test_artifacts_live_beside_an_sqlite_store(trained):
    artifact_root = trained["folder"] / "mlruns" / "artifacts"
    assert Path(trained["result"].card_paths["model_card.html"]).is_relative_to(artifact_root)


def test_no_test_period_outcome_informs_the_model(trained, fast):
    frame = trained["frame"].copy()
    later = frame["as_of"] > pd.Timestamp("2022-03-31")  # gap after validation, and the test period
    frame.loc[later, "label"] = 1 - frame.loc[later, "label"]
    changed = training.train_model(frame, config=fast, progress=lambda *a: None)
    first = trained["result"]
    assert changed.model.booster.model_to_string() == first.model.booster.model_to_string()
    assert changed.model.calibrator == first.model.calibrator
    assert changed.metrics["test_roc_auc"] != first.metrics["test_roc_auc"]


def test_result_carries_the_test_period_and_its_audit_in_memory(trained):
    result = trained["result"]
    test = result.test_predictions
    assert list(test.columns[:4]) == ["person_id", "as_of", "label", "probability"]
    assert {"sex", "ethnicity_group", "age_band"} <= set(test.columns)
    frame = trained["frame"]
    test_dates = result.split.test_dates_
    expected_rows = int((pd.to_datetime(frame["as_of"]).isin(test_dates) & frame["label"].notna()).sum())
    assert test["as_of"].min() == min(test_dates) and len(test) == expected_rows > 0
    np.testing.assert_allclose(test["probability"].mean(), test["label"].mean(), rtol=0.5)
    assert result.flag_count == training.TrainingConfig().capacity * len(test_dates) and result.audit is not None
    assert result.audit.to_dict()["settings"]["top_k"] == result.flag_count


def test_json_artifacts_are_strict_json(trained):
    def refuse(constant):
        raise ValueError(f"non-standard JSON constant {constant}")

    for name, path in _run_files(trained).items():
        if name.endswith(".json"):
            json.loads(path.read_text(), parse_constant=refuse)


# --- the registered model is signed and carries no pickle ---------------------------------


def _model_folder(trained) -> Path:
    """The signed RiskModel folder of version 1 inside the registered model's artifacts, in the store."""
    signature = trained["result"].model.signature
    (path,) = [p.parent for p in _run_files(trained).values()
               if p.name == "signature.json" and json.loads(p.read_text())["signature"] == signature]
    return path


@pytest.fixture
def restored(trained):
    """The registered model's folder, put back byte for byte after the test tampers with it."""
    folder = _model_folder(trained)
    saved = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    yield folder
    for path in set(folder.rglob("*")) - set(saved):
        path.unlink()
    for path, content in saved.items():
        path.write_bytes(content)


def test_the_registered_version_is_tagged_with_the_folder_signature(trained):
    version = _client(trained["uri"]).get_model_version("knife-crime-risk", "1")
    signature = json.loads((_model_folder(trained) / "signature.json").read_text())["signature"]
    assert version.tags["riskmodel.signature"] == signature == trained["result"].model.signature
    assert training.load_registered_model("knife-crime-risk", 1).signature == signature


def test_no_pickle_is_in_the_logged_model(trained):
    names = list(_run_files(trained))
    assert not [n for n in names if n.endswith((".pkl", ".pickle", ".cloudpickle", ".joblib"))]
    mlmodel = next(p for n, p in _run_files(trained).items() if n.endswith("MLmodel")).read_text()
    assert "loader_module: mlflow.pyfunc.loaders.code_model" in mlmodel and "model_code_path" in mlmodel
    assert "python_model.pkl" not in mlmodel


def test_loading_through_mlflow_and_the_library_never_unpickles(trained, monkeypatch):
    import pickle

    import cloudpickle

    def refuse(*args, **kwargs):
        raise AssertionError("a pickle was loaded")

    for module in (pickle, cloudpickle):
        for name in ("load", "loads"):
            monkeypatch.setattr(module, name, refuse)
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "false")
    X = trained["frame"][trained["result"].model.feature_names].head(20)
    with _tracking.quiet_mlflow():
        pyfunc = _tracking.mlflow.pyfunc.load_model("models:/knife-crime-risk/1")
    expected = trained["result"].model.predict_proba(X)
    np.testing.assert_allclose(np.asarray(pyfunc.predict(X)), expected)
    np.testing.assert_array_equal(training.load_registered_model("knife-crime-risk", 1).predict_proba(X), expected)


def test_a_tampered_registered_model_is_refused_by_the_library_and_by_mlflow(trained, restored):
    text = (restored / "model.txt").read_text()
    (restored / "model.txt").write_text(text.replace("leaf_value=", "leaf_value=9", 1))
    record = json.loads((restored / "signature.json").read_text())
    record["files"]["model.txt"] = hashlib.sha256((restored / "model.txt").read_bytes()).hexdigest()
    (restored / "signature.json").write_text(json.dumps(record))
    with pytest.raises(ModelIntegrityError, match="signature does not match its contents"):
        training.load_registered_model("knife-crime-risk", 1)
    with _tracking.quiet_mlflow(), pytest.raises(Exception, match="signature does not match its contents"):
        _tracking.mlflow.pyfunc.load_model("models:/knife-crime-risk/1")


def test_another_signed_folder_in_place_of_the_registered_one_is_refused(trained, restored, signing_key):
    """Even a folder signed with the right key is refused when it is not the version registered."""
    metadata = json.loads((restored / "metadata.json").read_text())
    metadata["band_thresholds"]["low"] = 0.0
    metadata["metadata"]["note"] = "a different model"
    (restored / "metadata.json").write_text(json.dumps(metadata))
    sign_model_folder(restored, signing_key)
    with pytest.raises(ModelIntegrityError, match="tag that disagrees with its files' signature"):
        training.load_registered_model("knife-crime-risk", 1)


@pytest.mark.parametrize("tag", ["0" * 64, "é" * 64, ""])
def test_a_registered_version_with_another_signature_tag_is_refused(trained, tag):
    client = _client(trained["uri"])
    original = client.get_model_version("knife-crime-risk", "1").tags["riskmodel.signature"]
    client.set_model_version_tag("knife-crime-risk", "1", "riskmodel.signature", tag)
    try:
        with pytest.raises(ModelIntegrityError, match="tag that disagrees"):
            training.load_registered_model("knife-crime-risk", 1)
    finally:
        client.set_model_version_tag("knife-crime-risk", "1", "riskmodel.signature", original)


def test_a_registered_version_without_its_signature_tag_is_refused(trained):
    client = _client(trained["uri"])
    tag = client.get_model_version("knife-crime-risk", "1").tags["riskmodel.signature"]
    client.delete_model_version_tag("knife-crime-risk", "1", "riskmodel.signature")
    try:
        with pytest.raises(ModelIntegrityError, match="has no 'riskmodel.signature' tag"):
            training.load_registered_model("knife-crime-risk", 1)
    finally:
        client.set_model_version_tag("knife-crime-risk", "1", "riskmodel.signature", tag)


def test_the_registered_model_is_refused_under_another_signing_key(trained):
    with pytest.raises(ModelIntegrityError, match="signed with a different signing key"):
        training.load_registered_model("knife-crime-risk", 1, signing_key=hashlib.sha256(b"other").digest())


def test_training_without_a_signing_key_stops_before_any_work(tracking, monkeypatch, make_table, fast):
    from riskmodel import SigningKeyError

    monkeypatch.delenv("RISKMODEL_SIGNING_KEY")
    frame, _ = make_table(n_people=50, n_dates=8)
    with pytest.raises(SigningKeyError, match="No model signing key"):
        training.train_model(frame, config=fast, progress=lambda *a: None)


def test_training_from_data_refuses_one_key_for_pseudonyms_and_signing(tmp_path, signing_key):
    from riskmodel import SigningKeyError

    with pytest.raises(SigningKeyError, match="same as the pseudonymisation key"):
        training.train_from_data(tmp_path / "never-read", key=signing_key)


def test_fit_for_use_thresholds_are_logged_before_the_test_period_is_read(tracking, make_table, fast, monkeypatch):
    from training import _fit

    seen = {}
    real = _fit._score_test

    def spy(model, test, fitted, config):
        run = _tracking.mlflow.active_run()
        seen.update(_tracking.MlflowClient().get_run(run.info.run_id).data.params)
        return real(model, test, fitted, config)

    monkeypatch.setattr(_fit, "_score_test", spy)
    frame, _ = make_table(n_people=400, n_dates=16, seed=3, base=-3.5)
    training.train_model(frame, config=fast, progress=lambda *a: None)
    for name in ("config.min_roc_auc", "config.calibration_slope_range", "config.max_ece",
                 "config.fairness_tolerance", "config.fairness_metrics"):
        assert name in seen, name
    assert seen["config.max_ece"] == str(fast.max_ece)


def test_the_card_prints_the_calibration_and_fairness_criteria(trained):
    markdown = Path(trained["result"].card_paths["model_card.md"]).read_text()
    assert "test calibration slope | 0.8 to 1.25" in markdown
    assert "test expected calibration error | at most 0.01" in markdown
    assert "fairness: no false-negative rate and false-positive rate disparity outside tolerance" in markdown
    names = [c["name"] for c in trained["result"].verdict.checks]
    assert names[-3:] == ["test calibration slope", "test expected calibration error",
                          "fairness: no false-negative rate and false-positive rate disparity outside tolerance in the test-period audit"]


def test_each_band_s_test_period_evidence_is_stored_with_the_model(trained):
    result = trained["result"]
    evidence = training.load_registered_model("knife-crime-risk", 1).metadata["band_evidence"]
    test = result.test_predictions
    assert [row["band"] for row in evidence] == sorted(result.model.band_thresholds,
                                                        key=lambda b: -result.model.band_thresholds[b])
    assert sum(row["n"] for row in evidence) == len(test)
    assert sum(row["recorded"] for row in evidence) == int(test["label"].sum())
