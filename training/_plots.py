"""The calibration plot for the model card (matplotlib, rendered to PNG bytes)."""

from __future__ import annotations

import io

import numpy as np


def calibration_curve(y_true, probability, *, n_bins: int = 10) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean predicted probability, observed rate and row count in quantile bins of the prediction."""
    y, p = np.asarray(y_true, dtype=float), np.asarray(probability, dtype=float)
    order = np.argsort(p, kind="stable")
    bins = np.array_split(order, n_bins)
    bins = [b for b in bins if len(b)]
    return (np.array([p[b].mean() for b in bins]), np.array([y[b].mean() for b in bins]),
            np.array([len(b) for b in bins]))


def calibration_plot(y_true, probabilities: dict, *, title: str) -> bytes:
    """PNG of observed rate against mean predicted probability, one line per model."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    # The title and model names may hold a "$" (a registered name, say): print it as
    # written rather than as matplotlib mathtext.
    with plt.rc_context({"text.parse_math": False}):
        fig, ax = plt.subplots(figsize=(6, 5), dpi=110)
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
        plt.close(fig)
    return buffer.getvalue()
