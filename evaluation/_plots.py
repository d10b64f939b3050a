"""Figures for the report as inline SVG (matplotlib, drawn on a bare ``Figure``).

Figures are built with :class:`matplotlib.figure.Figure` directly, which needs
no pyplot and no backend switch, so importing the library leaves matplotlib's
global state as the user set it; matplotlib itself is imported only when a figure is drawn.

Every figure uses the Okabe-Ito colour-blind-safe palette with distinct
markers, keeps its text as text, and returns an ``<svg>`` element carrying
``role="img"`` and an ``aria-label`` so screen readers announce it.
"""

from __future__ import annotations

import io
import re
from html import escape

import numpy as np

from ._text import METRIC_LABELS

__all__ = ["subplots", "style", "error_rate_figure", "calibration_figure", "capacity_figure", "comparison_figure"]

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_STYLE = {
    "svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
    "axes.spines.right": False, "svg.hashsalt": "evaluation",
    # Group values and column names are data: a "$" in one must print as "$", not start
    # matplotlib mathtext (which garbles the label or fails on an unbalanced "$").
    "text.parse_math": False,
}


def style():
    """The report's figure style as a context manager (``matplotlib.rc_context``)."""
    import matplotlib

    return matplotlib.rc_context(_STYLE)


def subplots(nrows: int = 1, ncols: int = 1, *, figsize, **kwargs):
    """A new ``Figure`` and its axes, as ``pyplot.subplots`` would give, without pyplot."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize)
    return fig, fig.subplots(nrows, ncols, **kwargs)


def error_rate_figure(records, attribute: str, metrics, *, label: str) -> str:
    """Dot-and-interval panels, one per metric, one row per shown group."""
    shown = [r for r in records if r["attribute"] == attribute and not r["suppressed"]]
    with style():
        fig, axes = subplots(1, len(metrics), figsize=(2.3 * len(metrics), 0.35 * len(shown) + 1.2),
                                 sharey=True, squeeze=False)
        for ax, metric in zip(axes[0], metrics):
            _interval_panel(ax, shown, metric)
        axes[0][0].set_yticks(range(len(shown)), [_short(r["value"]) for r in shown])
        axes[0][0].invert_yaxis()
        fig.tight_layout()
        return _svg(fig, label)


def _interval_panel(ax, shown, metric: str) -> None:
    for i, record in enumerate(shown):
        m = record["metrics"].get(metric, {})
        if m.get("value") is None:
            continue
        low, high = m["ci_low"], m["ci_high"]
        colour = PALETTE[0] if not record["reference"] else PALETTE[1]
        marker = "o" if not record["reference"] else "s"
        if low is not None and high is not None:
            ax.plot([low, high], [i, i], color=colour, linewidth=2)
        ax.plot([m["value"]], [i], marker=marker, color=colour, markersize=6)
    ax.set_title(METRIC_LABELS[metric], fontsize=9)
    ax.set_xlim(left=0)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)


def calibration_figure(overall, records, attribute: str, *, label: str) -> str:
    """Reliability diagram: mean score against observed rate, one line per group."""
    shown = [r for r in records if r["attribute"] == attribute and not r["suppressed"]
             and r.get("calibration")]
    with style():
        fig, ax = subplots(figsize=(4.6, 3.6))
        top = 0.0
        for i, record in enumerate([{"value": "Everyone", **overall}] + shown):
            xs, ys = _reliability_points(record["calibration"])
            if xs.size:
                top = max(top, xs.max(), ys.max())
                ax.plot(xs, ys, marker=MARKERS[i % len(MARKERS)], color=PALETTE[i % len(PALETTE)],
                        linewidth=1.4, markersize=4, label=_short(record["value"]))
        top = min(1.0, top * 1.1) if top > 0 else 1.0
        ax.plot([0, top], [0, top], color="#555555", linestyle="--", linewidth=1, label="Perfect calibration")
        ax.set(xlim=(0, top), ylim=(0, top), xlabel="Mean score in bin", ylabel="Observed rate in bin")
        ax.legend(fontsize=7, frameon=False)
        fig.tight_layout()
        return _svg(fig, label)


def _reliability_points(calibration) -> tuple[np.ndarray, np.ndarray]:
    pairs = [(b["mean_score"], b["observed_rate"]) for b in calibration["bins"]
             if b["mean_score"] is not None]
    if not pairs:
        return np.array([]), np.array([])
    xs, ys = zip(*pairs)
    return np.asarray(xs), np.asarray(ys)


def capacity_figure(capacity: dict, population: dict, *, label: str) -> str:
    """Precision and recall as the caseload grows, then each group's share of the flags.

    ``population`` maps each group column to ``{value: share of the population}``
    for the groups that are shown; each share is drawn as a dotted line.
    """
    curve = capacity["curve"]
    panels = 1 + len(curve["share_of_flags"])
    with style():
        fig, axes = subplots(1, panels, figsize=(4.2 * panels, 3.4), squeeze=False)
        _precision_recall_panel(axes[0][0], capacity)
        for ax, (col, shares) in zip(axes[0][1:], curve["share_of_flags"].items()):
            _share_panel(ax, curve["k"], shares, population.get(col, {}), col)
        fig.tight_layout()
        return _svg(fig, label)


def _precision_recall_panel(ax, capacity: dict) -> None:
    curve = capacity["curve"]
    ax.plot(curve["k"], curve["precision"], color=PALETTE[0], linewidth=1.6, label="Precision")
    if curve.get("recall") is not None:
        ax.plot(curve["k"], curve["recall"], color=PALETTE[1], linewidth=1.6,
                linestyle="--", label="Recall")
    for row in capacity["rows"]:
        ax.axvline(row["k"], color="#777777", linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set(ylim=(0, 1.02), xlabel="Caseload (log scale)", ylabel="Share",
           title="Precision and recall")
    ax.legend(frameon=False, fontsize=8)


def _share_panel(ax, ks, shares: dict, population: dict, col: str) -> None:
    for i, (value, series) in enumerate(shares.items()):
        colour = PALETTE[i % len(PALETTE)]
        ax.plot(ks, series, color=colour, linewidth=1.4, label=_short(value, 16))
        if value in population:
            ax.axhline(population[value], color=colour, linewidth=0.8, linestyle=":")
    ax.set_xscale("log")
    ax.set(ylim=(0, 1.02), xlabel="Caseload (log scale)", ylabel="Share of flags",
           title=f"Share of flags by {_short(col, 20)}")
    ax.legend(frameon=False, fontsize=7)


def comparison_figure(series: dict, groups, metric: str, *, label: str) -> str:
    """One metric by group for several audits, side by side."""
    with style():
        fig, ax = subplots(figsize=(5.6, 0.45 * len(groups) * max(1, len(series) / 2) + 1.2))
        offsets = np.linspace(-0.25, 0.25, len(series)) if len(series) > 1 else [0.0]
        for j, (name, values) in enumerate(series.items()):
            for i, group in enumerate(groups):
                m = values.get(group)
                if not m or m.get("value") is None:
                    continue
                y = i + offsets[j]
                if m["ci_low"] is not None and m["ci_high"] is not None:
                    ax.plot([m["ci_low"], m["ci_high"]], [y, y], color=PALETTE[j % 8], linewidth=2)
                ax.plot([m["value"]], [y], marker=MARKERS[j % 8], color=PALETTE[j % 8],
                        label=name if i == 0 or not ax.get_legend_handles_labels()[1].count(name) else None)
        ax.set_yticks(range(len(groups)), [_short(g) for g in groups])
        ax.invert_yaxis()
        ax.set_xlim(left=0)
        ax.set_xlabel(METRIC_LABELS[metric])
        handles, names = ax.get_legend_handles_labels()
        unique = dict(zip(names, handles))
        ax.legend(unique.values(), unique.keys(), frameon=False, fontsize=8)
        fig.tight_layout()
        return _svg(fig, label)


def _short(value, limit: int = 28) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _svg(fig, label: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    attrs = f'<svg role="img" aria-label="{escape(label, quote=True)}" focusable="false"'
    return text.replace("<svg", attrs, 1)
