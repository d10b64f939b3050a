"""The fit-for-use verdict: test-period results against thresholds set in configuration.

A threshold is *met* only when the whole 95% interval clears it, *not met* when the whole
interval falls short, and *uncertain* otherwise. The model is "fit for use" only when every
threshold is met; any threshold not met makes it "not fit for use"; anything else is
"not shown to be fit for use". The verdict says in plain words when the model does not beat
the simple rule. It informs the governance panel; it does not replace its decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Verdict:
    """Outcome of the fit-for-use checks.

    Attributes
    ----------
    status : {"fit for use", "not fit for use", "not shown to be fit for use"}
    checks : list of dict
        One per threshold: ``name``, ``threshold``, ``value``, ``ci_low``, ``ci_high``, ``result``.
    statements : list of str
        Plain-English sentences for the model card, including any comparison with the rule.
    """

    status: str
    checks: list = field(default_factory=list)
    statements: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"status": self.status, "checks": self.checks, "statements": self.statements}


def judge(report: dict, config, *, rule) -> Verdict:
    """Compare the test-period metrics in ``report`` with the configured thresholds."""
    k = config.capacity
    wanted = [("test ROC AUC", report["model"]["roc_auc"], config.min_roc_auc),
              (f"test precision at top {k} per as-of date", report["model"][f"precision_at_{k}"],
               config.min_precision_at_capacity)]
    if rule.available:
        wanted.append(("ROC AUC lift over the simple rule", report["lift_over_rule"]["roc_auc"],
                       config.min_auc_lift_over_rule))
        wanted.append((f"precision at top {k} lift over the simple rule",
                       report["lift_over_rule"][f"precision_at_{k}"], config.min_precision_lift_over_rule))
    checks = [_check(name, summary, threshold) for name, summary, threshold in wanted]
    results = {c["result"] for c in checks}
    status = ("fit for use" if results == {"met"} else
              "not fit for use" if "not met" in results else "not shown to be fit for use")
    statements = [_headline(status)] + _rule_statements(report, k, rule)
    return Verdict(status, checks, statements)


def _check(name: str, summary: dict, threshold: float) -> dict:
    low, high = summary["ci_low"], summary["ci_high"]
    result = "met" if low >= threshold else "not met" if high < threshold else "uncertain"
    return {"name": name, "threshold": threshold, "value": summary["value"], "ci_low": low,
            "ci_high": high, "result": result}


def _headline(status: str) -> str:
    if status == "fit for use":
        return ("The model met every fit-for-use threshold set in configuration. The governance "
                "panel still decides whether and how it is used.")
    if status == "not fit for use":
        return ("The model is NOT fit for use: at least one threshold set in configuration was "
                "clearly not met on the test period.")
    return ("The model is NOT SHOWN to be fit for use: the test-period evidence is too uncertain "
            "to say it meets every threshold set in configuration.")


def _rule_statements(report: dict, k: int, rule) -> list[str]:
    if not rule.available:
        return ["The simple rule could not be compared (its features are not in the table), so "
                "the model has not been shown to improve on it."]
    lifts = {"ROC AUC": report["lift_over_rule"]["roc_auc"],
             f"precision at top {k}": report["lift_over_rule"][f"precision_at_{k}"]}
    better = [name for name, s in lifts.items() if s["ci_low"] > 0]
    worse = [name for name, s in lifts.items() if s["ci_high"] <= 0]
    unclear = [name for name in lifts if name not in better and name not in worse]
    if len(better) == len(lifts):
        return [f"The model beats the simple rule ({rule.description}) on {' and '.join(better)}."]
    sentences = []
    if worse:
        sentences.append(f"The model does NOT beat the simple rule ({rule.description}) on "
                         f"{' or '.join(worse)}: a practitioner using the rule "
                         "would do as well or better.")
    if unclear:
        sentences.append(f"The model has not been shown to beat the simple rule on {' or '.join(unclear)}: "
                         "the interval of its lift over the rule includes no improvement.")
    if better:
        sentences.append(f"It does beat the rule on {' and '.join(better)}.")
    return sentences
