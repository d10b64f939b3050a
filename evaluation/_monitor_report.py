"""Render ``monitor.html``: one batch's drift checks, in the governance report's look.

Takes the JSON-ready payload of a monitoring run (the structure of ``monitor.json``) and
returns a self-contained page: the status in plain words, the alerts and watches first,
then figures and tables for features, the score and bands, record volumes and, where
labels exist, the later period's outcomes beside the model card's figures.
"""

from __future__ import annotations

import numpy as np

from ._plots import PALETTE, _short, _svg, style, subplots
from ._report import environment
from ._text import JUDGEMENT_STATEMENT

__all__ = ["render_monitor_report"]

_HEADLINES = {
    "ok": "No check crossed its threshold: the batch looks like the data the model was trained on.",
    "watch": "Some checks moved enough to watch, none enough to alert. Read the watched items below.",
    "alert": "At least one check is an alert: something the model depends on has changed. Read the "
             "alerts below before relying on this batch's scores.",
}


def render_monitor_report(payload: dict) -> str:
    """The monitoring page for one payload (the structure of ``monitor.json``)."""
    env = environment()
    model = payload["model"]
    title = f"Monitoring: {model.get('name')} version {model.get('version')}, batch of {payload['as_of']}"
    return env.get_template("monitor.html.j2").render(
        title=title, p=payload, headline=_HEADLINES[payload["status"]], judgement=JUDGEMENT_STATEMENT,
        flagged=[c for c in payload["checks"] if c["status"] != "ok"],
        figures=_figures(payload), css=env.loader.get_source(env, "report.css")[0],
    )


def _figures(payload: dict) -> dict:
    return {
        "features": _psi_figure(payload["features"], payload["thresholds"]["psi"]),
        "score": _shares_figure(payload["score"]),
        "volume": _volume_figure(payload["volume"]) if payload["volume"] else None,
    }


def _psi_figure(rows: list, psi: dict) -> str:
    shown = rows[:25]
    with style():
        fig, ax = subplots(figsize=(7, 0.25 * len(shown) + 1.2))
        values = [r["psi"] or 0.0 for r in shown]
        colours = [PALETTE[1] if r["status"] == "alert" else PALETTE[4] if r["status"] == "watch" else PALETTE[0]
                   for r in shown]
        ax.barh(range(len(shown)), values, color=colours)
        ax.set_yticks(range(len(shown)), [_short(r["feature"], 34) for r in shown])
        ax.invert_yaxis()
        for x, name in ((psi["watch"], "watch"), (psi["alert"], "alert")):
            ax.axvline(x, color=PALETTE[6], linestyle="--", linewidth=1)
            ax.annotate(name, (x, 0), xytext=(2, 2), textcoords="offset points", fontsize=8)
        ax.set_xlabel("Population stability index against the training bins")
        fig.tight_layout()
        return _svg(fig, "Population stability index of each feature, largest first, with the watch and alert thresholds")


def _shares_figure(score: dict) -> str:
    n = len(score["reference_shares"])
    labels = [*(f"bin {i + 1}" for i in range(n - 1)), "missing"]
    with style():
        fig, ax = subplots(figsize=(7, 2.6))
        x = np.arange(n)
        ax.bar(x - 0.2, score["reference_shares"], width=0.4, color=PALETTE[0], label="validation period")
        ax.bar(x + 0.2, score["batch_shares"], width=0.4, color=PALETTE[1], label="this batch", hatch="//")
        ax.set_xticks(x, labels, rotation=45, ha="right")
        ax.set_ylabel("share of young people")
        ax.legend(frameon=False)
        fig.tight_layout()
        return _svg(fig, "Share of young people in each fixed score bin: validation period against this batch")


def _volume_figure(rows: list) -> str:
    sources = sorted({r["source"] for r in rows})
    with style():
        fig, axes = subplots(1, len(sources), figsize=(2.2 * len(sources), 2.4), squeeze=False, sharey=False)
        for ax, source in zip(axes[0], sources):
            mine = [r for r in rows if r["source"] == source]
            x = np.arange(len(mine))
            ax.bar(x, [r["records"] for r in mine], color=[PALETTE[1] if r["status"] == "alert" else PALETTE[0] for r in mine])
            ax.plot(x, [r["usual"] if r["usual"] is not None else np.nan for r in mine], "k_", markersize=14,
                    label="usual")
            ax.set_xticks(x, [r["month"][2:] for r in mine], rotation=60, fontsize=7)
            ax.set_title(source, fontsize=9)
        fig.tight_layout()
        return _svg(fig, "Records per source per month before the as-of date, bars, against the usual volume for that calendar month, dashes")
