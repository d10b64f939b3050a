"""LightGBM trained on a two-worker Dask cluster: same contract, AUC within the single-process interval."""

import lightgbm
import numpy as np
import pytest

import training
from features import person_partition
from training._distributed import EarlyStopping, search_booster_distributed, validation_curve
from training._lgbm import AUC_EVERY, _SparseAUC

from tests.training.conftest import FAST, make_feature_table, private_store, registry


@pytest.fixture(scope="module")
def trained_on_dask(tmp_path_factory, empty_store, dask_client):
    folder = tmp_path_factory.mktemp("run-dask")
    frame, groups = make_feature_table()
    frame.attrs["registry"] = registry().to_dict()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", private_store(folder / "mlruns", empty_store))
        patch.chdir(folder)
        yield training.train_model(frame, groups=groups, config=training.TrainingConfig(**FAST),
                                   progress=lambda *args, **kwargs: None, client=dask_client)


def test_test_roc_auc_is_within_the_single_process_interval(trained_on_dask, trained):
    single, cluster = trained["result"].metrics, trained_on_dask.metrics
    assert single["test_roc_auc_ci_low"] <= cluster["test_roc_auc"] <= single["test_roc_auc_ci_high"]
    assert cluster["test_roc_auc_ci_low"] <= single["test_roc_auc"] <= cluster["test_roc_auc_ci_high"]


def test_the_registered_model_holds_an_ordinary_early_stopped_booster(trained_on_dask):
    model, trials = trained_on_dask.model, None
    assert isinstance(model.booster, lightgbm.Booster)
    assert 0 < model.booster.num_trees() < training.TrainingConfig(**FAST).num_boost_round
    assert trained_on_dask.verdict.status and trained_on_dask.card_paths["model_card.md"].endswith("model_card.md")
    assert any("Dask" in note and "not bit-identical" in note for note in trained_on_dask.notes)
    del trials


def test_each_candidate_keeps_its_best_validation_iteration(dask_client):
    frame, _ = make_feature_table(n_people=300, n_dates=8, seed=3)
    train, valid = frame[frame["as_of"] < "2020-06-30"], frame[frame["as_of"] >= "2020-06-30"]
    names = registry().names
    config = training.TrainingConfig(n_search=2, num_boost_round=60, early_stopping_rounds=20)
    search = search_booster_distributed(train[names], train["label"], valid[names], valid["label"],
                                        monotone=[0] * len(names), config=config, client=dask_client,
                                        person=train["person_id"])
    assert len(search.trials) == 2 and search.trials["best_iteration"].between(1, 60).all()
    best = search.trials.loc[search.trials["validation_roc_auc"].idxmax()]
    assert search.booster.num_trees() == best["best_iteration"]


def test_early_stopping_waits_patience_trees_after_the_best():
    rule = EarlyStopping(patience=10)
    for iteration, score in enumerate([0.6, None, None, None, None, 0.7] + [None] * 4 + [0.65] + [None] * 4, 1):
        rule.update(iteration, score)
    assert (rule.best_iteration, rule.best_score, rule.stopped) == (6, 0.7, False)
    rule.update(16, 0.69)
    assert rule.stopped


def test_the_validation_walk_keeps_the_trees_lightgbm_early_stopping_keeps():
    frame, _ = make_feature_table(n_people=300, n_dates=8, seed=5)
    names = registry().names
    train, valid = frame[frame["as_of"] < "2020-06-30"], frame[frame["as_of"] >= "2020-06-30"]
    params = {"objective": "binary", "metric": "None", "verbosity": -1, "num_leaves": 7, "learning_rate": 0.1,
              "min_child_samples": 20, "deterministic": True, "num_threads": 1, "seed": 2}
    X_valid = valid[names].to_numpy(float)

    def fit(callbacks, valid_sets=()):
        data = lightgbm.Dataset(train[names].to_numpy(float), label=train["label"], params=params)
        sets = [lightgbm.Dataset(X_valid, label=valid["label"], reference=data)] if valid_sets else []
        return lightgbm.train(params, data, num_boost_round=200, valid_sets=sets,
                              feval=_SparseAUC(every=AUC_EVERY) if sets else None, callbacks=callbacks)

    stopped = fit([lightgbm.early_stopping(15, verbose=False)], valid_sets=True)
    curve = validation_curve(fit([]), X_valid, np.asarray(valid["label"]), patience=15)
    assert stopped.best_iteration < 200 and curve.stopped
    assert curve.best_iteration == stopped.best_iteration
    assert curve.best_score == pytest.approx(stopped.best_score["valid_0"]["auc"])


def test_the_training_matrix_goes_to_the_workers_in_partitions_of_whole_people(dask_client, monkeypatch):
    from training import _distributed

    frame, _ = make_feature_table(n_people=300, n_dates=8, seed=4)
    names = registry().names
    X = frame[names].astype("float32")
    monkeypatch.setattr(_distributed, "ROWS_PER_PARTITION", 500)
    data, label = _distributed._dask_matrix(X, frame["label"], frame["person_id"], dask_client)
    parts = [part.compute() for part in data.to_delayed()]
    assert len(parts) >= -(-len(frame) // 500) and sum(map(len, parts)) == len(frame)
    assert all((part.dtypes == "float32").all() for part in parts)
    assert label.compute().sum() == frame["label"].sum()
    by_person = np.bincount(person_partition(frame["person_id"], len(parts)), minlength=len(parts))
    assert sorted(map(len, parts)) == sorted(by_person[by_person > 0])  # each part is a set of whole people


def test_the_baseline_sample_keeps_every_row_of_the_people_it_takes():
    from training._distributed import baseline_rows

    frame, _ = make_feature_table(n_people=400, n_dates=8, seed=6)
    assert baseline_rows(frame, most=len(frame)) is frame
    sample = baseline_rows(frame, most=len(frame) // 4, random_state=1)
    assert 0.15 * len(frame) <= len(sample) <= 0.35 * len(frame)
    taken = frame[frame["person_id"].isin(sample["person_id"])]
    assert len(taken) == len(sample)
