"""Mitigation options for a fairness disparity, side by side, for a governance panel.

:func:`compare_mitigations` trains and audits, on the same temporal split as training:

- ``as_trained``: the model as :func:`training.train_model` fits it (search, calibration);
- ``without_proxies``: the same LightGBM settings without the inputs the registry marks
  ``proxy`` (area, deprivation, free school meals), where any are present;
- ``equalized_odds``: fairlearn's ``ExponentiatedGradient`` reduction with the
  ``EqualizedOdds`` constraint across a chosen attribute, LightGBM as the estimator, then
  calibrated on the validation period like the model;
- ``fnr_thresholds``: fairlearn's ``ThresholdOptimizer`` on the calibrated model, fitted on
  the validation period, with per-group thresholds equalising the false-negative rate.

For each: ROC AUC, precision and recall at the caseload (``capacity`` per test as-of date,
pooled as in the card's fairness audit), per-group FNR, FPR and selection rate with
bootstrap intervals, and how many young people's band or flag would change against the
model as trained. Nothing is applied: the output is the trade-off, for the panel to decide.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from ._config import TrainingConfig
from ._fairness import flag_count
from ._fit import calibrate, learn, risk_model
from ._input import LABEL, prepare_training_data
from ._lgbm import as_matrix
from ._progress import Reporter

VARIANTS = ("as_trained", "without_proxies", "equalized_odds", "fnr_thresholds")
LABELS = {
    "as_trained": "The model as trained",
    "without_proxies": "Without proxy-prone inputs",
    "equalized_odds": "Reweighted for equalised odds (fairlearn ExponentiatedGradient)",
    "fnr_thresholds": "Per-group thresholds equalising the miss rate (fairlearn ThresholdOptimizer)",
}
EQUALITY_ACT_WARNING = (
    "Per-group thresholds treat young people differently because of the group they belong to. Where "
    "that group is a protected characteristic (such as race, sex or disability), this may be unlawful "
    "direct discrimination under the Equality Act 2010 (section 13), whatever the intention. Do not "
    "adopt this option without legal advice."
)
GROUP_METRICS = ("fnr", "fpr", "selection_rate")
EG_MAX_ITER = 15


@dataclass(frozen=True)
class MitigationResult:
    """The comparison: ``payload`` is the JSON-ready structure of ``mitigation.json``."""

    payload: dict

    @property
    def choices(self) -> list[str]:
        """The variant names a panel can record (``--record CHOICE``)."""
        return [v["name"] for v in self.payload["variants"] if v.get("available", True)]


def compare_mitigations(data, *, attribute: str = "ethnicity_group", config: TrainingConfig | None = None,
                        groups=None, progress=None) -> MitigationResult:
    """Train and audit the mitigation options on the model's temporal split.

    Parameters
    ----------
    data : features.FeatureSet or DataFrame
        As for :func:`training.train_model`.
    attribute : str, default="ethnicity_group"
        The group column the reductions and thresholds are fair across.
    config : TrainingConfig, optional
    groups : DataFrame, optional
        Group columns when ``data`` is a plain table.
    progress : callable, optional

    Returns
    -------
    MitigationResult

    Raises
    ------
    ValueError
        If ``attribute`` is not one of the group columns, or the data breaks the input contract.
    """
    config = config or TrainingConfig()
    say = Reporter(progress)
    prepared = prepare_training_data(data, groups=groups)
    sensitive = _sensitive(prepared, attribute)
    fitted = learn(prepared, config=config, say=say)
    split, model = fitted.split, risk_model(fitted, {})
    parts = _Parts(sensitive, model, fitted)
    parts.attribute = attribute
    say.step("Mitigation: without proxy-prone inputs")
    scores = {"as_trained": model.predict_proba(parts.test[model.feature_names]),
              "without_proxies": _without_proxies(parts)}
    say.step("Mitigation: reweighting for equalised odds")
    scores["equalized_odds"] = _equalized_odds(parts)
    say.step("Mitigation: per-group thresholds")
    flags_to = _threshold_optimizer(parts)
    say.step("Mitigation: auditing each option")
    return MitigationResult(_payload(parts, split, scores, flags_to, attribute))


# --- the pieces --------------------------------------------------------------------------


class _Parts:
    """The split's frames and the as-trained model, named once."""

    def __init__(self, sensitive, model, fitted):
        prepared, period = fitted.prepared, fitted.period
        self.prepared, self.config, self.model, self.fitted = prepared, fitted.config, model, fitted
        self.train, self.valid, self.test = (fitted.rows(p) for p in ("train", "validation", "test"))
        self.s_train, self.s_valid, self.s_test = (sensitive[period == p] for p in ("train", "validation", "test"))
        self.names = model.feature_names
        self.proxies = [f.name for f in prepared.registry if getattr(f, "proxy", None) and f.name in self.names]
        self.top_k = flag_count(self.test, fitted.config)


