"""What the model card says: the sections, built as blocks from a training run's facts.

Blocks are tuples: ``("title", text)``, ``("h2", text)``, ``("p", text)``, ``("note", text)``,
``("ul", [items])``, ``("table", header, rows)``, ``("image", png_bytes, caption, filename)``.
No block ever holds an identifier or a record value of a young person: only counts,
rates, metrics and declarations.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from features import FeatureRegistry, LabelDefinition

from ._baselines import RuleBaseline
from ._config import TrainingConfig
from ._metrics import metric_names
from ._verdict import Verdict

DECIDES_NOTHING = ("Scores support a professional's judgement; they never decide anything. A score "
                   "is a prompt to look again at a young person's circumstances and to offer support, "
                   "never a finding about them.")

INTENDED = [
    "Helping local-authority early-help, youth and school safeguarding staff notice 10-18 year olds "
    "who may benefit from an offer of preventative, voluntary support.",
    "Prioritising a limited caseload of such offers, with each score explained and checked against "
    "the records by a professional.",
    "Monitoring and audit by the governance panel (ethics committee, data protection officer, "
    "senior responsible owner).",
]
OUT_OF_SCOPE = [
    "Any decision made by the score alone, or any decision that restricts, sanctions or labels a "
    "young person (arrest, stop and search, exclusion, placement, eligibility for services).",
    "Sharing scores with police or other agencies as intelligence about individuals.",
    "Use outside the authority, period and population (10-18 year olds) the model was trained on, "
    "or after the feature registry or label definition changes without retraining.",
    "Predicting who will be a victim, or any outcome other than the label defined below.",
]
LIMITATIONS = [
    "The label is recorded crime: a knife offence appears only if it was detected, recorded and "
    "dealt with by the youth justice system. Policing is not even across places and groups "
    "(targeted stop and search raises recorded possession offences where it is used), so the "
    "label carries that bias, and so do the scores and the fairness figures that rely on it.",
    "The outcome is rare: most young people with a high score will not be involved in a knife "
    "offence, and some who will are not flagged. Read precision and recall before any threshold.",
    "Performance was measured on a later period than training, but the world keeps changing: "
    "monitor precision and calibration after deployment and retrain when they drift.",
    "Features come from statutory records; a young person with few records (new to the area, "
    "educated at home or privately) is described less fully and may be scored less accurately.",
    "Some inputs (exclusions, social care, youth justice contact) reflect decisions by institutions "
    "as well as a young person's behaviour, and can carry those institutions' biases.",
]
_METRIC_LABELS = {"roc_auc": "ROC AUC", "pr_auc": "PR AUC (average precision)", "brier": "Brier score (lower is better)",
                  "log_loss": "log loss (lower is better)", "calibration_slope": "calibration slope (ideal 1)",
                  "calibration_intercept": "calibration intercept (ideal 0)",
                  "ece": "expected calibration error (ideal 0)"}


@dataclass(frozen=True)
class CardFacts:
    """Everything the model card states about one model, each fact named.

    Attributes
    ----------
    name : str
        The model's (registered) name.
    version : int or str
        The registered version, or ``"unregistered"`` for a model that was only fitted.
    run_id : str
        The MLflow run, or ``"not tracked"``.
    created, code_version, fingerprint : str
        When it was trained (UTC), the git commit of the library, and the SHA-256 of the
        checked feature table.
    library_versions : dict
    config : TrainingConfig
    split : dict
        ``TemporalSplit.to_dict()``: the dates of each period and the gaps.
    counts : dict
        Rows and rows with the label in each period.
    registry : features.FeatureRegistry
    feature_names : list of str
    protected_inputs : tuple
        ``(feature, characteristic, written justification)`` for each protected input.
    notes : tuple of str
    provenance : dict
    label_definition : features.LabelDefinition
    params : dict
        LightGBM parameters of the chosen configuration.
    n_trees : int
    trials : DataFrame
        Every configuration the search tried.
    calibration : dict
        ``method``, cross-fitted ``scores``, the ``score`` that chose and the ``folds``.
    report : dict
        Test-period metrics by model, with intervals.
    rule : RuleBaseline
    calibration_png : bytes
    fairness : FairnessSection
        The audit's card blocks or the reason it did not run.
    verdict : Verdict
    """

    name: str
    version: int | str
    run_id: str
    created: str
    code_version: str
    fingerprint: str
    library_versions: dict
    config: TrainingConfig
    split: dict
    counts: dict
    registry: FeatureRegistry
    feature_names: list
    protected_inputs: tuple
    notes: tuple
    provenance: dict
    label_definition: LabelDefinition
    params: dict
    n_trees: int
    trials: pd.DataFrame
    calibration: dict
    report: dict
    rule: RuleBaseline
    calibration_png: bytes
    fairness: object
    verdict: Verdict


def card_blocks(facts: CardFacts) -> list:
    """All sections of the model card, in reading order."""
    return [
        *_header(facts), *_uses(), *_data(facts), *_label(facts), *_features(facts),
        *_protected(facts), *_model(facts), *_performance(facts), *_calibration(facts),
        *_fairness(facts), *_limitations(facts), *_verdict(facts), ("note", DECIDES_NOTHING),
    ]


def _header(facts) -> list:
    name, version = facts.name, facts.version
    return [
        ("title", f"Model card: {name}, version {version}"),
        ("note", DECIDES_NOTHING),
        ("table", ["item", "value"], [
            ["registered model", f"{name} version {version}"], ["MLflow run", facts.run_id],
            ["trained", facts.created], ["code version", facts.code_version],
            ["data fingerprint (SHA-256 of the checked feature table)", facts.fingerprint],
            ["library versions", ", ".join(f"{k} {v}" for k, v in sorted(facts.library_versions.items()))],
            ["seed", facts.config.random_state],
        ]),
    ]


def _uses() -> list:
    return [("h2", "Intended uses"), ("ul", INTENDED), ("h2", "Out-of-scope uses"), ("ul", OUT_OF_SCOPE)]


def _data(facts) -> list:
    split, counts = facts.split, facts.counts
    rows = []
    for period in ("train", "validation", "test"):
        dates, c = split[f"{period}_dates"], counts[period]
        rate = c["positives"] / c["rows"] if c["rows"] else float("nan")
        rows.append([period, dates[0], dates[-1], len(dates), c["rows"], c["positives"], f"{rate:.2%}"])
    sources = sorted({f.source for f in facts.registry}) or ["a user-provided feature table"]
    blocks = [
        ("h2", "Data sources and dates"),
        ("p", "Sources behind the features: " + ", ".join(sources) + "."),
        ("p", f"One row per young person per as-of date (quarterly); a young person appears at many "
              f"as-of dates. Periods are separated by a gap of {split['horizon_months']} months so "
              "that no label window crosses from one period into the next, and no test-period "
              "outcome informs training."),
        ("table", ["period", "first as-of date", "last as-of date", "as-of dates", "rows",
                   "rows with the label", "label rate"], rows),
    ]
    if split["gap_dates"]:
        blocks.append(("p", "As-of dates left out as gaps: " + ", ".join(split["gap_dates"]) + "."))
    for key, value in sorted(facts.provenance.items()):
        blocks.append(("p", f"{key.replace('_', ' ')}: {value}."))
    if facts.notes:
        blocks.append(("ul", facts.notes))
    return blocks


def _label(facts) -> list:
    label = facts.label_definition
    rows = [[k.replace("_", " "), _plain(v)] for k, v in sorted(label.to_dict().items())]
    return [("h2", "Label definition"), ("p", label.describe()),
            ("p", "The label is what the model learns to predict; a mistake in its definition "
                  "invalidates every figure below, so check it before anything else."),
            ("table", ["field", "value"], rows)]


def _features(facts) -> list:
    registry = {f.name: f for f in facts.registry}
    rows = []
    for name in facts.feature_names:
        f = registry.get(name)
        rows.append([name, f.description, f.concept, f.source, f.window, _direction(f.direction)] if f else
                    [name, "no declaration (user-provided feature)", "", "", "", "none"])
    return [("h2", "Features"),
            ("p", f"{len(rows)} inputs. 'Constraint' is the monotone direction the model is held to."),
            ("table", ["feature", "meaning", "concept", "source", "window", "constraint"], rows)]


def _protected(facts) -> list:
    justified = facts.protected_inputs
    blocks = [("h2", "Protected characteristics")]
    if not justified:
        blocks.append(("p", "No protected characteristic (sex, ethnicity, disability, special "
                            "educational needs) is a model input. Age is an input and is audited by band."))
    for name, characteristic, justification in justified:
        blocks.append(("note", f"The input '{name}' encodes the protected characteristic "
                               f"'{characteristic}'. Written justification: {justification}"))
    return blocks


def _model(facts) -> list:
    params, calibration, trials = facts.params, facts.calibration, facts.trials
    shown = ["num_leaves", "learning_rate", "min_child_samples", "feature_fraction", "neg_bagging_fraction",
             "lambda_l2", "scale_pos_weight"]
    scores = "; ".join(f"{m}: {s:.5f}" for m, s in calibration["scores"].items())
    return [
        ("h2", "Model"),
        ("p", f"LightGBM gradient-boosted trees, {facts.n_trees} trees after early stopping on the "
              f"validation period's ROC AUC; the best of {len(trials)} seeded configurations by "
              "validation ROC AUC. Each tree saw every young person-date with the label but only a "
              "share of those without it (balanced bagging)"
              + (", and positives were up-weighted" if params.get("scale_pos_weight", 1) > 1 else "")
              + "; the calibrator restores true probabilities."),
        ("table", ["setting", "value"], [[k, params[k]] for k in shown if k in params]),
        ("p", f"Calibration: {calibration['method']}, fitted on the validation period and chosen by "
              f"{calibration['score'].replace('_', ' ')} in {calibration['folds']}-fold cross-fitting "
              f"grouped by person (each fold scored by a calibrator fitted on the other folds). "
              f"Cross-fitted scores: {scores}. The test period was not used for any choice."),
    ]


def _performance(facts) -> list:
    report, config, rule = facts.report, facts.config, facts.rule
    models = [m for m in ("model", "logreg", "rule") if m in report]
    header = ["metric (test period)", *(_model_label(m) for m in models)]
    rows = [[_metric_label(m), *(format_interval(report[model][m]) for model in models)]
            for m in metric_names(config.reported_capacities, config.capacity_shares)]
    lifts = [k for k in report if k.startswith("lift_over_")]
    lift_rows = [[_metric_label(m), *(format_interval(report[k][m]) for k in lifts)] for m in report[lifts[0]]] if lifts else []
    return [
        ("h2", "Performance against the baselines"),
        ("p", "All figures are on the test period, which played no part in training, early stopping "
              "or calibration. Brackets give 95% bootstrap intervals, resampling young people (not "
              "rows), since a young person appears at several as-of dates; they reflect the test sample, "
              "not the variation from retraining. ROC AUC, PR AUC, Brier "
              "score, log loss and calibration are pooled over the test as-of dates; precision and "
              "recall at the top K (or top share) are computed per as-of date and averaged."),
        ("p", f"Baselines: a logistic regression on the same features (median imputation, scaling), "
              f"and the simple rule. {rule.note}"),
        ("table", header, rows),
        *([("p", "Lift of the model over each baseline (model minus baseline; above 0 favours the model):"),
           ("table", ["metric", *(_model_label(k.removeprefix('lift_over_')) for k in lifts)], lift_rows)]
          if lifts else []),
    ]


def _calibration(facts) -> list:
    return [("h2", "Calibration"),
            ("image", facts.calibration_png, "Observed rate against predicted probability on the "
             "test period, in tenths of the predictions; the dashed line is perfect calibration.",
             "calibration.png")]


def _fairness(facts) -> list:
    fairness = facts.fairness
    blocks = [("h2", "Fairness audit (test period)")]
    if fairness.blocks:
        return blocks + list(fairness.blocks)
    return blocks + [("note", "FAIRNESS AUDIT NOT INCLUDED: " + (fairness.reason or "no audit was run for this model.")
                      + " The model must not be used before the governance panel has reviewed a fairness audit.")]


def _limitations(facts) -> list:
    return [("h2", "Known limitations"), ("ul", LIMITATIONS)]


def _verdict(facts) -> list:
    verdict = facts.verdict
    rows = [[c["name"], c.get("allowed", c["threshold"]), format_interval(c) if c.get("value") is not None
             else "see the fairness section", c["result"]] for c in verdict.checks]
    return [("h2", f"Fit-for-use verdict: {verdict.status}"), *(("note" if i == 0 else "p", s) for i, s in enumerate(verdict.statements)),
            ("table", ["criterion (threshold set in configuration and logged before the test period was read)",
                       "allowed", "result (95% interval)", "met?"], rows),
            ("p", "A criterion counts as met only when the whole 95% interval lies where it is allowed. "
                  "The fairness criterion reads the audit's own verdicts, which are also judged on "
                  "interval ends: a disparity outside tolerance is not met, and insufficient evidence "
                  "for a group is uncertain, never a pass.")]


# --- formatting ------------------------------------------------------------------------


def format_interval(summary: dict | None) -> str:
    """``"0.955 (0.939 to 0.969)"``; the value alone without an interval; ``"n/a"`` without a value.

    Missing parts may be None or NaN.
    """
    def missing(x) -> bool:
        return x is None or x != x

    if not summary or missing(summary.get("value")):
        return "n/a"
    value, low, high = summary["value"], summary.get("ci_low"), summary.get("ci_high")
    if missing(low) or missing(high):
        return f"{value:.3f}"
    return f"{value:.3f} ({low:.3f} to {high:.3f})"


def _metric_label(name: str) -> str:
    if name in _METRIC_LABELS:
        return _METRIC_LABELS[name]
    kind, _, size = name.partition("_at_")
    size = size.replace("_", ".").replace("pct", "%")
    return f"{kind} at top {size}" + (" per as-of date" if not size.endswith("%") else " of each as-of date")


def _model_label(name: str) -> str:
    return {"model": "model", "logreg": "logistic regression", "rule": "simple rule"}.get(name, name)


def _direction(direction: int) -> str:
    return {1: "never lowers risk", -1: "never raises risk"}.get(direction, "none")


def _plain(value) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_plain(v)}" for k, v in value.items())
    return str(value)
