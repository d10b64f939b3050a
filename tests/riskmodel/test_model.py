"""The RiskModel artifact: scoring, contributions, positions, bands, feature contract, files."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings

import lightgbm
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features import Feature, FeatureRegistry
from riskmodel import FeatureMismatchError, ModelIntegrityError, ModelVersionWarning, RiskModel, sign_model_folder
from riskmodel._model import IsotonicCalibrator, SigmoidCalibrator, calibrator_from_dict

NAMES = ["suspensions_12m", "attendance_rate_12m", "offences_24m", "looked_after_now"]


def _registry() -> FeatureRegistry:
    return FeatureRegistry(tuple(
        Feature(name=n, description=f"{n} in words", source="synthetic", window="12 months",
                aggregation="count", concept="youth justice", statement="{value}", direction=1)
        for n in NAMES
    ))


def _features(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "suspensions_12m": rng.poisson(0.5, n).astype("int64"),
        "attendance_rate_12m": rng.uniform(0.5, 1.0, n),
        "offences_24m": rng.poisson(0.2, n).astype("int64"),
        "looked_after_now": rng.integers(0, 2, n).astype("int64"),
    })
    X.loc[rng.random(n) < 0.1, "attendance_rate_12m"] = np.nan
    return X


@pytest.fixture(scope="module")
def model() -> RiskModel:
    X = _features(1500, 0)
    z = -3 + 0.8 * X["suspensions_12m"] + 1.2 * X["offences_24m"] - 2 * X["attendance_rate_12m"].fillna(0.8)
    y = (np.random.default_rng(1).random(len(X)) < 1 / (1 + np.exp(-z))).astype(int)
    params = {"objective": "binary", "num_leaves": 7, "learning_rate": 0.1, "verbose": -1,
              "seed": 0, "deterministic": True, "num_threads": 1}
    booster = lightgbm.train(params, lightgbm.Dataset(X, label=y), num_boost_round=30)
    calibrator = SigmoidCalibrator(slope=0.9, intercept=-0.2)
    reference = calibrator.predict(booster.predict(X.to_numpy(float), raw_score=True))
    return RiskModel(
        booster=booster, calibrator=calibrator, feature_names=NAMES,
        feature_dtypes={c: str(X[c].dtype) for c in NAMES}, registry=_registry(),
        label_definition={"name": "knife_involvement", "version": "1"}, training_probabilities=reference,
        band_thresholds={"high": 0.2, "raised": 0.05, "low": 0.0},
        metadata={"name": "test", "library_versions": {"lightgbm": lightgbm.__version__}},
    )


def test_predict_proba_is_calibrated_logodds(model):
    X = _features(50, 3)
    raw = model.booster.predict(X[NAMES].to_numpy(float), raw_score=True)
    expected = 1 / (1 + np.exp(-(0.9 * raw - 0.2)))  # the fixture's sigmoid calibrator, by hand
    np.testing.assert_allclose(model.predict_proba(X[NAMES[::-1]]), expected)
    assert np.all((model.predict_proba(X) > 0) & (model.predict_proba(X) < 1))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(1, 40))
def test_contributions_add_up_to_the_model_output(model, seed, n):
    X = _features(n, seed)
    contributions = model.contributions(X)
    assert list(contributions.columns) == [*NAMES, "base"]
    np.testing.assert_allclose(contributions.sum(axis=1), model.predict_logodds(X), atol=1e-9)


@pytest.mark.parametrize("n", [0, 7, 1500])
def test_contributions_and_logodds_in_one_pass_equal_the_separate_calls(model, n):
    X = _features(n, 11)
    contributions, logodds = model.contributions_and_logodds(X)
    pd.testing.assert_frame_equal(contributions, model.contributions(X))
    np.testing.assert_array_equal(logodds, model.predict_logodds(X) if n else np.zeros(0))


def test_an_empty_frame_gives_empty_results(model):
    X = _features(3, 0).head(0)
    assert model.predict_proba(X).shape == (0,)
    assert model.contributions(X).shape == (0, len(NAMES) + 1)


def test_contributions_keep_the_index(model):
    X = _features(5, 1)
    X.index = pd.Index(list("abcde"), name="row")
    assert list(model.contributions(X).index) == list("abcde")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=2, max_size=30))
def test_position_is_between_1_and_20_and_never_falls_as_probability_rises(model, values):
    p = np.sort(np.array(values))
    positions = model.position(p)
    assert positions.min() >= 1 and positions.max() <= 20
    assert np.all(np.diff(positions) >= 0)


def test_position_reads_ventiles_of_the_reference():
    reference = np.linspace(0.001, 0.1, 1000)
    model = _bare(reference)
    assert model.position([0.0])[0] == 1
    assert model.position([reference[0]])[0] == 1
    assert model.position([reference[500]])[0] == 11
    assert model.position([1.0])[0] == 20


def test_band_takes_the_highest_threshold_reached(model):
    assert list(model.band([0.0, 0.049, 0.05, 0.19, 0.2, 0.9])) == ["low", "low", "raised", "raised", "high", "high"]


@pytest.mark.parametrize("bands", [{}, {"high": 0.2}, {"high": 1.5, "low": 0.0}])
def test_bad_band_thresholds_are_refused(bands):
    with pytest.raises(ValueError, match="band thresholds"):
        _bare(np.array([0.1]), bands=bands)


def test_check_features_lists_missing_and_extra_columns(model):
    X = _features(5, 0).drop(columns=["offences_24m"]).assign(postcode_risk=1.0)
    with pytest.raises(FeatureMismatchError, match=r"Missing \(1\): offences_24m.*Extra \(1\): postcode_risk"):
        model.check_features(X)


def test_check_features_reports_a_type_change(model):
    X = _features(5, 0).assign(suspensions_12m=lambda d: d["suspensions_12m"].astype(str))
    with pytest.raises(FeatureMismatchError, match="Changed type.*suspensions_12m"):
        model.predict_proba(X)


def test_check_features_accepts_key_columns_and_numeric_widening(model):
    X = _features(5, 0).astype({"offences_24m": "float64"}).assign(person_id="x", as_of=pd.Timestamp("2024-03-31"))
    model.check_features(X)
    assert model.predict_proba(X).shape == (5,)


def test_check_features_refuses_a_non_frame(model):
    with pytest.raises(FeatureMismatchError, match="needs a pandas DataFrame"):
        model.check_features(np.zeros((2, 4)))


def test_save_and_load_give_identical_scores(model, tmp_path):
    X = _features(100, 5)
    loaded = RiskModel.load(model.save(tmp_path / "m"))
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    np.testing.assert_array_equal(loaded.contributions(X), model.contributions(X))
    np.testing.assert_array_equal(loaded.training_probabilities, model.training_probabilities)
    assert loaded.registry == model.registry
    assert loaded.band_thresholds == model.band_thresholds
    assert loaded.feature_dtypes == model.feature_dtypes


@pytest.mark.parametrize("name", ["model.txt", "trees.json", "metadata.json", "training_probabilities.npy"])
def test_load_refuses_a_changed_file(model, tmp_path, name):
    folder = model.save(tmp_path / "m")
    with open(folder / name, "ab") as handle:
        handle.write(b" ")
    with pytest.raises(ModelIntegrityError, match=f"changed after signing: '{name}'"):
        RiskModel.load(folder)


def test_load_refuses_a_missing_file_or_signature(model, tmp_path):
    folder = model.save(tmp_path / "m")
    (folder / "model.txt").unlink()
    with pytest.raises(ModelIntegrityError, match="missing signed file.*'model.txt'"):
        RiskModel.load(folder)
    (folder / "signature.json").unlink()
    with pytest.raises(ModelIntegrityError, match="is not signed"):
        RiskModel.load(folder)


def _rewrite_metadata(folder, change, key) -> None:
    """Edit metadata.json and sign the folder again, as only the key holder can."""
    manifest = json.loads((folder / "metadata.json").read_text())
    change(manifest)
    (folder / "metadata.json").write_text(json.dumps(manifest))
    sign_model_folder(folder, key)


def test_load_warns_on_a_library_version_difference(model, tmp_path, signing_key):
    folder = model.save(tmp_path / "m")
    _rewrite_metadata(folder, lambda m: m["metadata"]["library_versions"].update(lightgbm="0.0.1"), signing_key)
    with pytest.warns(ModelVersionWarning, match="lightgbm 0.0.1"):
        RiskModel.load(folder)


def test_load_is_silent_when_versions_match(model, tmp_path):
    folder = model.save(tmp_path / "m")
    with warnings.catch_warnings():
        warnings.simplefilter("error", ModelVersionWarning)
        RiskModel.load(folder)


@pytest.mark.parametrize("calibrator", [
    IsotonicCalibrator((-3.0, 0.0, 2.0), (0.01, 0.1, 0.6)), SigmoidCalibrator(slope=1.1, intercept=-0.4),
])
def test_calibrators_round_trip_and_stay_inside_0_1(calibrator):
    z = np.linspace(-20, 20, 41)
    again = calibrator_from_dict(json.loads(json.dumps(calibrator.to_dict())))
    np.testing.assert_array_equal(again.predict(z), calibrator.predict(z))
    assert np.all((calibrator.predict(z) > 0) & (calibrator.predict(z) < 1))
    assert np.all(np.diff(calibrator.predict(z)) >= 0)


def test_unknown_calibrator_is_refused():
    with pytest.raises(ModelIntegrityError, match="calibrator method is 'beta'"):
        calibrator_from_dict({"method": "beta"})


def test_repr_names_the_model(model):
    assert "test" in repr(model) and "features=4" in repr(model)


def _bare(reference, bands=None) -> RiskModel:
    return RiskModel(booster=None, calibrator=SigmoidCalibrator(1.0, 0.0), feature_names=[], feature_dtypes={},
                     registry=FeatureRegistry(), label_definition={"name": "knife_involvement"}, training_probabilities=reference,
                     band_thresholds=bands if bands is not None else {"low": 0.0})


def test_a_model_folder_with_an_older_label_record_loads(model, tmp_path, signing_key):
    folder = model.save(tmp_path / "m")
    old = {"name": "user-provided label", "description": "The table's own 'label' column."}
    _rewrite_metadata(folder, lambda m: m.update(label_definition=old), signing_key)
    label = RiskModel.load(folder).label_definition
    assert (label.name, label.version, label.description) == (old["name"], "unversioned", old["description"])


def test_load_refuses_a_label_record_it_cannot_read(model, tmp_path, signing_key):
    folder = model.save(tmp_path / "m")
    _rewrite_metadata(folder, lambda m: m.update(label_definition={"title": "x"}), signing_key)
    with pytest.raises(ModelIntegrityError, match="stores a label definition this library cannot read.*unknown field"):
        RiskModel.load(folder)


def test_load_refuses_another_format_version(model, tmp_path, signing_key):
    folder = model.save(tmp_path / "m")
    _rewrite_metadata(folder, lambda m: m.update(format_version=m["format_version"] + 1), signing_key)
    with pytest.raises(ModelIntegrityError, match="reads format 1"):
        RiskModel.load(folder)


def test_a_loaded_model_scores_and_explains_without_importing_lightgbm(model, tmp_path, signing_key):
    folder = model.save(tmp_path / "m")
    X = _features(30, 8)
    X.to_parquet(tmp_path / "X.parquet")
    script = f"""
