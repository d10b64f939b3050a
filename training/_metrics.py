"""Test-period metrics with bootstrap intervals clustered by person, vectorised.

A young person appears at several test as-of dates, so replicates resample *people*
(with replacement) and give each of their rows the person's draw count as a weight: the
same person-clustered bootstrap as the fairness audit (:class:`evaluation.PersonBootstrap`),
here with one stratum. All
models are scored on the same replicates, so the lift of one model over another gets a
paired interval. Each replicate's weights are one row of a matrix; every metric below is
computed for a block of replicates at once.

Definitions
-----------
- ROC AUC, PR AUC (average precision, as scikit-learn), Brier score, log loss, calibration
  slope and intercept: pooled over all test rows.
- Calibration slope: ``b`` in ``logit P(y=1) = a + b * logit(p)``; intercept: ``a`` in
  ``logit P(y=1) = a + logit(p)`` (calibration-in-the-large). Perfect calibration: 1 and 0.
- ROC AUC is :func:`evaluation.roc_auc_replicates`, the library's one ROC AUC.
- Expected calibration error (``ece``): over ten equal-count bins of the predicted
  probability (edges fixed on the test rows by :func:`evaluation.calibration_bins`, as the
  fairness audit bins them), the
  row-weighted mean of ``|mean predicted - observed rate|``. Perfect calibration: 0.
- Precision and recall at top K and top share: computed **per as-of date** (the caseload a
  service could take at one time) and **averaged over the test as-of dates**. Tied scores at
  the cut-off share the remaining places pro rata (the expected value under random
  tie-breaking), which matters for a yes/no rule.
- Intervals: 2.5th and 97.5th percentiles of the replicates, widened where needed to hold
  the estimate (:func:`evaluation.bootstrap_interval`, as the fairness audit's).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from evaluation import PersonBootstrap, bootstrap_interval, calibration_bins, roc_auc_replicates

from ._logit import fit_line, fit_offset, logit

HIGHER_IS_BETTER = ("roc_auc", "pr_auc")
_BLOCK_CELLS = 3_000_000


def metric_names(capacities, shares) -> list[str]:
    """Metric names in report order."""
    names = ["roc_auc", "pr_auc", "brier", "log_loss", "calibration_slope", "calibration_intercept", "ece"]
    for label in [*map(str, capacities), *(_share_label(s) for s in shares)]:
        names += [f"precision_at_{label}", f"recall_at_{label}"]
    return names


def evaluate_models(y_true, models: dict, *, person, as_of, capacities=(50, 100, 200),
                    shares=(0.01, 0.05), n_boot=500, random_state=0) -> dict:
    """Metrics with clustered-bootstrap intervals for several models on the same rows.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        0/1 outcomes.
    models : dict
        Model name to its calibrated probabilities (array of shape (n_samples,)). The first
        model is the one whose lift over each other model is reported.
    person, as_of : array-like of shape (n_samples,)
        Cluster (person) and as-of date of each row.
    capacities, shares : tuple
        Top-K sizes and top shares, applied per as-of date.
    n_boot : int, default=500
    random_state : int, default=0

    Returns
    -------
    dict
        ``{model: {metric: {"value", "ci_low", "ci_high"}}}`` plus, for each other model
        ``m``, ``"lift_over_" + m``: the first model minus ``m`` for ranking, precision and
        recall metrics.

    Examples
    --------
    >>> y = np.array([0, 0, 1, 0, 1, 0, 0, 1])
    >>> p = np.array([0.1, 0.2, 0.8, 0.3, 0.6, 0.1, 0.4, 0.35])
    >>> report = evaluate_models(y, {"model": p}, person=np.arange(8), as_of=np.zeros(8),
    ...                          capacities=(2,), shares=(), n_boot=20)
    >>> round(report["model"]["roc_auc"]["value"], 3), report["model"]["precision_at_2"]["value"]
    (0.933, 1.0)
    """
    y = np.asarray(y_true, dtype=float)
    prepared = {name: _Prepared(np.asarray(p, dtype=float), y, as_of) for name, p in models.items()}
    point = {name: _all_metrics(np.ones((1, len(y))), prep, capacities, shares) for name, prep in prepared.items()}
    replicates = _bootstrap(prepared, person, len(y), capacities, shares, n_boot, random_state)
    report = {name: _summarise(point[name], replicates[name]) for name in models}
    first, *others = list(models)
    for other in others:
        report[f"lift_over_{other}"] = _lift(point, replicates, first, other)
    return report


def flatten(report: dict) -> dict:
    """MLflow metric names: ``test_*`` for the first model, ``baseline_<name>_test_*``, ``lift_over_<name>_test_*``."""
    first = next(iter(report))
    flat = {}
    for name, metrics in report.items():
        prefix = "test_" if name == first else (
            f"{name}_test_" if name.startswith("lift_over_") else f"baseline_{name}_test_")
        for metric, summary in metrics.items():
            flat[prefix + metric] = summary["value"]
            flat[prefix + metric + "_ci_low"] = summary["ci_low"]
            flat[prefix + metric + "_ci_high"] = summary["ci_high"]
    return flat


# --- preparation: sort once per model ----------------------------------------------------


class _Prepared:
    """A model's rows sorted by descending score, overall and within each as-of date."""

    def __init__(self, p: np.ndarray, y: np.ndarray, as_of) -> None:
        self.p, self.y = p, y
        self.z_values, self.z_columns = _compressed(logit(p), y)
        self.ece_columns = _bins(p, y)
        self.overall = _order(p, np.arange(len(p)))
        dates = pd.factorize(pd.Series(as_of))[0]
        self.by_date = [_order(p, np.flatnonzero(dates == d)) for d in range(dates.max() + 1)]


