"""Plain-English words the JSON, the report and the transparency record share."""

__all__ = [
    "METRIC_DEFINITIONS", "METRIC_LABELS", "NOTES", "NO_PERSON_NOTE", "custom_definition", "JUDGEMENT_STATEMENT", "POLICING_NOTE",
    "METRIC_GUIDE", "KEY_METRICS",
]

JUDGEMENT_STATEMENT = (
    "Scores support a professional's judgement; they never decide anything. "
    "Every flag is a prompt for a practitioner to look, not a finding about a young person."
)

POLICING_NOTE = (
    "The outcome here is a recorded offence. Recorded offences reflect policing (where and "
    "whom the police stop, search and charge) as well as behaviour, so a difference in base "
    "rates between groups may partly be a difference in how closely each group is policed. "
    "Error rates are measured against recorded outcomes and inherit that bias: a group that "
    "is policed more heavily can look better predicted than it is."
)

METRIC_GUIDE = (
    "Which figures matter depends on what a flag leads to. For voluntary support offers, "
    "look first at the share of young people who are missed (false negative rate) and at who "
    "is offered support (selection rate): a group with a higher miss rate is being left "
    "without help. If scores were ever used to gate anything punitive or intrusive, the false "
    "positive rate and the false discovery rate matter most, because they count young people "
    "wrongly singled out."
)

KEY_METRICS = ("fnr", "selection_rate", "fpr", "fdr")

METRIC_LABELS = {
    "n": "Young people",
    "positives": "With the outcome",
    "base_rate": "Base rate",
    "selection_rate": "Selection rate",
    "tpr": "True positive rate",
    "fpr": "False positive rate",
    "fnr": "False negative rate",
    "ppv": "Precision (PPV)",
    "fdr": "False discovery rate",
    "npv": "Negative predictive value",
    "roc_auc": "ROC AUC",
    "brier": "Brier score",
    "ece": "Calibration error (ECE)",
}

METRIC_DEFINITIONS = {
    "n": "number of young people in the group",
    "positives": "number with the recorded outcome",
    "base_rate": "share of the group with the recorded outcome",
    "selection_rate": "share of the group flagged",
    "tpr": "of those with the outcome, the share flagged",
    "fpr": "of those without the outcome, the share flagged",
    "fnr": "of those with the outcome, the share not flagged (missed)",
    "ppv": "of those flagged, the share with the outcome",
    "fdr": "of those flagged, the share without the outcome",
    "npv": "of those not flagged, the share without the outcome",
    "roc_auc": "chance that a young person with the outcome scores above one without it",
    "brier": "mean squared gap between the score and the outcome (lower is better)",
    "ece": "average gap between predicted and observed rates across score bins (lower is better)",
}

NOTES = [JUDGEMENT_STATEMENT, POLICING_NOTE, METRIC_GUIDE]

NO_PERSON_NOTE = (
    "No person column was given, so each row is counted as a different young person: a young "
    "person on several as-of dates is counted, and resampled, once per date, which makes the "
    "intervals too narrow and can show a group of fewer than the minimum number of young people."
)


def custom_definition(name: str, fn) -> str:
    """The definition printed for a metric the caller supplied."""
    from ._spec import on_score

    target = getattr(fn, "fn", fn)
    function = getattr(target, "__qualname__", None) or type(target).__name__
    on = "the score" if isinstance(fn, on_score) else "the yes/no flags"
    return (f"A metric supplied by the caller ('{name}', computed by {function} on {on}); "
            "its meaning is the caller's definition, not the library's.")
