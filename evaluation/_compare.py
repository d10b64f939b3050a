"""One page showing several audits side by side."""

from __future__ import annotations

from pathlib import Path

from ._disparities import INSUFFICIENT, OUTSIDE, WITHIN
from ._errors import AuditInputError
from ._format import verdict_summary
from ._plots import comparison_figure
from ._report import context_items, environment
from ._text import JUDGEMENT_STATEMENT, KEY_METRICS, POLICING_NOTE

__all__ = ["compare_audits_html"]


def compare_audits_html(results: dict, path, *, context=None, note=None) -> Path:
    """Write one self-contained page comparing two or more audits.

    Typical use: the same flags audited against the recorded outcome and
    against a fuller outcome, so a panel sees how a biased label can hide a
    disparity.

    Parameters
    ----------
    results : dict of str to AuditResult
        Audits keyed by a short name shown as the column heading.
    path : str or Path
        Where to write the page.
    context : dict, default=None
        Title and run details printed at the top.
    note : str, default=None
        A paragraph printed under the title explaining the comparison.

    Returns
    -------
    Path
    """
    if not isinstance(results, dict) or len(results) < 2:
        raise AuditInputError(
            "The 'results' option must be a dict of at least two named audits, for example "
            "{'recorded outcome': r1, 'true outcome': r2}."
        )
    payloads = {str(name): result.to_dict() for name, result in results.items()}
    title, items = context_items({"title": "Audits compared side by side", **(context or {})})
    attributes = _attributes(payloads)
    page = environment().get_template("compare.html.j2").render(
        title=title, context_items=items, note=note, payloads=payloads,
        judgement=JUDGEMENT_STATEMENT, policing=POLICING_NOTE, key_metrics=KEY_METRICS,
        summaries={name: verdict_summary(p) for name, p in payloads.items()},
        verdicts=(OUTSIDE, INSUFFICIENT, WITHIN), attributes=attributes,
        tables={col: _rows(payloads, col) for col in attributes},
        figures={col: _figures(payloads, col) for col in attributes},
        css=environment().loader.get_source(environment(), "report.css")[0],
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _attributes(payloads) -> list[str]:
    seen = []
    for p in payloads.values():
        for col in p["settings"]["group_columns"]:
            if col not in seen:
                seen.append(col)
    return seen


def _rows(payloads, col) -> list[dict]:
    values = []
    for p in payloads.values():
        for g in p["groups"]:
            if g["attribute"] == col and g["value"] not in values:
                values.append(g["value"])
    rows = []
    for value in values:
        cells = {name: next((g for g in p["groups"] if g["attribute"] == col and g["value"] == value), None)
                 for name, p in payloads.items()}
        rows.append({"value": value, "audits": cells})
    return rows


def _figures(payloads, col) -> dict:
    out = {}
    for metric in ("base_rate", "fnr", "selection_rate"):
        series = {
            name: {g["value"]: g["metrics"].get(metric) for g in p["groups"]
                   if g["attribute"] == col and not g["suppressed"]}
            for name, p in payloads.items()
        }
        groups = [r["value"] for r in _rows(payloads, col)]
        out[metric] = comparison_figure(series, groups, metric,
                                        label=f"{metric} by {col} in each audit")
    return out