def _compressed(z: np.ndarray, y: np.ndarray):
    """Distinct log-odds (rounded to 0.01 when there are many) and a row-to-cell indicator.

    Calibration fits then run on ``W @ columns`` (weights per distinct value and outcome)
    instead of on every row: exact for isotonic and rule scores, which take few values.
    """
    from scipy.sparse import csr_matrix

    if np.unique(z).size > 4096:
        z = np.round(z, 2)
    values, cell = np.unique(z, return_inverse=True)
    column = cell + len(values) * y.astype(int)
    columns = csr_matrix((np.ones(len(z)), (np.arange(len(z)), column)), shape=(len(z), 2 * len(values)))
    return values, columns


def _bins(p: np.ndarray, y: np.ndarray):
    """Row-to-bin sums of (prediction minus outcome) over the calibration bins:
    ``W @ columns`` is each bin's weighted sum of ``p - y``."""
    from scipy.sparse import csr_matrix

    edges, codes = calibration_bins(p)
    n_bins = max(len(edges) - 1, 1)
    return csr_matrix((p - y, (np.arange(len(p)), codes)), shape=(len(p), n_bins))


def _order(p: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rows = rows[np.argsort(-p[rows], kind="stable")]
    ends = np.r_[np.flatnonzero(np.diff(p[rows])), len(rows) - 1]
    return rows, ends


def _cumulative(W: np.ndarray, y: np.ndarray, order) -> tuple[np.ndarray, np.ndarray]:
    rows, ends = order
    Ws, ys = W[:, rows], y[rows]
    tp = np.cumsum(Ws * ys, axis=1)[:, ends]
    total = np.cumsum(Ws, axis=1)[:, ends]
    return tp, total - tp


# --- metrics for a block of weightings ----------------------------------------------------


def _all_metrics(W: np.ndarray, prep: _Prepared, capacities, shares) -> dict:
    tp, fp = _cumulative(W, prep.y, prep.overall)
    values = {"roc_auc": roc_auc_replicates(prep.y, prep.p, W), "pr_auc": _average_precision(tp, fp)}
    values.update(_losses(W, prep))
    per_date = [_cumulative(W, prep.y, order) for order in prep.by_date]
    for k in capacities:
        values.update(_at_top(per_date, str(k), lambda total, k=k: np.full(total.shape, float(k))))
    for share in shares:
        values.update(_at_top(per_date, _share_label(share), lambda total, s=share: s * total))
    return values


def _average_precision(tp: np.ndarray, fp: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        recall = np.c_[np.zeros(len(tp)), tp] / tp[:, -1:]
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
    return (np.diff(recall, axis=1) * precision).sum(1)


def _losses(W: np.ndarray, prep: _Prepared) -> dict:
    p = np.clip(prep.p, 1e-15, 1 - 1e-15)
    weight = W.sum(1)
    brier = W @ (p - prep.y) ** 2 / weight
    log_loss = W @ -(prep.y * np.log(p) + (1 - prep.y) * np.log1p(-p)) / weight
    cells = np.asarray(W @ prep.z_columns)
    z = np.r_[prep.z_values, prep.z_values]
    y = np.r_[np.zeros(len(prep.z_values)), np.ones(len(prep.z_values))]
    if len(prep.z_values) < 2:
        slope = np.full(len(W), np.nan)
    else:
        slope = fit_line(cells, y, z)[1]
    ece = np.abs(np.asarray(prep.ece_columns.T @ W.T).T).sum(1) / weight
    return {"brier": brier, "log_loss": log_loss, "calibration_slope": slope,
            "calibration_intercept": fit_offset(cells, y, z), "ece": ece}


def _at_top(per_date, label: str, size) -> dict:
    precisions, recalls = [], []
    for tp, fp in per_date:
        total = tp[:, -1] + fp[:, -1]
        k = size(total)
        hits = _hits_at(tp, tp + fp, k)
        with np.errstate(invalid="ignore", divide="ignore"):
            precisions.append(hits / np.minimum(k, total))
            recalls.append(hits / tp[:, -1])
    with np.errstate(invalid="ignore"), _quiet_nan_mean():
        return {f"precision_at_{label}": np.nanmean(precisions, axis=0),
                f"recall_at_{label}": np.nanmean(recalls, axis=0)}


def _hits_at(tp: np.ndarray, taken: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Expected positives among the top ``k`` (ties at the cut-off shared pro rata)."""
    rows = np.arange(len(tp))
    j = (taken < k[:, None]).sum(1)
    last = np.minimum(j, tp.shape[1] - 1)
    prev_taken = np.where(j > 0, taken[rows, np.maximum(j - 1, 0)], 0.0)
    prev_tp = np.where(j > 0, tp[rows, np.maximum(j - 1, 0)], 0.0)
    group = taken[rows, last] - prev_taken
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.clip(np.where(group > 0, (k - prev_taken) / group, 0.0), 0.0, 1.0)
    hits = prev_tp + fraction * (tp[rows, last] - prev_tp)
    return np.where(j >= tp.shape[1], tp[:, -1], hits)


# --- bootstrap and summaries ---------------------------------------------------------------


def _bootstrap(prepared, person, n, capacities, shares, n_boot, random_state) -> dict:
    resampler = PersonBootstrap(n, person=np.asarray(person))
    rng = np.random.default_rng(random_state)
    block = max(1, _BLOCK_CELLS // max(n, 1))
    collected = {name: [] for name in prepared}
    for start in range(0, n_boot, block):
        W = resampler.weights(min(block, n_boot - start), rng).astype(float)
        for name, prep in prepared.items():
            collected[name].append(_all_metrics(W, prep, capacities, shares))
    return {name: {m: np.concatenate([c[m] for c in chunks]) for m in chunks[0]}
            for name, chunks in collected.items()}


def _summarise(point: dict, replicates: dict) -> dict:
    return {metric: _interval(point[metric][0], replicates[metric]) for metric in point}


def _lift(point, replicates, first, other) -> dict:
    lifted = [m for m in point[first] if m in HIGHER_IS_BETTER or m.startswith(("precision_at", "recall_at"))]
    return {
        m: _interval(point[first][m][0] - point[other][m][0], replicates[first][m] - replicates[other][m])
        for m in lifted
    }


def _interval(value: float, samples: np.ndarray) -> dict:
    low, high = bootstrap_interval(samples[np.isfinite(samples)], float(value))
    return {"value": float(value), "ci_low": float(low), "ci_high": float(high)}


def _share_label(share: float) -> str:
    return f"{share * 100:g}pct".replace(".", "_")


class _quiet_nan_mean:
    """Silence numpy's 'mean of empty slice' when a replicate has no positives on a date."""

    def __enter__(self):
        import warnings

        self._catch = warnings.catch_warnings()
        self._catch.__enter__()
        warnings.simplefilter("ignore", RuntimeWarning)

    def __exit__(self, *exc):
        return self._catch.__exit__(*exc)