def _sensitive(prepared, attribute: str) -> np.ndarray:
    if prepared.groups is None or attribute not in prepared.groups.columns:
        available = [] if prepared.groups is None else list(prepared.groups.columns)
        shown = ", ".join(c for c in available if c not in ("person_id", "as_of")) or "none"
        raise ValueError(
            f"The '--attribute' option names '{attribute}', which is not a group column of the data; "
            f"available: {shown}."
        )
    return prepared.groups[attribute].astype("string").fillna("not recorded").to_numpy(dtype=object)


def _lgbm_settings(parts) -> dict:
    params = dict(parts.fitted.search.params)
    params.pop("metric", None)
    return params


def _without_proxies(parts) -> np.ndarray | None:
    if not parts.proxies:
        return None
    import lightgbm

    kept = [n for n in parts.names if n not in parts.proxies]
    params = _lgbm_settings(parts)
    params["monotone_constraints"] = parts.prepared.registry.monotone_constraints(kept)
    booster = lightgbm.train(params, lightgbm.Dataset(as_matrix(parts.train[kept]), label=parts.train[LABEL].to_numpy()),
                             num_boost_round=parts.fitted.search.booster.num_trees())
    return _calibrated(parts, booster.predict(as_matrix(parts.valid[kept]), raw_score=True),
                       booster.predict(as_matrix(parts.test[kept]), raw_score=True))


def _equalized_odds(parts) -> np.ndarray:
    from fairlearn.reductions import EqualizedOdds, ExponentiatedGradient
    from lightgbm import LGBMClassifier

    params = _lgbm_settings(parts)
    rounds = parts.fitted.search.booster.num_trees()
    estimator = LGBMClassifier(n_estimators=rounds, **params)
    reduction = ExponentiatedGradient(estimator, constraints=EqualizedOdds(), max_iter=EG_MAX_ITER)
    reduction.fit(as_matrix(parts.train[parts.names]), parts.train[LABEL].to_numpy(dtype=int),
                  sensitive_features=parts.s_train)

    def logodds(frame):
        p = np.clip(reduction._pmf_predict(as_matrix(frame[parts.names]))[:, 1], 1e-6, 1 - 1e-6)
        return np.log(p / (1 - p))

    return _calibrated(parts, logodds(parts.valid), logodds(parts.test))


def _calibrated(parts, valid_logodds, test_logodds) -> np.ndarray:
    calibrator, _ = calibrate(valid_logodds, parts.valid, parts.config)
    return calibrator.predict(test_logodds)


def _threshold_optimizer(parts) -> np.ndarray:
    from fairlearn.postprocessing import ThresholdOptimizer

    optimizer = ThresholdOptimizer(estimator=_Calibrated(parts.model), constraints="false_negative_rate_parity",
                                   objective="balanced_accuracy_score", prefit=True, predict_method="predict_proba")
    y_valid = parts.valid[LABEL].to_numpy(dtype=int)
    s_valid, s_test = _pooled_groups(parts.s_valid, y_valid, parts.s_test)
    optimizer.fit(parts.valid[parts.names], y_valid, sensitive_features=s_valid)
    return np.asarray(optimizer.predict(parts.test[parts.names], sensitive_features=s_test,
                                        random_state=parts.config.random_state), dtype=int)


POOLED = "groups with too few outcomes (pooled)"


def _pooled_groups(s_valid: np.ndarray, y_valid: np.ndarray, s_test: np.ndarray):
    """Pool groups whose validation rows are all one outcome (no threshold can be fitted for
    them), and test groups never seen in validation, into one group."""
    frame = pd.DataFrame({"group": s_valid, "y": y_valid})
    counts = frame.groupby("group")["y"].agg(["sum", "size"])
    fit = set(counts.index[(counts["sum"] > 0) & (counts["sum"] < counts["size"])])
    pooled_valid = np.where(pd.Series(s_valid).isin(fit), s_valid, POOLED)
    pooled_test = np.where(pd.Series(s_test).isin(fit), s_test, POOLED)
    rest = y_valid[pooled_valid == POOLED]
    if len(rest) and (rest.min() == rest.max()):
        largest = counts.loc[list(fit), "size"].idxmax() if fit else None
        if largest is None:
            raise ValueError("No group has both outcomes in the validation period, so per-group thresholds "
                             "cannot be fitted; use a longer span of data or another '--attribute'.")
        pooled_valid = np.where(pooled_valid == POOLED, largest, pooled_valid)
        pooled_test = np.where(pooled_test == POOLED, largest, pooled_test)
    return pooled_valid, pooled_test


