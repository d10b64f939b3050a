"""LightGBM with early stopping, class weighting, monotone constraints and a seeded search.

Every configuration is trained on the training period and early-stopped on the validation
period's ROC AUC; the configuration with the best validation ROC AUC is kept. The outcome
is rare, so class imbalance is handled in two ways: each tree sees every positive row but
only a fraction of the negative rows (LightGBM's balanced bagging,
``neg_bagging_fraction``, which also makes training several times faster), and the search
tries up-weighting positive rows (``scale_pos_weight`` = (negatives / positives) to the
power 0 or 0.5). Both shift the raw probabilities upwards; the calibrator fitted afterwards
restores true probabilities. ``min_child_samples`` is capped at 2% of the training rows so
that a small table can still grow trees. Features whose registry entry
gives a direction get a monotone constraint. Training is deterministic: fixed seeds,
``deterministic=True``, column-wise histograms and a fixed thread count.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import lightgbm
import numpy as np
import pandas as pd

from evaluation import roc_auc_score

SEARCH_SPACE = {
    "num_leaves": (7, 15, 31),
    "learning_rate": (0.02, 0.05),
    "min_child_samples": (100, 200, 400, 800),
    "feature_fraction": (0.7, 0.85, 1.0),
    "neg_bagging_fraction": (0.2, 0.35, 0.5),
    "lambda_l2": (1.0, 10.0, 30.0),
    "imbalance_power": (0.0, 0.5),
}
AUC_EVERY = 5
FIRST_CANDIDATE = {"num_leaves": 15, "learning_rate": 0.05, "min_child_samples": 200,
                   "feature_fraction": 0.85, "neg_bagging_fraction": 0.35, "lambda_l2": 10.0,
                   "imbalance_power": 0.5}


@dataclass
class SearchResult:
    """The chosen booster and a record of every configuration tried.

    Attributes
    ----------
    booster : lightgbm.Booster
        Best configuration, truncated at its best iteration.
    params : dict
        LightGBM parameters of the chosen configuration.
    trials : DataFrame
        One row per configuration: the drawn settings, best iteration and validation ROC AUC.
    """

    booster: lightgbm.Booster
    params: dict
    trials: pd.DataFrame


def default_threads(num_threads: int | None) -> int:
    """The thread count used: as configured, else one fewer than this machine's cores, at most 4.

    LightGBM's threads spin while they wait, so a run that takes every core slows sharply
    when anything else needs one; leaving a core free keeps training time predictable.
    """
    return int(num_threads) if num_threads else max(1, min(4, (os.cpu_count() or 2) - 1))


def draw_candidates(n: int, *, random_state: int) -> list[dict]:
    """``n`` configurations: a sensible default first, then seeded random draws (no repeats)."""
    rng = np.random.default_rng(random_state)
    candidates, seen = [dict(FIRST_CANDIDATE)], {tuple(FIRST_CANDIDATE.values())}
    attempts = 0
    while len(candidates) < n and attempts < 1000:
        attempts += 1
        draw = {k: values[rng.integers(len(values))] for k, values in SEARCH_SPACE.items()}
        key = tuple(draw.values())
        if key not in seen:
            seen.add(key)
            candidates.append(draw)
    return candidates[:n]


def candidate_params(base: dict, y_train, *, monotone, config, progress=None, where: str = ""):
    """Each search candidate as ``(trial, candidate, LightGBM parameters)``, reporting progress.

    The one definition of a trial's parameters, shared by the single-process and the Dask search.
    """
    ratio = max(1.0, (len(y_train) - np.sum(y_train)) / max(np.sum(y_train), 1))
    candidates = draw_candidates(config.n_search, random_state=config.random_state)
    for i, candidate in enumerate(candidates, start=1):
        if progress:
            progress(f"Training LightGBM configuration {i} of {len(candidates)}{where}", (i - 1) / len(candidates))
        params = {**base, **_lightgbm_params(candidate, ratio), "monotone_constraints": list(monotone)}
        params["min_child_samples"] = min(params["min_child_samples"], max(1, len(y_train) // 50))
        yield i, candidate, params


def search_booster(X_train, y_train, X_valid, y_valid, *, monotone, config, progress=None) -> SearchResult:
    """Train each candidate with early stopping on validation; keep the best by ROC AUC."""
    threads = default_threads(config.num_threads)
    base = _base_params(config.random_state, threads)
    train_set = lightgbm.Dataset(as_matrix(X_train), label=np.asarray(y_train), feature_name=list(X_train.columns),
                                 params=base, free_raw_data=False)
    valid_set = lightgbm.Dataset(as_matrix(X_valid), label=np.asarray(y_valid), reference=train_set)
    trials, best = [], None
    for i, candidate, params in candidate_params(base, y_train, monotone=monotone, config=config, progress=progress):
        booster = lightgbm.train(
            params, train_set, num_boost_round=config.num_boost_round, valid_sets=[valid_set],
            valid_names=["validation"], feval=_SparseAUC(every=AUC_EVERY),
            callbacks=[lightgbm.early_stopping(config.early_stopping_rounds, first_metric_only=True, verbose=False)],
        )
        auc = float(booster.best_score["validation"]["auc"])
        trials.append({"trial": i, **candidate, "best_iteration": int(booster.best_iteration),
                       "validation_roc_auc": auc})
        if best is None or auc > best[0]:
            best = (auc, booster, params)
    _, booster, params = best
    return SearchResult(_truncated(booster), params, pd.DataFrame(trials))


class _SparseAUC:
    """Validation ROC AUC computed every ``every`` rounds (repeated in between).

    Sorting the whole validation period at every round costs as much as growing a tree;
    a repeated value never counts as an improvement, so early stopping still stops on the
    best evaluated round.
    """

    def __init__(self, every: int) -> None:
        self.every, self.calls, self.last = every, 0, 0.5

    def __call__(self, predictions, dataset):
        if self.calls % self.every == 0:
            self.last = roc_auc_score(dataset.get_label(), predictions)
        self.calls += 1
        return "auc", self.last, True


def _base_params(seed: int, threads: int) -> dict:
    return {
        "objective": "binary", "metric": "None", "verbosity": -1,
        "deterministic": True, "force_col_wise": True, "num_threads": threads,
        "seed": seed, "bagging_seed": seed, "feature_fraction_seed": seed, "data_random_seed": seed,
        "max_bin": 255, "feature_pre_filter": False,
    }


def _lightgbm_params(candidate: dict, ratio: float) -> dict:
    params = {k: v for k, v in candidate.items() if k != "imbalance_power"}
    params["scale_pos_weight"] = float(ratio ** candidate["imbalance_power"])
    params.update(pos_bagging_fraction=1.0, bagging_freq=1)
    return params


def _truncated(booster: lightgbm.Booster) -> lightgbm.Booster:
    """A booster holding only the trees up to the best iteration (so saved == used)."""
    text = booster.model_to_string(num_iteration=booster.best_iteration)
    return lightgbm.Booster(model_str=text)


def as_matrix(X: pd.DataFrame) -> np.ndarray:
    """Features as a float64 matrix with NaN for missing values, as LightGBM and sklearn read them."""
    return X.to_numpy(dtype="float64", na_value=np.nan)
