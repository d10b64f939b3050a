"""Render the governance report: one self-contained, printable HTML page."""

from __future__ import annotations

from functools import lru_cache

import jinja2

from ._metrics import RATE_METRICS
from ._format import fmt_interval, fmt_ratio, fmt_value, overall_sentence, verdict_summary
from ._plots import calibration_figure, capacity_figure, error_rate_figure
from ._text import (
    JUDGEMENT_STATEMENT, KEY_METRICS, METRIC_DEFINITIONS, METRIC_GUIDE, METRIC_LABELS,
    NO_PERSON_NOTE, POLICING_NOTE,
)

__all__ = ["render_report", "environment", "context_items"]

_CONTEXT_LABELS = {
    "title": None,
    "model_name": "Model",
    "model_version": "Model version",
    "label_definition": "Outcome (label) definition",
    "data_dates": "Data dates",
    "scores_file": "Scores file",
}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    """The Jinja environment for the report templates, with formatting filters."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("evaluation", "templates"),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
    env.filters.update(value=lambda v, m: fmt_value(m, v), interval=lambda e, m: fmt_interval(m, e),
                       ratio=fmt_ratio, label=lambda m: METRIC_LABELS.get(m, m),
                       verdict_class=lambda v: v.replace(" ", "-"))
    return env


def context_items(context: dict | None) -> tuple[str, list[tuple[str, str]]]:
    """Split a run context into the page title and labelled items."""
    context = dict(context or {})
    title = str(context.pop("title", None) or "Fairness audit and governance report")
    items = [(_CONTEXT_LABELS.get(k) or k.replace("_", " ").capitalize(), str(v))
             for k, v in context.items() if v is not None]
    return title, items


def render_report(payload: dict, *, context=None, mitigation=None) -> str:
    """Render the report for one audit payload (the structure of ``to_dict``).

    ``mitigation``, when given (the ``mitigation.json`` structure), adds the section
    comparing the mitigation options.
    """
    title, items = context_items(context)
    attributes = payload["settings"]["group_columns"]
    return environment().get_template("report.html.j2").render(
        title=title, context_items=items, p=payload, attributes=attributes,
        summary=verdict_summary(payload), overall_text=overall_sentence(payload),
        judgement=JUDGEMENT_STATEMENT, policing=POLICING_NOTE, guide=METRIC_GUIDE,
        no_person_note=NO_PERSON_NOTE,
        definitions=payload.get("definitions", METRIC_DEFINITIONS), key_metrics=KEY_METRICS,
        metrics=[m for m in payload.get("definitions", METRIC_DEFINITIONS) if m in payload["overall"]["metrics"]],
        rate_metrics=[m for m in (*RATE_METRICS, *payload["settings"].get("custom_metrics", ()))
                      if m in payload["overall"]["metrics"]],
        figures=_figures(payload, attributes), decision=_decision_rows(payload),
        css=environment().loader.get_source(environment(), "report.css")[0], m=mitigation,
    )


def _figures(payload, attributes) -> dict:
    figures = {"errors": {}, "calibration": {}, "capacity": None}
    for col in attributes:
        figures["errors"][col] = error_rate_figure(
            payload["groups"], col, KEY_METRICS,
            label=f"Key error and selection rates with 95% intervals for each {col} group")
        if payload["settings"]["score_is_probability"]:
            figures["calibration"][col] = calibration_figure(
                payload["overall"], payload["groups"], col,
                label=f"Reliability diagram: mean score against observed rate for each {col} group")
    if payload["capacity"]["available"] and payload["capacity"]["rows"]:
        figures["capacity"] = capacity_figure(
            payload["capacity"], _population_shares(payload),
            label="Precision, recall and each group's share of the flags as the caseload grows")
    return figures


def _population_shares(payload) -> dict:
    total = payload["overall"]["n"]
    shares: dict = {}
    for g in payload["groups"]:
        if not g["suppressed"] and total:
            shares.setdefault(g["attribute"], {})[g["value"]] = g["n"] / total
    return shares


def _decision_rows(payload) -> list[dict] | None:
    if "decision" not in payload:
        return None
    practice = {(g["attribute"], g["value"]): g for g in payload["decision"]["groups"]}
    agreement = {(g["attribute"], g["value"]): g for g in payload["decision"]["agreement"]["groups"]}
    rows = []
    for model in payload["groups"]:
        key = (model["attribute"], model["value"])
        rows.append({"model": model, "practice": practice[key], "agreement": agreement.get(key)})
    return rows