import sys
import numpy as np, pandas as pd
from riskmodel import RiskModel
model = RiskModel.load({str(folder)!r}, signing_key=bytes.fromhex({signing_key.hex()!r}))
X = pd.read_parquet({str(tmp_path / "X.parquet")!r})
values, logodds = model.contributions_and_logodds(X)
np.save({str(tmp_path / "values.npy")!r}, values.to_numpy())
np.save({str(tmp_path / "logodds.npy")!r}, logodds)
model.save({str(tmp_path / "again")!r}, signing_key=bytes.fromhex({signing_key.hex()!r}))
assert "lightgbm" not in sys.modules and "sklearn" not in sys.modules, "LightGBM was imported"
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    values, logodds = model.contributions_and_logodds(X)
    np.testing.assert_array_equal(np.load(tmp_path / "values.npy"), values.to_numpy())
    np.testing.assert_array_equal(np.load(tmp_path / "logodds.npy"), model.predict_logodds(X))
    for name in ("model.txt", "trees.json"):  # saved again as loaded, without LightGBM
        assert (tmp_path / "again" / name).read_bytes() == (folder / name).read_bytes()


@pytest.mark.parametrize("rows", [1, 7, 600])
def test_the_dumped_trees_give_lightgbm_s_values_for_any_number_of_rows(model, tmp_path, rows):
    loaded = RiskModel.load(model.save(tmp_path / "m"))
    X = _features(rows, 9)
    values, logodds = loaded.contributions_and_logodds(X)
    matrix = X[NAMES].to_numpy(float)
    np.testing.assert_allclose(values.to_numpy(), model.booster.predict(matrix, pred_contrib=True), atol=1e-10)
    np.testing.assert_array_equal(logodds, model.booster.predict(matrix, raw_score=True))


