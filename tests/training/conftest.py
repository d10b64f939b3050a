"""Small synthetic feature tables for the training tests (no real records)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from features import Feature, FeatureRegistry


def registry() -> FeatureRegistry:
    def feature(name, concept, kind, direction, description):
        return Feature(name=name, description=description, source="synthetic", window="12 months",
                       aggregation="count", concept=concept, statement="{value}", direction=direction,
                       kind=kind)

    return FeatureRegistry((
        feature("age_years", "age", "numeric", 0, "Age in years on the as-of date."),
        feature("suspensions_12m", "school exclusions", "count", 1, "Suspensions in the last 12 months."),
        feature("permanent_exclusion_24m", "school exclusions", "flag", 1, "Permanently excluded in the last 24 months."),
        feature("attendance_rate_12m", "attendance", "numeric", -1, "Share of sessions attended."),
        feature("cin_referrals_12m", "social care", "count", 1, "Referrals to children's social care."),
        feature("looked_after_now", "looked after", "flag", 1, "Looked after on the as-of date."),
        feature("offences_24m", "youth justice", "count", 1, "Offences in the last 24 months."),
        feature("max_outcome_tier_24m", "youth justice", "numeric", 1, "Most serious outcome tier."),
        feature("days_since_last_offence", "youth justice", "days", -1, "Days since the last offence."),
    ))


def make_feature_table(n_people: int = 600, n_dates: int = 20, seed: int = 0, base: float = -4.2):
    """A panel of people x quarterly as-of dates with a latent risk driving features and label."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2019-03-31", periods=n_dates, freq="QE")
    people = np.array([f"{i:016x}" for i in rng.permutation(10**6)[:n_people]])
    latent = rng.normal(size=n_people)
    sex = rng.choice(["F", "M"], n_people)
    rows = len(dates) * n_people
    person = np.tile(np.arange(n_people), len(dates))
    as_of = np.repeat(dates, n_people)
    risk = latent[person] + rng.normal(scale=0.6, size=rows)
    frame = pd.DataFrame({
        "person_id": people[person],
        "as_of": as_of,
        "age_years": rng.uniform(10, 18.9, rows).round(2),
        "suspensions_12m": rng.poisson(np.exp(risk - 1.0)),
        "permanent_exclusion_24m": (rng.random(rows) < 1 / (1 + np.exp(-(risk * 1.5 - 4)))).astype(int),
        "attendance_rate_12m": np.clip(0.95 - 0.05 * risk + rng.normal(scale=0.05, size=rows), 0, 1),
        "cin_referrals_12m": rng.poisson(np.exp(risk - 2)),
        "looked_after_now": (rng.random(rows) < 0.03).astype(int),
        "offences_24m": rng.poisson(np.exp(risk * 1.2 - 2.5)),
    })
    frame["max_outcome_tier_24m"] = np.where(frame["offences_24m"] > 0, rng.integers(1, 6, rows), 0)
    frame["days_since_last_offence"] = np.where(frame["offences_24m"] > 0, rng.integers(1, 700, rows), np.nan)
    frame.loc[rng.random(rows) < 0.05, "attendance_rate_12m"] = np.nan
    logit = base + 1.3 * risk + 0.5 * (sex[person] == "M")
    frame["label"] = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)
    groups = pd.DataFrame({
        "person_id": frame["person_id"], "as_of": frame["as_of"], "sex": sex[person],
        "ethnicity_group": rng.choice(["White", "Black", "Asian", "Mixed", "Other"], n_people)[person],
        "age_band": pd.cut(frame["age_years"], [10, 14, 16, 19], right=False,
                           labels=["10-13", "14-15", "16-18"]).astype(str),
        "looked_after": frame["looked_after_now"].astype(bool),
    })
    return frame, groups


@pytest.fixture
def feature_table():
    frame, groups = make_feature_table()
    frame.attrs["registry"] = registry().to_dict()
    return frame, groups


FAST = {"n_search": 2, "n_boot": 60, "audit_n_boot": 20, "num_threads": 1}


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory) -> Path:
    """An initialised, empty MLflow SQLite store, copied for each test (migrations run once)."""
    from training import _tracking

    path = tmp_path_factory.mktemp("store") / "mlflow.db"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{path}")
        with _tracking.quiet_mlflow():
            _tracking.mlflow.set_tracking_uri(f"sqlite:///{path}")
            _tracking.MlflowClient().search_experiments()
    return path


def private_store(folder: Path, template: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, folder / "mlflow.db")
    return f"sqlite:///{folder / 'mlflow.db'}"


@pytest.fixture
def tracking(tmp_path, monkeypatch, empty_store):
    """A private MLflow store (SQLite in tmp_path) for one test."""
    uri = private_store(tmp_path / "mlruns", empty_store)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.chdir(tmp_path)
    return uri


@pytest.fixture(scope="module")
def trained(tmp_path_factory, empty_store):
    """One training run on the standard synthetic table, shared by a module's tests."""
    import training

    folder = tmp_path_factory.mktemp("run")
    frame, groups = make_feature_table()
    frame.attrs["registry"] = registry().to_dict()
    printed = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MLFLOW_TRACKING_URI", private_store(folder / "mlruns", empty_store))
        patch.chdir(folder)
        result = training.train_model(frame, groups=groups, config=training.TrainingConfig(**FAST),
                                      progress=lambda message, fraction=None: printed.append(message))
        yield {"result": result, "frame": frame, "groups": groups, "messages": printed, "folder": folder,
               "uri": f"sqlite:///{folder / 'mlruns' / 'mlflow.db'}"}


@pytest.fixture
def make_table():
    """The synthetic feature-table factory, ``make_table(n_people, n_dates, seed, base)``."""
    return make_feature_table


@pytest.fixture
def small_registry():
    return registry()


@pytest.fixture
def fast():
    """A quick training configuration: 2 configurations, few bootstrap replicates, 1 thread."""
    import training

    return training.TrainingConfig(**FAST)


@pytest.fixture(scope="session")
def authority(tmp_path_factory, empty_store):
    """A small synthetic authority (1,500 young people) with a model trained and registered on it."""
    import shutil

    import features
    import training

    folder = tmp_path_factory.mktemp("authority")
    features.synthesize(folder / "data", n_young_people=1500, seed=5)
    key_file = folder / "pseudonym.key"
    key = features.load_pseudonym_key(key_file=key_file, create=True)
    with pytest.MonkeyPatch.context() as patch:
        (folder / "mlruns").mkdir()
        shutil.copy(empty_store, folder / "mlruns" / "mlflow.db")
        uri = f"sqlite:///{folder / 'mlruns' / 'mlflow.db'}"
        patch.setenv("MLFLOW_TRACKING_URI", uri)
        patch.chdir(folder)
        result = training.train_from_data(folder / "data", key=key, config=training.TrainingConfig(
            n_search=2, n_boot=60, audit_n_boot=20, num_threads=1), progress=lambda *a: None)
        as_of = f"{result.split.train_dates_[-1]:%Y-%m-%d}"
        yield {"folder": folder, "key_file": key_file, "uri": uri, "as_of": as_of}
