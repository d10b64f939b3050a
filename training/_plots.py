"""The calibration plot for the model card (matplotlib, rendered to PNG bytes).

The figure is drawn on a bare :class:`matplotlib.figure.Figure`, which needs no pyplot
and no backend switch, so training leaves matplotlib's global state alone.
"""

from __future__ import annotations

import io

import numpy as np

from evaluation import calibration_bins


def calibration_curve(y_true, probability, *, n_bins: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean predicted probability, observed rate and row count in each calibration bin.

    The bins are :func:`evaluation.calibration_bins` (equal-count bins of the
    prediction), as the test-period ECE and the fairness audit bin them.

    Examples
    --------
    >>> predicted, observed, count = calibration_curve([0, 0, 1, 1], [0.1, 0.2, 0.7, 0.9], n_bins=2)
    >>> predicted.round(2).tolist(), observed.tolist(), count.tolist()
    ([0.15, 0.8], [0.0, 1.0], [2, 2])
    """
    y, p = np.asarray(y_true, dtype=float), np.asarray(probability, dtype=float)
    edges, codes = calibration_bins(p, n_bins=n_bins)
    count = np.bincount(codes, minlength=len(edges) - 1)
    kept = count > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        predicted = np.bincount(codes, weights=p, minlength=len(count)) / count
        observed = np.bincount(codes, weights=y, minlength=len(count)) / count
    return predicted[kept], observed[kept], count[kept]


def calibration_plot(y_true, probabilities: dict, *, title: str) -> bytes:
    """PNG of observed rate against mean predicted probability, one line per model."""
    import matplotlib
    from matplotlib.figure import Figure

    # The title and model names may hold a "$" (a registered name, say): print it as
    # written rather than as matplotlib mathtext.
    with matplotlib.rc_context({"text.parse_math": False}):
        fig = Figure(figsize=(6, 5), dpi=110)
        ax = fig.subplots()
        top = 0.0
        for (name, p), marker in zip(probabilities.items(), "osD^", strict=False):
            predicted, observed, _ = calibration_curve(y_true, p)
            ax.plot(predicted, observed, marker=marker, label=name)
            top = max(top, predicted.max(), observed.max())
        top = top * 1.05 or 1.0
        ax.plot([0, top], [0, top], linestyle="--", color="grey", label="perfect calibration")
        ax.set(xlim=(0, top), ylim=(0, top), xlabel="mean predicted probability (tenths of the test period)",
               ylabel="observed rate of the label", title=title)
        ax.legend(loc="upper left")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()
