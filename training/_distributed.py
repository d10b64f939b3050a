"""The LightGBM search on a Dask cluster: ``lightgbm.dask.DaskLGBMClassifier``.

The same seeded candidates as :func:`training._lgbm.search_booster` are trained on the
training period, here as a Dask dataframe whose partitions are people (by the hash of the
pseudonym that feature building uses), with LightGBM's own data-parallel learner across
the workers. LightGBM's Dask interface has no early stopping (each worker would judge its
own share of the validation rows), so each candidate grows ``num_boost_round`` trees and
the early-stopping rule is applied afterwards: the gathered booster scores the whole
validation period here, every 5 trees, and the trees kept are those up to the best
validation ROC AUC before ``early_stopping_rounds`` trees passed without a better one,
exactly the trees early stopping would keep; only the time spent on the trees after the
stop is lost. The chosen booster is an ordinary ``lightgbm.Booster``, so calibration,
baselines, the test period, the audit and the card run unchanged on the (small)
validation and test predictions.

Distributed LightGBM is not bit-identical to single-process LightGBM: histograms are
built per worker and merged, and bagging draws per worker, so trees differ slightly; the
test-period ROC AUC agrees within its interval (a test checks it on a two-worker cluster).
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd

from evaluation import roc_auc_score

from ._lgbm import AUC_EVERY, SearchResult, _base_params, as_matrix, candidate_params

SKLEARN_NAMES = {"seed": "random_state", "feature_fraction": "colsample_bytree", "lambda_l2": "reg_lambda"}
"""LightGBM parameter names given under the scikit-learn wrapper's own argument names."""
ROWS_PER_PARTITION = 500_000
"""Most training rows per Dask partition sent to the workers."""
BASELINE_ROWS = 1_000_000
"""Most training rows the logistic-regression baseline is fitted on with a cluster."""
WORKER_SET = ("num_threads",)
"""Parameters lightgbm.dask sets itself on each worker (its thread count)."""
DISTRIBUTED_NOTE = (
    "LightGBM was trained on a Dask cluster (lightgbm.dask, data-parallel): its trees are not "
    "bit-identical to training in one process, so its metrics differ slightly from a single-process run on the same data."
)


def search_booster_distributed(X_train, y_train, X_valid, y_valid, *, monotone, config, client,
                               person=None, progress=None) -> SearchResult:
    """Train each candidate on the cluster, early-stopped on validation; keep the best.

    Parameters
    ----------
    X_train, y_train : DataFrame, Series
        The training period's features and labels.
    X_valid, y_valid : DataFrame, Series
        The validation period's, scored in this process.
    monotone : sequence of int
        One constraint per feature.
    config : TrainingConfig
    client : dask.distributed.Client
    person : Series, default=None
        The training rows' pseudonyms, to partition by person; by row blocks without.
    progress : callable, optional

    Returns
    -------
    SearchResult
    """
    base = _base_params(config.random_state, 1)  # each worker runs its own thread count (WORKER_SET)
    X, y = _dask_matrix(X_train, y_train, person, client)
    valid = as_matrix(X_valid)
    y_valid = np.asarray(y_valid)
    trials, best = [], None
    for i, candidate, params in candidate_params(base, y_train, monotone=monotone, config=config, progress=progress,
                                                 where=" on Dask"):
        booster, iteration, auc = _grow(params, X, y, valid, y_valid, config, client)
        trials.append({"trial": i, **candidate, "best_iteration": iteration, "validation_roc_auc": auc})
        if best is None or auc > best[0]:
            best = (auc, booster, iteration, params)
    _, booster, iteration, params = best
    return SearchResult(_truncated(booster, iteration), {**params, "tree_learner": "data (Dask)"}, pd.DataFrame(trials))


def _grow(params: dict, X, y, valid: np.ndarray, y_valid: np.ndarray, config, client):
    """Train ``num_boost_round`` trees on the cluster; find where early stopping would have stopped."""
    from lightgbm import DaskLGBMClassifier

    model = DaskLGBMClassifier(client=client, n_estimators=config.num_boost_round, **_sklearn_params(params))
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # lightgbm.dask's port notices
        warnings.filterwarnings("ignore", message="Parameter n_jobs will be ignored", category=UserWarning)
        booster = model.fit(X, y).booster_
    curve = validation_curve(booster, valid, y_valid, config.early_stopping_rounds)
    return booster, curve.best_iteration, curve.best_score


