"""The fit-for-use verdict: test-period results against thresholds set in configuration.

A threshold is *met* only when the whole 95% interval clears it, *not met* when the whole
interval falls short, and *uncertain* otherwise. The criteria are discrimination (ROC AUC,
precision at the caseload, lifts over the simple rule), believability (a test ROC AUC above
what deployed tools reach is a warning sign, so *uncertain* at best), calibration (the
calibration slope inside a declared range, the expected calibration error under a declared
ceiling) and fairness: the test-period audit's false-negative and false-positive rate
disparities, judged by the audit on their interval ends. Any disparity "outside tolerance"
is *not met*; "insufficient evidence" for any group is *uncertain*, never a pass. The model
is "fit for use" only when every criterion is met; any criterion not met makes it "not fit
for use"; anything else is "not shown to be fit for use". The verdict says in plain words
when the model does not beat the simple rule. It informs the governance panel; it does not
replace its decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Verdict:
    """Outcome of the fit-for-use checks.

    Attributes
    ----------
    status : {"fit for use", "not fit for use", "not shown to be fit for use"}
    checks : list of dict
        One per criterion: ``name``, ``threshold`` (a number, a ``[low, high]`` range, or the
        audit's tolerance), ``allowed`` (the rule in words), ``value``, ``ci_low``, ``ci_high``
        (None for the fairness criterion) and ``result`` ("met", "not met", "uncertain").
    statements : list of str
        Plain-English sentences for the model card, including any comparison with the rule.
    """

    status: str
    checks: list = field(default_factory=list)
    statements: list = field(default_factory=list)

    def to_dict(self) -> dict:
        """The verdict as plain data, as ``verdict.json`` holds it."""
        return {"status": self.status, "checks": self.checks, "statements": self.statements}


def judge(report: dict, config, *, rule, audit: dict | None = None) -> Verdict:
    """Compare the test-period metrics in ``report`` and the fairness ``audit`` with the
    configured thresholds.

    Parameters
    ----------
    report : dict
        From ``evaluate_models`` on the test period (``report["model"]`` holds intervals).
    config : TrainingConfig
    rule : SimpleRule
    audit : dict or None, default=None
        ``AuditResult.to_dict()`` of the test-period audit; None when no audit could run,
        which leaves fairness unshown.

    Returns
    -------
    Verdict
    """
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
    plausible = _plausibility_check(report["model"]["roc_auc"], config.max_plausible_roc_auc)
    checks.append(plausible)
    checks += _calibration_checks(report["model"], config)
    fairness, fairness_statements = _fairness_check(audit, config)
    checks.append(fairness)
    results = {c["result"] for c in checks}
    status = ("fit for use" if results == {"met"} else
              "not fit for use" if "not met" in results else "not shown to be fit for use")
    statements = ([_headline(status)] + _plausibility_statements(plausible) + _rule_statements(report, k, rule)
                  + fairness_statements)
    return Verdict(status, checks, statements)


def _plausibility_check(summary: dict, ceiling: float) -> dict:
    """A test ROC AUC above what deployed tools reach is evidence to doubt, so never a pass:
    met when the interval's upper end is at most ``ceiling``, else uncertain."""
    low, high = summary["ci_low"], summary["ci_high"]
    result = "met" if high <= ceiling else "uncertain"
    return {"name": "test ROC AUC believable (not above what deployed tools reach)", "threshold": ceiling,
            "allowed": f"at most {ceiling:g}", "value": summary["value"], "ci_low": low, "ci_high": high,
            "result": _defined(result, low, high)}


def _plausibility_statements(check: dict) -> list[str]:
    if check["result"] == "met":
        return []
    low, high, ceiling = check["ci_low"], check["ci_high"], check["threshold"]
    if _unbounded(low, high):
        shown = f"could not be bounded, so it may be above {ceiling:g}"
    else:
        where = f"above {ceiling:g}" if low > ceiling else f"reaching above {ceiling:g}"
        shown = f"is {check['value']:.3f} (95% interval {low:.3f} to {high:.3f}, {where})"
    return [f"The test ROC AUC {shown}: higher than deployed tools of this kind "
            "reach (about 0.76). That is a WARNING SIGN, NOT A SUCCESS: look for a leak (a feature that records "
            "the outcome, or a record dated after the as-of date) and, on synthetic data, for effects stronger "
            "than the published figures, before relying on any figure in this card."]


def _check(name: str, summary: dict, threshold: float) -> dict:
    low, high = summary["ci_low"], summary["ci_high"]
    result = "met" if low >= threshold else "not met" if high < threshold else "uncertain"
    return {"name": name, "threshold": threshold, "allowed": f"at least {threshold:g}",
            "value": summary["value"], "ci_low": low, "ci_high": high, "result": _defined(result, low, high)}


def _calibration_checks(model: dict, config) -> list[dict]:
    slope, ece = model["calibration_slope"], model["ece"]
    bottom, top = config.calibration_slope_range
    low, high = slope["ci_low"], slope["ci_high"]
    inside = "met" if bottom <= low and high <= top else "not met" if high < bottom or low > top else "uncertain"
    below = "met" if ece["ci_high"] <= config.max_ece else "not met" if ece["ci_low"] > config.max_ece else "uncertain"
    return [
        {"name": "test calibration slope", "threshold": [bottom, top], "allowed": f"{bottom:g} to {top:g}",
         "value": slope["value"], "ci_low": low, "ci_high": high, "result": _defined(inside, low, high)},
        {"name": "test expected calibration error", "threshold": config.max_ece,
         "allowed": f"at most {config.max_ece:g}", "value": ece["value"], "ci_low": ece["ci_low"],
         "ci_high": ece["ci_high"], "result": _defined(below, ece["ci_low"], ece["ci_high"])},
    ]


def _defined(result: str, low, high) -> str:
    """An interval with a missing end (no replicate could compute it) proves nothing."""
    return "uncertain" if _unbounded(low, high) else result


def _unbounded(low, high) -> bool:
    return low is None or high is None or low != low or high != high


def _fairness_check(audit: dict | None, config) -> tuple[dict, list[str]]:
    metrics = " and ".join(_METRIC_WORDS.get(m, m) for m in config.fairness_metrics)
    tolerance = config.fairness_tolerance
    check = {"name": f"fairness: no {metrics} disparity outside tolerance in the test-period audit",
             "threshold": tolerance, "allowed": f"every ratio within {tolerance:g} to {1 / tolerance:.3g}",
             "value": None, "ci_low": None, "ci_high": None}
    if audit is None:
        return ({**check, "result": "uncertain"},
                ["No fairness audit ran on the test period, so the model cannot be shown to be fair enough to use."])
    found = _disparity_verdicts(audit, config.fairness_metrics)
    outside = [f"{where} ({_METRIC_WORDS.get(m, m)})" for where, m, v, _ in found if v == "outside tolerance"]
    unclear = [f"{where} ({_METRIC_WORDS.get(m, m)})" for where, m, v, kind in found
               if v == "insufficient evidence" and kind == "group"]
    check["result"] = "not met" if outside else "uncertain" if unclear or not found else "met"
    check["summary"] = {"outside_tolerance": outside, "insufficient_evidence": unclear}
    return check, _fairness_statements(outside, unclear, metrics)


_METRIC_WORDS = {"fnr": "false-negative rate", "fpr": "false-positive rate", "selection_rate": "selection rate",
                 "tpr": "true-positive rate", "ppv": "precision", "npv": "negative predictive value"}


def _disparity_verdicts(audit: dict, metrics) -> list[tuple[str, str, str, str]]:
    """(group, metric, verdict, "group" or "intersection") for every non-reference comparison."""
    found = []
    for kind, records in (("group", audit.get("groups") or []), ("intersection", audit.get("intersections") or [])):
        for record in records:
            if record.get("reference"):
                continue
            where = (" and ".join(f"{k} = {v}" for k, v in record["attributes"].items())
                     if "attributes" in record else f"{record.get('attribute')} = {record.get('value')}")
            for metric in metrics:
                verdict = ((record.get("disparities") or {}).get(metric) or {}).get("verdict")
                if verdict:
                    found.append((where, metric, verdict, kind))
    return found


def _fairness_statements(outside: list[str], unclear: list[str], metrics: str) -> list[str]:
    sentences = []
    if outside:
        sentences.append(f"The fairness audit found a disparity OUTSIDE TOLERANCE for {len(outside)} "
                         f"comparison(s) against the reference group: {'; '.join(outside[:8])}"
                         f"{'; ...' if len(outside) > 8 else ''}. The model cannot be fit for use "
                         "until the panel has examined and addressed them.")
    if unclear:
        sentences.append(f"The audit has INSUFFICIENT EVIDENCE on the {metrics} of {len(unclear)} "
                         f"group comparison(s): {'; '.join(unclear[:8])}{'; ...' if len(unclear) > 8 else ''}. "
                         "Insufficient evidence is not a pass: fairness for these groups is not shown.")
    if not outside and not unclear:
        sentences.append(f"Every group's {metrics} disparity in the test-period audit is within tolerance.")
    return sentences


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
