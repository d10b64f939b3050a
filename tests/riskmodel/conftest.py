"""Small synthetic models, features and tables for the scoring and explanation tests."""

from __future__ import annotations

import lightgbm
import numpy as np
import pandas as pd
import pytest

from features import Feature, FeatureRegistry
from riskmodel._model import RiskModel, SigmoidCalibrator

TOY_FEATURES = (
    Feature("age_years", "Age in years", "people", "on the as-of date", "value", "age",
            "aged {value}", kind="numeric"),
    Feature("suspensions_12m", "Suspensions in the last 12 months", "exclusions", "12 months",
            "count", "school exclusions", "{value} suspensions in the last 12 months",
            direction=1, kind="count"),
    Feature("permanent_exclusion_24m", "Permanent exclusion in the last 24 months", "exclusions",
            "24 months", "flag", "school exclusions", "permanently excluded in the last 24 months",
            direction=1, kind="flag"),
    Feature("absence_rate_12m", "Share of sessions missed in the last 12 months", "attendance",
            "12 months", "share", "attendance", "{value} of sessions missed in the last 12 months"),
    Feature("prior_offences", "Offences recorded before the as-of date", "yj_offences",
            "ever", "count", "youth justice", "{value} offences recorded before the as-of date",
            direction=1, kind="count"),
    Feature("looked_after_now", "Looked after on the as-of date", "cla_episodes",
            "on the as-of date", "flag", "looked after", "looked after on the as-of date",
            kind="flag"),
    Feature("missing_episodes_12m", "Missing episodes in the last 12 months", "cla_missing",
            "12 months", "count", "missing episodes", "{value} missing episodes in the last 12 months",
            kind="count"),
    Feature("sen_support", "SEN support recorded", "pupils", "on the as-of date", "flag",
            "social care", "has SEN support", kind="flag", protected="sen",
            justification="A synthetic test of the protected-feature rule."),
)
TOY_REGISTRY = FeatureRegistry(TOY_FEATURES)
TOY_LABEL = {
    "name": "knife-involvement-12m",
    "version": "1",
    "description": "Involvement in a knife offence in the 12 months after the as-of date.",
}


