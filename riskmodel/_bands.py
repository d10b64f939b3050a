"""What each band meant in the test period: how many young people it held and how many of
them were recorded with the outcome. Training stores this with the model; case pages show it
so a band is read against its evidence, not as a label."""

from __future__ import annotations

import numpy as np

from ._reasons import format_date

__all__ = ["band_evidence", "band_evidence_texts"]

SMALL = 10  # counts from 1 to 9 are shown as "fewer than 10", as the audit suppresses them


def band_evidence(model, probability, y_true) -> list[dict]:
    """Per band, highest first: its lower threshold, the young people in it and those recorded with the outcome.

    Parameters
    ----------
    model : RiskModel
    probability : array-like of float
        Calibrated probabilities of the test period.
    y_true : array-like of {0, 1}
        The recorded outcome of the test period.

    Examples
    --------
    >>> class M:
    ...     band_thresholds = {"high": 0.5, "low": 0.0}
    ...     def band(self, p): return np.where(np.asarray(p) >= 0.5, "high", "low")
    >>> band_evidence(M(), [0.9, 0.6, 0.1], [1, 0, 0])[0]
    {'band': 'high', 'from_probability': 0.5, 'n': 2, 'recorded': 1}
    """
    bands = np.asarray(model.band(np.asarray(probability, dtype=float)), dtype=object)
    y = np.asarray(y_true, dtype=float)
    ordered = sorted(model.band_thresholds.items(), key=lambda item: -item[1])
    return [{"band": name, "from_probability": float(threshold), "n": int((bands == name).sum()),
             "recorded": int(y[bands == name].sum())} for name, threshold in ordered]


def band_evidence_texts(metadata: dict, outcome: str) -> list[dict]:
    """The stored evidence as one sentence per band, for the case page (empty when none was stored)."""
    rows = metadata.get("band_evidence") or []
    when = _test_period(metadata)
    return [{"band": row["band"], "text": _sentence(row, outcome, when)} for row in rows]


def _sentence(row: dict, outcome: str, when: str) -> str:
    n, k = int(row["n"]), int(row["recorded"])
    start = f"estimated chance {row['from_probability'] * 100:.2g}% or more" if row["from_probability"] > 0 else "the rest"
    if n == 0:
        return f"'{row['band']}' ({start}): nobody was in this band in the test period{when}."
    if 0 < k < SMALL:
        counted = "fewer than 10"
    else:
        counted = f"{k:,} ({k / n:.1%})"
    return (f"'{row['band']}' ({start}): of {n:,} young people in this band in the test period{when}, "
            f"{counted} {outcome}.")


def _test_period(metadata: dict) -> str:
    dates = (metadata.get("split") or {}).get("test_dates") or []
    return f" (records as of {format_date(dates[0])} to {format_date(dates[-1])})" if dates else ""