def validation_curve(booster, valid: np.ndarray, y_valid: np.ndarray, patience: int) -> EarlyStopping:
    """Walk the booster's trees, scoring validation every 5 trees, until early stopping stops.

    Each step adds only the new trees' raw scores, so the walk costs one prediction of
    the whole booster on the validation period, plus one ROC AUC per 5 trees.
    """
    curve, scores, counted = EarlyStopping(patience), np.zeros(len(valid)), 0
    for end in range(1, booster.num_trees() + 1):
        score = None
        if (end - 1) % AUC_EVERY == 0:
            scores += booster.predict(valid, raw_score=True, start_iteration=counted, num_iteration=end - counted)
            counted, score = end, roc_auc_score(y_valid, scores)
        curve.update(end, score)
        if curve.stopped:
            break
    return curve


class EarlyStopping:
    """LightGBM's early-stopping rule on a validation ROC AUC computed every few trees.

    A tree whose AUC was not computed repeats the last value, and a repeat is never an
    improvement, as with :class:`training._lgbm._SparseAUC`. Training stops once
    ``patience`` trees pass without a strictly better value.
    """

    def __init__(self, patience: int) -> None:
        self.patience, self.best_score, self.best_iteration, self.last, self.stopped = patience, -np.inf, 0, 0.5, False

    def update(self, iteration: int, score: float | None) -> None:
        self.last = self.last if score is None else score
        if self.last > self.best_score:
            self.best_score, self.best_iteration = self.last, iteration
        elif iteration - self.best_iteration >= self.patience:
            self.stopped = True


def _sklearn_params(params: dict) -> dict:
    return {SKLEARN_NAMES.get(k, k): v for k, v in params.items() if k not in WORKER_SET}


def _dask_matrix(X_train: pd.DataFrame, y_train, person, client):
    """Features and label as a Dask dataframe and series, partitions of whole people.

    Each partition (at most ``ROWS_PER_PARTITION`` rows, at least one per worker) is cut,
    converted and sent to the cluster before the next is cut, so this process holds the
    training rows once (as given) plus one partition, never a second copy of the whole
    matrix. Features that are all float32 stay float32 (LightGBM bins the same values);
    others become float64.
    """
    import dask.dataframe as dd

    from features import person_partition

    names = list(X_train.columns)
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    n_parts = max(workers, -(-len(X_train) // ROWS_PER_PARTITION))
    codes = (person_partition(person, n_parts) if person is not None
             else np.arange(len(X_train)) * n_parts // max(len(X_train), 1))
    labels = np.asarray(y_train).astype(np.int64)
    dtype = np.float32 if all(t == np.float32 for t in X_train.dtypes) else np.float64
    futures = []
    for part in range(n_parts):
        rows = np.flatnonzero(codes == part)
        if len(rows):
            futures.append(client.scatter(_piece(X_train, labels, rows, names, dtype), hash=False))
    data = dd.from_delayed(futures, meta=_piece(X_train, labels, rows[:0], names, dtype), verify_meta=False)
    return data[names], data["_label"]


def _piece(X: pd.DataFrame, labels: np.ndarray, rows: np.ndarray, names: list, dtype) -> pd.DataFrame:
    piece = pd.DataFrame(X.iloc[rows].to_numpy(dtype=dtype, na_value=np.nan), columns=names)
    piece["_label"] = labels[rows]
    return piece


def baseline_rows(train: pd.DataFrame, *, most: int = BASELINE_ROWS, random_state: int = 0) -> pd.DataFrame:
    """The training rows the logistic-regression baseline is fitted on with a cluster.

    Up to ``most`` rows all are used; beyond, every row of a random set of people (so a
    person's quarters stay together), about ``most`` rows in all. A logistic regression
    on tens of features is settled long before a million rows, and fitting it on all of
    a region's rows would copy the whole matrix several times in this process.

    Parameters
    ----------
    train : DataFrame
        The training period, with ``person_id``.
    most : int, default=BASELINE_ROWS
    random_state : int, default=0

    Returns
    -------
    DataFrame
    """
    if len(train) <= most:
        return train
    people = pd.unique(train["person_id"].to_numpy())
    rng = np.random.default_rng(random_state)
    chosen = rng.choice(len(people), size=max(1, int(len(people) * most / len(train))), replace=False)
    return train[train["person_id"].isin(people[chosen]).to_numpy()]


def _truncated(booster, iteration: int):
    """A booster holding only the trees up to ``iteration`` (so saved == used)."""
    import lightgbm

    return lightgbm.Booster(model_str=booster.model_to_string(num_iteration=iteration))