def toy_features(n: int, seed: int = 0) -> pd.DataFrame:
    """A synthetic feature matrix with the toy registry's columns, indexed by pseudonym."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    X = pd.DataFrame({
        "age_years": rng.uniform(10, 19, n),
        "suspensions_12m": rng.poisson(np.exp(latent - 1)).astype(float),
        "permanent_exclusion_24m": (rng.random(n) < 0.05 + 0.05 * (latent > 1)).astype(float),
        "absence_rate_12m": np.clip(rng.beta(1, 8, n) + 0.1 * (latent > 0.5), 0, 1),
        "prior_offences": rng.poisson(np.exp(latent - 1.5)).astype(float),
        "looked_after_now": (rng.random(n) < 0.08).astype(float),
        "missing_episodes_12m": rng.poisson(0.3, n).astype(float),
        "sen_support": (rng.random(n) < 0.15).astype(float),
    })
    X.loc[rng.random(n) < 0.1, "absence_rate_12m"] = np.nan
    X.index = pd.Index([f"{i:016x}" for i in rng.integers(0, 2**62, n)], name="person_id")
    return X


def toy_model(n: int = 800, seed: int = 0) -> RiskModel:
    """A tiny trained booster wrapped in the real RiskModel class."""
    X = toy_features(n, seed)
    rng = np.random.default_rng(seed + 1)
    z = (-3 + 0.6 * X["suspensions_12m"] + 0.9 * X["prior_offences"] + 1.5 * X["permanent_exclusion_24m"]
         + 0.3 * X["missing_episodes_12m"] + 3 * X["absence_rate_12m"].fillna(0) + 0.1 * (X["age_years"] - 14))
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    params = {"objective": "binary", "num_leaves": 7, "min_data_in_leaf": 10, "learning_rate": 0.1,
              "verbose": -1, "seed": seed, "deterministic": True, "num_threads": 1}
    booster = lightgbm.train(params, lightgbm.Dataset(X, label=y), num_boost_round=40)
    calibrator = SigmoidCalibrator(slope=0.8, intercept=-0.3)
    probabilities = calibrator.predict(booster.predict(X.to_numpy(float), raw_score=True))
    return RiskModel(
        booster=booster, calibrator=calibrator, feature_names=list(X.columns),
        feature_dtypes={c: "float64" for c in X.columns}, registry=TOY_REGISTRY,
        label_definition=TOY_LABEL, training_probabilities=probabilities,
        band_thresholds={"highest": float(np.quantile(probabilities, 0.9)),
                         "raised": float(np.quantile(probabilities, 0.6)), "low": 0.0},
        metadata={"name": "knife-crime-risk", "version": "3", "run_id": "abc123",
                  "data_end": "2024-12-31"},
    )


@pytest.fixture(scope="session")
def model() -> RiskModel:
    return toy_model()


@pytest.fixture(scope="session")
def X() -> pd.DataFrame:
    return toy_features(300, seed=7)


@pytest.fixture(scope="session")
def make_features():
    """The synthetic feature-matrix factory, ``make_features(n, seed)``."""
    return toy_features


@pytest.fixture(scope="session")
def make_model():
    """The toy-model factory, ``make_model(n, seed)``."""
    return toy_model


AS_OF = "2024-03-31"


def real_feature_model(tables: dict, as_of: str = AS_OF, *, drop: tuple[str, ...] = ()) -> RiskModel:
    """A small booster trained on features built from ``tables`` with the default registry.

    The label is synthetic (drawn from the features), so the model has signal to explain.
    """
    from features import build_features, default_registry

    feature_set = build_features(tables, as_of)
    registry = FeatureRegistry(tuple(f for f in default_registry() if f.name not in drop))
    X = feature_set.frame[registry.names]
    rng = np.random.default_rng(5)
    z = (-3.5 + 0.8 * X["offences_24m"] + 0.5 * X["suspensions_12m"] + 1.2 * X["looked_after_now"]
         + 0.4 * X["cin_referrals_12m"] + 0.1 * (X["age_years"] - 14) - 2 * X["attendance_rate_12m"].fillna(0.9))
    y = (rng.random(len(X)) < 1 / (1 + np.exp(-z))).astype(int)
    params = {"objective": "binary", "num_leaves": 7, "min_data_in_leaf": 5, "learning_rate": 0.1,
              "verbose": -1, "seed": 1, "deterministic": True, "num_threads": 1}
    booster = lightgbm.train(params, lightgbm.Dataset(X, label=y), num_boost_round=30)
    calibrator = SigmoidCalibrator(slope=0.9, intercept=-0.2)
    probabilities = calibrator.predict(booster.predict(X.to_numpy(float), raw_score=True))
    return RiskModel(
        booster=booster, calibrator=calibrator, feature_names=registry.names,
        feature_dtypes={c: str(X[c].dtype) for c in registry.names}, registry=registry,
        label_definition=feature_set.label_definition.to_dict(), training_probabilities=probabilities,
        band_thresholds={"highest": float(np.quantile(probabilities, 0.95)),
                         "raised": float(np.quantile(probabilities, 0.7)), "low": 0.0},
        metadata={"name": "knife-crime-risk", "version": "2", "run_id": "r1", "data_end": "2024-03-31"},
    )


@pytest.fixture(scope="session")
def tables() -> dict:
    from features._builders._sample import sample_tables

    return sample_tables(1500, seed=3)


@pytest.fixture(scope="session")
def real_model(tables) -> RiskModel:
    return real_feature_model(tables)


@pytest.fixture(scope="session")
def scored(real_model, tables, tmp_path_factory):
    """score_people run once on the sample tables; tests read its outputs."""
    from riskmodel import score_people

    out = tmp_path_factory.mktemp("scored")
    return score_people(real_model, tables, AS_OF, out_dir=out), out


@pytest.fixture(scope="session")
def make_real_model():
    """``make_real_model(tables, drop=())``: a small model on the default registry's features."""
    return real_feature_model
