"""From a feature table to a calibrated model and its test-period evaluation: :func:`fit`.

The steps, in order (the test period is only touched in the last one):

1. check the table and split its as-of dates into train, validation and test periods with
   a gap of one horizon between them; print the split dates and the label definition;
2. search LightGBM configurations on train, early-stopped on validation;
3. choose and fit the calibrator on validation (cross-fitted choice);
4. fit the baselines on train (logistic regression; the rule's rates);
5. score the test period once, with person-clustered bootstrap intervals; audit fairness
   there; judge the fit-for-use verdict on the metrics and the audit.

:func:`fit` does all five and touches no tracking store. :func:`training.train_model` runs
steps 1-4 the same way, logs the configuration to MLflow, and only then runs step 5, so
the fit-for-use thresholds are on record before any test-period outcome is read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from features import LabelDefinition
from evaluation._format import jsonable
from riskmodel import band_evidence
from riskmodel._model import RiskModel, library_versions

from ._baselines import RuleBaseline, find_rule, fit_logistic_baseline, predict_logistic_baseline
from ._calibration import choose_calibrator
from ._card import card_blocks, render_html, render_markdown
from ._card_content import CardFacts, format_interval
from ._config import TrainingConfig
from ._distributed import DISTRIBUTED_NOTE, baseline_rows, search_booster_distributed
from ._fairness import FairnessSection, audit_test_period, flag_count
from ._input import LABEL, TrainingData, positives_by_period, prepare_training_data
from ._lgbm import SearchResult, as_matrix, default_threads, search_booster
from ._metrics import evaluate_models, flatten
from ._plots import calibration_plot
from ._progress import Reporter
from ._provenance import code_version
from ._reference import REFERENCE_FILE, training_reference
from ._split import TemporalSplit
from ._verdict import Verdict, judge

UNREGISTERED = "unregistered"
NOT_TRACKED = "not tracked"


@dataclass(frozen=True)
class FitResult:
    """A fitted model and its test-period evaluation, nothing tracked or registered.

    Attributes
    ----------
    model : riskmodel.RiskModel
    metrics : dict
        Flat metric names (``test_roc_auc``, ``baseline_rule_test_roc_auc``, ...), as MLflow
        would record them.
    report : dict
        The same metrics nested by model, with intervals.
    split : TemporalSplit
    verdict : Verdict
        The fit-for-use verdict: ``status``, ``checks`` and ``statements``;
        ``verdict.to_dict()`` is what ``verdict.json`` holds.
    label_definition : features.LabelDefinition
    test_predictions : DataFrame
        The test period in memory only: ``person_id``, ``as_of``, ``label``, ``probability``
        (the model's) and the group columns when available.
    audit : evaluation.AuditResult or None
        The fairness audit of the test period (None without group columns).
    flag_count : int
        Flags in the audit: the highest scores over the test period, ``capacity`` per test
        as-of date on average.
    notes : tuple of str
    card : CardFacts
        What the model card states (see :meth:`model_card`).
    """

    model: RiskModel
    metrics: dict
    report: dict
    split: TemporalSplit
    verdict: Verdict
    label_definition: LabelDefinition
    test_predictions: pd.DataFrame = field(repr=False)
    audit: object
    flag_count: int
    notes: tuple
    card: CardFacts = field(repr=False)

    def model_card(self, format: str = "markdown") -> str:
        """The model card as Markdown or as a self-contained HTML page.

        Parameters
        ----------
        format : {"markdown", "html"}, default="markdown"

        Raises
        ------
        ValueError
            If ``format`` is neither.
        """
        blocks = card_blocks(self.card)
        if format == "markdown":
            return render_markdown(blocks)
        if format == "html":
            return render_html(blocks, title=f"Model card: {self.card.name}")
        raise ValueError(f"The 'format' option must be 'markdown' or 'html'; got {format!r}.")

    def summary(self) -> str:
        """Plain-text summary: split dates, label, headline metrics, verdict."""
        return "\n".join([self._headline(), *self._summary_lines(), *self.notes])

    def _headline(self) -> str:
        return f"Fitted {self.card.name} (not tracked or registered)."

    def _summary_lines(self) -> list[str]:
        m = self.metrics
        return [
            self.split.describe(),
            "Label definition: " + self.label_definition.describe(),
            f"Test ROC AUC {_ci(m, 'test_roc_auc')}; logistic regression {_ci(m, 'baseline_logreg_test_roc_auc')}; "
            f"simple rule {_ci(m, 'baseline_rule_test_roc_auc')}.",
            f"Verdict: {self.verdict.status}. " + " ".join(self.verdict.statements[1:]),
        ]


@dataclass(frozen=True)
class Fitted:
    """What was learned from the train and validation periods; the test period unread.

    Attributes
    ----------
    prepared : TrainingData
    split : TemporalSplit
    period : ndarray
        ``"train"``, ``"validation"``, ``"test"`` or ``"gap"`` for each row of ``prepared.frame``.
    counts : dict
        Rows and rows with the label in each period.
    config : TrainingConfig
    search : SearchResult
    calibrator : IsotonicCalibrator or SigmoidCalibrator
    calibration_scores : dict
        Cross-fitted score of each calibration method tried.
    reference : ndarray
        Calibrated probabilities of the validation period (the 1-20 positions' reference).
    rule : RuleBaseline
    rule_rates : tuple of float or None
        Outcome rates among rows the rule leaves and flags (None without the rule).
    logreg : sklearn.pipeline.Pipeline
    notes : tuple of str
    """

    prepared: TrainingData
    split: TemporalSplit
    period: np.ndarray
    counts: dict
    config: TrainingConfig
    search: SearchResult
    calibrator: object
    calibration_scores: dict
    reference: np.ndarray
    rule: RuleBaseline
    rule_rates: tuple | None
    logreg: object
    notes: tuple

    def rows(self, name: str) -> pd.DataFrame:
        """The rows of one period (``"train"``, ``"validation"`` or ``"test"``)."""
        return self.prepared.frame[self.period == name]

    def group_rows(self, name: str) -> pd.DataFrame | None:
        """The group columns of one period's rows (None without group columns)."""
        groups = self.prepared.groups
        return None if groups is None else groups.loc[self.period == name]


@dataclass(frozen=True)
class TestEvaluation:
    """The test period, sliced and read once.

    Attributes
    ----------
    test : DataFrame
        The test period's rows of the training table.
    flag_count : int
        Flags in the audit: ``capacity`` per test as-of date, pooled.
    probabilities : dict
        ``model``, ``logreg`` and (when the rule is available) ``rule`` probabilities.
    report : dict
        Metrics by model with person-clustered bootstrap intervals, and the lifts.
    fairness : FairnessSection
    verdict : Verdict
    calibration_png : bytes
    predictions : DataFrame
    """

    test: pd.DataFrame
    flag_count: int
    probabilities: dict
    report: dict
    fairness: FairnessSection
    verdict: Verdict
    calibration_png: bytes
    predictions: pd.DataFrame


def fit(data, *, config: TrainingConfig | None = None, groups=None, name: str = "knife-crime-risk",
        progress=None, extract_profile=None, client=None) -> FitResult:
    """Train, calibrate and compare a risk model, and evaluate it on the test period.

    Nothing is tracked, registered or signed: use :func:`training.train_model` for that.
    The result's model scores and explains like a registered one, and
    :meth:`FitResult.model_card` renders its card.

    Parameters
    ----------
    data : features.FeatureSet or DataFrame
        A FeatureSet, or any table with ``person_id``, ``as_of``, ``label`` (0/1, missing
        when unknown) and numeric feature columns.
    config : TrainingConfig, optional
    groups : DataFrame, optional
        Audit group columns with ``person_id`` and ``as_of`` (a FeatureSet brings its own).
    name : str, default="knife-crime-risk"
        The model's name in its metadata and card.
    progress : callable, optional
        Called as ``progress(message)`` or ``progress(message, fraction)``; by default
        messages are printed.
    extract_profile : dict, optional
        Record volumes and code mix of the extracts (``training._reference.extract_profile``),
        stored in the monitoring reference.
    client : dask.distributed.Client, optional
        Train LightGBM on this Dask cluster (``lightgbm.dask``).

    Returns
    -------
    FitResult

    Raises
    ------
    ValueError
        If the table breaks the input contract, the split has too few as-of dates, or a
        period has no positive label.
    """
    say = Reporter(progress)
    prepared = prepare_training_data(data, groups=groups)
    fitted = learn(prepared, config=config or TrainingConfig(), say=say, client=client)
    model = risk_model(fitted, {"name": name})
    evaluation = evaluate(model, fitted, say=say, extract_profile=extract_profile)
    result = fit_result(model, fitted, evaluation)
    say.always(result.summary())
    return result


# --- fitting (train and validation only) ------------------------------------------------


def learn(prepared: TrainingData, *, config: TrainingConfig, say: Reporter, client=None) -> Fitted:
    """Steps 1-4 on a checked table: split it, search, calibrate, fit the baselines."""
    split = TemporalSplit(
        horizon_months=config.horizon_months, validation_fraction=config.validation_fraction,
        test_fraction=config.test_fraction, validation_start=config.validation_start,
        test_start=config.test_start,
    ).fit(prepared.frame["as_of"])
    period = np.asarray(split.assign(prepared.frame["as_of"]))
    counts = positives_by_period(prepared.frame[LABEL].to_numpy(), period)
    _check_counts(counts)
    say.always(split.describe())
    say.always("Label definition: " + prepared.label_definition.describe())
    return _fit(prepared, split, period, counts, config, say, client)


def _fit(prepared: TrainingData, split, period, counts, config: TrainingConfig, say, client) -> Fitted:
    frame, names = prepared.frame, prepared.feature_names
    train, valid = frame[period == "train"], frame[period == "validation"]
    search = _search(prepared, train, valid, config, say, client)
    say.step("Calibrating on the validation period")
    valid_logodds = search.booster.predict(as_matrix(valid[names]), raw_score=True)
    calibrator, calibration_scores = calibrate(valid_logodds, valid, config)
    say.step("Fitting the baselines on the training period")
    rule = find_rule(prepared.registry, names, configured=config.rule_features)
    logreg_rows = train if client is None else baseline_rows(train, random_state=config.random_state)
    notes = [*prepared.notes, *((DISTRIBUTED_NOTE,) if client is not None else ())]
    if len(logreg_rows) < len(train):
        notes.append(f"The logistic-regression baseline was fitted on {len(logreg_rows):,} of the "
                     f"{len(train):,} training rows (every row of a random set of people).")
    return Fitted(
        prepared=prepared, split=split, period=period, counts=counts, config=config, search=search,
        calibrator=calibrator, calibration_scores=calibration_scores, reference=calibrator.predict(valid_logodds),
        rule=rule, rule_rates=rule.fit_rates(train, train[LABEL]) if rule.available else None,
        logreg=fit_logistic_baseline(logreg_rows[names], logreg_rows[LABEL], random_state=config.random_state),
        notes=tuple(notes),
    )


def calibrate(valid_logodds, valid: pd.DataFrame, config: TrainingConfig):
    """The calibrator the configuration chooses on the validation rows, and each method's score."""
    return choose_calibrator(
        valid_logodds, valid[LABEL].to_numpy(), person=valid["person_id"],
        methods=config.calibration_methods, score=config.calibration_score,
        n_folds=config.calibration_folds, random_state=config.random_state,
    )


def _search(prepared: TrainingData, train, valid, config, say, client) -> SearchResult:
    names = prepared.feature_names
    search_on = search_booster
    if client is not None:
        search_on = partial(search_booster_distributed, client=client, person=train["person_id"])
    return search_on(train[names], train[LABEL], valid[names], valid[LABEL],
                     monotone=prepared.registry.monotone_constraints(names), config=config, progress=say.step)


def risk_model(fitted: Fitted, extra: dict) -> RiskModel:
    """The RiskModel artifact of a fit, with its provenance and ``extra`` in the metadata."""
    prepared, config, names = fitted.prepared, fitted.config, fitted.prepared.feature_names
    metadata = {
        "split": fitted.split.to_dict(), "data_fingerprint": prepared.fingerprint,
        "seeds": {"random_state": config.random_state, "lightgbm_seed": config.random_state},
        "num_threads": default_threads(config.num_threads), "library_versions": library_versions(),
        "calibration": {"method": fitted.calibrator.method, "scores": fitted.calibration_scores},
        "reference_population": "calibrated probabilities of the validation period",
        "data_end": prepared.provenance.get("data_end"), "config": config.to_dict(),
        "code_version": code_version(), "created": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        **extra,
    }
    return RiskModel(
        booster=fitted.search.booster, calibrator=fitted.calibrator, feature_names=names,
        feature_dtypes={c: str(prepared.frame[c].dtype) for c in names}, registry=prepared.registry,
        label_definition=prepared.label_definition, training_probabilities=fitted.reference,
        band_thresholds=config.band_thresholds, metadata=metadata,
    )


# --- the test period ----------------------------------------------------------------------


def evaluate(model: RiskModel, fitted: Fitted, *, say: Reporter, extract_profile=None) -> TestEvaluation:
    """Step 5: score the test period once, store its evidence with the model, audit, judge."""
    test, test_groups, config = fitted.rows("test"), fitted.group_rows("test"), fitted.config
    flags = flag_count(test, config)
    say.step("Scoring the test period (bootstrap intervals)")
    probabilities, report = _score_test(model, test, fitted, config)
    model.metadata["band_evidence"] = band_evidence(model, probabilities["model"], test[LABEL].to_numpy())
    model.documents[REFERENCE_FILE] = jsonable(training_reference(
        model, train=fitted.rows("train"), split=fitted.split, report=report,
        horizon_months=config.horizon_months, profile=extract_profile))
    say.step("Auditing fairness on the test period")
    fairness = audit_test_period(test, test_groups, probabilities["model"], config, top_k=flags)
    audit = fairness.audit.to_dict() if fairness.audit is not None else None
    return TestEvaluation(
        test=test, flag_count=flags, probabilities=probabilities, report=report, fairness=fairness,
        verdict=judge(report, config, rule=fitted.rule, audit=audit),
        calibration_png=calibration_plot(test[LABEL].to_numpy(), {k: v for k, v in probabilities.items() if k != "rule"},
                                         title="Calibration on the test period"),
        predictions=_test_predictions(test, test_groups, probabilities["model"]),
    )


def _score_test(model: RiskModel, test, fitted: Fitted, config) -> tuple[dict, dict]:
    """The only use of the test period's labels: probabilities and metrics with intervals."""
    probabilities = _test_probabilities(model, test, fitted)
    report = evaluate_models(
        test[LABEL].to_numpy(), probabilities, person=test["person_id"], as_of=test["as_of"],
        capacities=config.reported_capacities, shares=config.capacity_shares,
        n_boot=config.n_boot, random_state=config.random_state,
    )
    return probabilities, report


def _test_probabilities(model: RiskModel, test, fitted: Fitted) -> dict:
    names = model.feature_names
    probabilities = {"model": model.predict_proba(test[names]),
                     "logreg": predict_logistic_baseline(fitted.logreg, test[names])}
    if fitted.rule.available:
        low, high = fitted.rule_rates
        probabilities["rule"] = np.where(fitted.rule.flag(test) > 0, high, low)
    return probabilities


def _test_predictions(test, test_groups, probability) -> pd.DataFrame:
    frame = test[["person_id", "as_of", LABEL]].reset_index(drop=True).assign(probability=probability)
    if test_groups is not None:
        frame = pd.concat([frame, test_groups.reset_index(drop=True)], axis=1)
    return frame


# --- the result ---------------------------------------------------------------------------


def fit_result(model: RiskModel, fitted: Fitted, evaluation: TestEvaluation) -> FitResult:
    """The public result of a fit, its card facts included."""
    return FitResult(
        model=model, metrics=flatten(evaluation.report), report=evaluation.report, split=fitted.split,
        verdict=evaluation.verdict, label_definition=fitted.prepared.label_definition,
        test_predictions=evaluation.predictions, audit=evaluation.fairness.audit,
        flag_count=evaluation.flag_count, notes=(*fitted.notes, fitted.rule.note),
        card=card_facts(model, fitted, evaluation),
    )


def card_facts(model: RiskModel, fitted: Fitted, evaluation: TestEvaluation) -> CardFacts:
    """What the card states; the version and run read from the model's metadata when registered."""
    prepared, config, search, meta = fitted.prepared, fitted.config, fitted.search, model.metadata
    return CardFacts(
        name=meta["name"], version=meta.get("version", UNREGISTERED), run_id=meta.get("run_id", NOT_TRACKED),
        created=meta["created"], code_version=meta["code_version"], fingerprint=prepared.fingerprint,
        library_versions=meta["library_versions"], config=config, split=fitted.split.to_dict(),
        counts=fitted.counts, registry=prepared.registry, feature_names=prepared.feature_names,
        protected_inputs=tuple((f.name, f.protected, f.justification) for f in prepared.registry.protected),
        notes=fitted.notes, provenance=prepared.provenance, label_definition=prepared.label_definition,
        params=search.params, n_trees=search.booster.num_trees(), trials=search.trials,
        calibration={"method": fitted.calibrator.method, "scores": fitted.calibration_scores,
                     "score": config.calibration_score, "folds": config.calibration_folds},
        report=evaluation.report, rule=fitted.rule, calibration_png=evaluation.calibration_png,
        fairness=evaluation.fairness, verdict=evaluation.verdict,
    )


# --- small helpers ----------------------------------------------------------------------




def _check_counts(counts: dict) -> None:
    empty = [name for name, c in counts.items() if c["positives"] == 0 or c["positives"] == c["rows"]]
    if empty:
        raise ValueError(
            f"The {' and '.join(empty)} period(s) have no rows with the label (or only such rows), so "
            "the model cannot be trained or judged there. Use more as-of dates or a longer span of data."
        )


def _ci(metrics: dict, name: str) -> str:
    return format_interval({"value": metrics.get(name), "ci_low": metrics.get(f"{name}_ci_low"),
                            "ci_high": metrics.get(f"{name}_ci_high")})