class _Calibrated(ClassifierMixin, BaseEstimator):
    """The fitted model as a scikit-learn classifier (for ThresholdOptimizer with ``prefit``)."""

    def __init__(self, model=None):
        self.model = model

    def fit(self, X, y=None, **kwargs):
        return self

    @property
    def classes_(self):
        return np.array([0, 1])

    def predict_proba(self, X):
        p = self.model.predict_proba(pd.DataFrame(X, columns=self.model.feature_names))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

    def __sklearn_is_fitted__(self):
        return self.model is not None


# --- the audit of each option -------------------------------------------------------------


def _payload(parts, split, scores: dict, flags_to: np.ndarray, attribute: str) -> dict:
    y = parts.test[LABEL].to_numpy(dtype=int)
    base_flags = _top_k(scores["as_trained"], parts.top_k)
    base_bands = parts.model.band(scores["as_trained"])
    variants = []
    for name in VARIANTS:
        if name == "fnr_thresholds":
            variants.append(_variant(parts, name, y, None, flags_to, base_flags, None))
        elif scores.get(name) is None:
            variants.append({"name": name, "label": LABELS[name], "available": False,
                             "note": "The registry marks no input of this model as proxy-prone (area, deprivation, "
                                     "free school meals), so this option is the model as trained."})
        else:
            flags = _top_k(scores[name], parts.top_k)
            variants.append(_variant(parts, name, y, scores[name], flags, base_flags, base_bands))
    return {"attribute": attribute, "caseload": {"per_as_of": parts.config.capacity, "pooled": parts.top_k},
            "split": split.to_dict(), "rows": int(len(y)), "positives": int(y.sum()), "proxies": parts.proxies,
            "variants": variants, "warning": EQUALITY_ACT_WARNING,
            "note": "Nothing here is applied. The panel chooses; 'riskmodel mitigate --record CHOICE' records "
                    "the choice with the model version."}


def _variant(parts, name, y, score, flags, base_flags, base_bands) -> dict:
    from evaluation import audit_scores

    from ._metrics import evaluate_models

    n_boot = parts.config.audit_n_boot
    audit = audit_scores(y, y_pred=flags, sensitive_features=pd.DataFrame({parts.attribute: parts.s_test}),
                         person=parts.test["person_id"].to_numpy(), n_boot=n_boot, random_state=parts.config.random_state).to_dict()
    ranking = score if score is not None else flags.astype(float)
    auc = evaluate_models(y, {"m": ranking}, person=parts.test["person_id"], as_of=parts.test["as_of"],
                          capacities=(), shares=(), n_boot=n_boot, random_state=parts.config.random_state)["m"]["roc_auc"]
    overall = audit["overall"]["metrics"]
    record = {"name": name, "label": LABELS[name], "available": True, "roc_auc": auc,
              "flagged": int(flags.sum()), "precision": overall.get("ppv"), "recall": overall.get("tpr"),
              "groups": [_group(g) for g in audit["groups"]],
              "flag_changes": int(np.sum(flags != base_flags)),
              "band_changes": None if score is None else int(np.sum(parts.model.band(score) != base_bands))}
    if name == "fnr_thresholds":
        record["warning"] = EQUALITY_ACT_WARNING
        record["note"] = ("Flags are the optimiser's own (balanced accuracy under equal miss rates), not the "
                          "caseload; ROC AUC is of the yes/no flags. Bands are unchanged: only the flag rule differs. "
                          "Groups whose validation rows held only one outcome share a pooled threshold.")
    return record


def _group(record: dict) -> dict:
    metrics = {} if record["suppressed"] else {k: record["metrics"].get(k) for k in GROUP_METRICS}
    return {"group": record["value"], "n": record["n_display"], "suppressed": record["suppressed"], "metrics": metrics}


def _top_k(score: np.ndarray, k: int) -> np.ndarray:
    flags = np.zeros(len(score), dtype=int)
    flags[np.argsort(-np.asarray(score), kind="stable")[:k]] = 1
    return flags
