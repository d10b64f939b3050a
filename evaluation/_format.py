"""Number formatting and plain-language sentences shared by the report pages."""

from __future__ import annotations

import math
from collections import Counter

from ._disparities import INSUFFICIENT, OUTSIDE, WITHIN
from ._text import KEY_METRICS, METRIC_LABELS

__all__ = ["fmt_value", "fmt_interval", "fmt_ratio", "verdict_summary", "overall_sentence", "jsonable"]

_COUNTS = {"n", "positives"}
_SCORES = {"roc_auc", "brier", "ece"}
_DIRECTION = {
    "fnr": ("misses a larger share of", "misses a smaller share of"),
    "selection_rate": ("flags a larger share of", "flags a smaller share of"),
    "fpr": ("wrongly flags a larger share of", "wrongly flags a smaller share of"),
    "fdr": ("is more often wrong when it flags", "is less often wrong when it flags"),
}


def fmt_value(metric: str, value) -> str:
    """Format one metric value: counts as integers, rates as percentages."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if metric in _COUNTS:
        return f"{int(round(value)):,}"
    if metric in _SCORES or metric not in METRIC_LABELS:  # a caller's metric: scale unknown
        return f"{value:.3f}"
    return f"{100 * value:.1f}%"


def fmt_interval(metric: str, entry: dict | None) -> str:
    """Format ``{"value","ci_low","ci_high"}`` as 'value (low to high)'."""
    if not entry or entry.get("value") is None:
        return "withheld or undefined"
    if metric == "n":
        return fmt_value(metric, entry["value"])
    low, high = entry.get("ci_low"), entry.get("ci_high")
    if low is None or high is None:
        return fmt_value(metric, entry["value"])
    return f"{fmt_value(metric, entry['value'])} ({fmt_value(metric, low)} to {fmt_value(metric, high)})"


def fmt_ratio(entry: dict | None) -> str:
    """Format a disparity's ratio and interval."""
    if not entry or entry.get("ratio") is None:
        return "–"
    low, high = entry.get("ci_low"), entry.get("ci_high")
    low_t = "–" if low is None else f"{low:.2f}"
    high_t = "no upper limit" if high is None else f"{high:.2f}"
    return f"{entry['ratio']:.2f} ({low_t} to {high_t})"


def verdict_summary(payload: dict, *, metrics=KEY_METRICS) -> dict:
    """Count verdicts on the key metrics and write a sentence per finding outside tolerance."""
    refs = _reference_records(payload["groups"])
    counts, findings, unclear = Counter(), [], []
    for record in payload["groups"]:
        if record["reference"]:
            continue
        for metric in metrics:
            entry = record["disparities"].get(metric)
            if entry is None:
                continue
            counts["withheld" if record["suppressed"] else entry["verdict"]] += 1
            ref = refs.get(record["attribute"])
            if entry["verdict"] == OUTSIDE:
                findings.append(_finding(record, ref, metric, entry))
            elif entry["verdict"] == INSUFFICIENT and not record["suppressed"]:
                unclear.append(f"{record['attribute']} = {record['value']}: {METRIC_LABELS[metric]}")
    cross = Counter(
        entry["verdict"]
        for record in payload["intersections"] if not record["reference"]
        for metric, entry in record["disparities"].items() if metric in metrics
    )
    return {"counts": {v: counts.get(v, 0) for v in (OUTSIDE, INSUFFICIENT, WITHIN, "withheld")},
            "findings": findings, "unclear": unclear,
            "intersections": {v: cross.get(v, 0) for v in (OUTSIDE, INSUFFICIENT, WITHIN)},
            "headline": _headline(counts)}


def _headline(counts: Counter) -> str:
    if counts.get(OUTSIDE):
        return (f"{counts[OUTSIDE]} comparison(s) on the key measures are outside tolerance: "
                "the model treats some groups measurably differently. See the findings below.")
    if counts.get(INSUFFICIENT):
        return ("No comparison on the key measures was shown to be outside tolerance, but "
                f"{counts[INSUFFICIENT]} could not be settled (insufficient evidence). That is "
                "not evidence of fairness: the panel should treat those groups as unexamined.")
    if counts.get(WITHIN):
        return ("Every comparison that could be made on the key measures is within tolerance, "
                "with intervals inside the band.")
    return "No group comparisons could be made."


def _finding(record, ref, metric, entry) -> str:
    value = record["metrics"][metric]["value"]
    ref_value = ref["metrics"][metric]["value"] if ref else None
    words = _DIRECTION.get(metric, ("is higher for", "is lower for"))
    direction = words[0] if entry["ratio"] is not None and entry["ratio"] > 1 else words[1]
    return (f"For {record['attribute']} = {record['value']}, the model {direction} young people "
            f"than for {record['attribute']} = {ref['value'] if ref else '?'}: "
            f"{METRIC_LABELS[metric]} {fmt_value(metric, value)} against "
            f"{fmt_value(metric, ref_value)}; ratio {fmt_ratio(entry)}.")


def _reference_records(groups) -> dict:
    return {g["attribute"]: g for g in groups if g["reference"]}


def overall_sentence(payload: dict) -> str:
    """One sentence on how many were flagged, reached and missed overall."""
    m, s = payload["overall"]["metrics"], payload["settings"]
    n, flagged, positives = s["n_rows"], s["n_flagged"], m["positives"]["value"]
    text = (f"Of {n:,} young people, {flagged:,} were flagged "
            f"({fmt_value('selection_rate', m['selection_rate']['value'])}). "
            f"{positives:,} had the recorded outcome ({fmt_value('base_rate', m['base_rate']['value'])}).")
    if m["tpr"]["value"] is not None:
        text += (f" The flags reached {fmt_value('tpr', m['tpr']['value'])} of them and missed "
                 f"{fmt_value('fnr', m['fnr']['value'])}.")
    if m["ppv"]["value"] is not None:
        text += f" Of those flagged, {fmt_value('ppv', m['ppv']['value'])} had the outcome."
    return text


def jsonable(value):
    """Plain JSON values: numpy numbers as Python numbers, NaN, infinities, NA and NaT as null.

    Dictionaries and lists are converted all the way down (keys as text), so the result
    passes ``json.dumps(..., allow_nan=False)``.

    >>> import numpy as np
    >>> jsonable({1: [np.int64(2), float("nan"), np.float32(0.5)]})
    {'1': [2, None, 0.5]}
    """
    import numpy as np
    import pandas as pd

    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if value is pd.NA or value is pd.NaT:
        return None
    return value
