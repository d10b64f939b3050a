"""Capacity planning: who a caseload of K young people would reach and miss."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["capacity_plan"]

_CURVE_POINTS = 200


def capacity_plan(y, score, groups: pd.DataFrame, *, capacities, withheld, min_cell=10, person=None) -> dict:
    """Threshold, precision, recall and group shares for each caseload K.

    Parameters
    ----------
    y : ndarray
        Outcome, 0/1.
    score : ndarray or None
        Scores; without them no caseload can be ranked.
    groups : DataFrame
        Group labels, one column per attribute.
    capacities : sequence of int
        Caseload sizes K. Sizes larger than the table are skipped with a note.
    withheld : set of (str, str)
        (column, value) pairs whose shares must be withheld (suppressed groups).
    min_cell : int, default=10
        The curves start at the first caseload that flags this many distinct young
        people, so no point describes one or two of them.
    person : array-like, default=None
        Who each row belongs to; None: every row is a different young person. A young
        person flagged on several as-of dates counts once towards ``min_cell``.

    Returns
    -------
    dict
        ``available``, ``note``, ``rows`` (one per K) and ``curve``.
    """
    if score is None:
        return {"available": False, "note": "Capacity planning needs a score to rank young "
                "people; this audit was given yes/no predictions only.", "rows": [], "curve": {}}
    ranked = _Ranking(y, score)
    usable = sorted({int(k) for k in capacities if int(k) <= len(y)})
    skipped = sorted({int(k) for k in capacities if int(k) > len(y)})
    rows = [_row(ranked, k, groups, withheld) for k in usable]
    note = None
    if skipped:
        note = f"Caseloads larger than the {len(y)} young people in the table were skipped: {skipped}."
    curve = _curve(ranked, groups, withheld, start=ranked.first_reaching(min_cell, person))
    return {"available": True, "note": note, "rows": rows, "curve": curve}


class _Ranking:
    """Scores sorted from highest to lowest, with cumulative counts."""

    def __init__(self, y, score):
        self.order = np.argsort(-score, kind="stable")
        self.desc = score[self.order]
        self.y = y[self.order].astype(np.int64)
        self.cum_pos = np.cumsum(self.y)
        self.positives = int(self.y.sum())

    def first_reaching(self, min_cell: int, person) -> int:
        """The smallest caseload whose flags hold ``min_cell`` distinct young people (or everyone)."""
        rows = np.arange(1, len(self.order) + 1)
        if person is not None:
            first_row = ~pd.Series(np.asarray(person, dtype=object)[self.order]).duplicated().to_numpy()
            rows = np.cumsum(first_row)
        k = int(np.searchsorted(rows, min_cell)) + 1
        return min(k, len(self.order))

    def flagged_count(self, k: np.ndarray | int):
        """Number flagged when the threshold is the k-th highest score (ties flagged)."""
        threshold = self.desc[np.asarray(k) - 1]
        return np.searchsorted(-self.desc, -threshold, side="right"), threshold


def _row(ranked: _Ranking, k: int, groups: pd.DataFrame, withheld) -> dict:
    m, threshold = ranked.flagged_count(k)
    tp = int(ranked.cum_pos[m - 1])
    flagged = np.zeros(len(ranked.y), dtype=bool)
    flagged[ranked.order[:m]] = True
    y = np.empty_like(ranked.y)
    y[ranked.order] = ranked.y
    return {
        "k": k,
        "threshold": float(threshold),
        "n_flagged": int(m),
        "precision": tp / m,
        "recall": tp / ranked.positives if ranked.positives else None,
        "groups": _shares(y, flagged, groups, withheld),
    }


def _shares(y, flagged, groups: pd.DataFrame, withheld) -> list[dict]:
    missed = (y == 1) & ~flagged
    frame = pd.DataFrame({"n": 1, "pos": y, "flag": flagged.astype(int), "miss": missed.astype(int)})
    totals = frame.sum()
    out = []
    for col in groups.columns:
        sums = frame.groupby(groups[col].to_numpy(), sort=True).sum()
        for value, row in sums.iterrows():
            hidden = (col, value) in withheld
            out.append({
                "attribute": col, "value": value, "suppressed": hidden,
                **{name: None if hidden else _share(row[src], totals[src])
                   for name, src in (("share_of_population", "n"), ("share_of_positives", "pos"),
                                     ("share_of_flags", "flag"), ("share_of_missed", "miss"))},
            })
    return out


def _share(part, total):
    return float(part / total) if total else None


def _curve(ranked: _Ranking, groups: pd.DataFrame, withheld, *, start: int) -> dict:
    ks = np.unique(np.geomspace(start, len(ranked.y), _CURVE_POINTS).round().astype(int))
    m, _ = ranked.flagged_count(ks)
    tp = ranked.cum_pos[m - 1]
    curve = {
        "k": ks.tolist(),
        "n_flagged": m.tolist(),
        "precision": (tp / m).tolist(),
        "recall": (tp / ranked.positives).tolist() if ranked.positives else None,
        "share_of_flags": {},
    }
    for col in groups.columns:
        labels = groups[col].to_numpy()[ranked.order]
        shares = {}
        for value in sorted(set(labels)):
            if (col, value) not in withheld:
                shares[value] = (np.cumsum(labels == value)[m - 1] / m).tolist()
        curve["share_of_flags"][col] = shares
    return curve