def test_a_folder_saved_before_the_trees_were_dumped_still_loads_and_explains(model, tmp_path, signing_key):
    folder = model.save(tmp_path / "m")
    (folder / "trees.json").unlink()
    sign_model_folder(folder, signing_key)
    older = RiskModel.load(folder)
    X = _features(20, 10)
    np.testing.assert_array_equal(older.contributions(X), model.contributions(X))
    dumped = (older.save(tmp_path / "again") / "trees.json").read_bytes()
    assert dumped == (model.save(tmp_path / "n") / "trees.json").read_bytes()


def test_no_document_may_take_the_name_of_the_dumped_trees(model, tmp_path):
    bare = _bare(np.array([0.1]))
    bare.documents = {"trees.json": {}}
    with pytest.raises(ValueError, match="other than metadata.json, trees.json"):
        bare.save(tmp_path / "m")


def test_trees_the_per_pattern_pass_refuses_go_to_lightgbm_without_parsing_them_again(model, tmp_path, monkeypatch):
    import dataclasses

    loaded = RiskModel.load(model.save(tmp_path / "m"))
    loaded._forest = dataclasses.replace(loaded.forest, single_output=False)  # as for a multiclass model
    assert not loaded.forest.by_pattern
    monkeypatch.setattr(lightgbm.Booster, "dump_model", lambda *a, **k: pytest.fail("the trees were parsed again"))
    X = _features(300, 11)  # above MIN_ROWS, where a booster would otherwise be parsed to choose
    values, logodds = loaded.contributions_and_logodds(X)
    matrix = X[NAMES].to_numpy(float)
    np.testing.assert_array_equal(values.to_numpy(), model.booster.predict(matrix, pred_contrib=True))
    np.testing.assert_array_equal(logodds, model.booster.predict(matrix, raw_score=True))


def test_a_trained_model_dumps_its_trees_once_to_explain_and_to_save(make_model, make_features, tmp_path,
                                                                    monkeypatch):
    fresh, X = make_model(300, 5), make_features(5, 12)
    dumps, dump = [], lightgbm.Booster.dump_model

    def counted(booster, *arguments, **keywords):
        dumps.append(1)
        return dump(booster, *arguments, **keywords)

    monkeypatch.setattr(lightgbm.Booster, "dump_model", counted)
    fresh.contributions(X)
    folder = fresh.save(tmp_path / "m")
    assert len(dumps) == 1
    np.testing.assert_array_equal(RiskModel.load(folder).contributions(X), fresh.contributions(X))
