"""Agreement and action rates for governance: by band and by team, never an individual.

Each case counts once, by its newest decision. Counts from 1 to ``MIN_CELL - 1`` are
withheld, with the secondary suppression the fairness audit uses so that a withheld count
cannot be worked out from the totals (``evaluation.suppress_counts``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import OuterRef, Subquery

from evaluation import suppress_counts

from .models import Action, Case, Decision

__all__ = ["MIN_CELL", "GroupRates", "summarise"]

MIN_CELL = 10
WITHHELD = "withheld"


@dataclass(frozen=True)
class GroupRates:
    """One row of the governance table: a band or a team, with its counts and rates as text."""

    group: str
    cases: str
    reviewed: str
    agree: str
    actions: dict[str, str]


def summarise(*, min_cell: int = MIN_CELL) -> dict[str, list[GroupRates]]:
    """The rates by band and by team, with small cells withheld."""
    frame = _decided_cases()
    return {"band": _rates(frame, "band", min_cell), "team": _rates(frame, "team", min_cell),
            "total": _rates(frame.assign(all="all cases"), "all", min_cell)}


def _decided_cases() -> pd.DataFrame:
    latest = Decision.objects.filter(case=OuterRef("pk")).order_by("-decided_at", "-id")
    rows = (Case.objects.annotate(agrees=Subquery(latest.values("agrees")[:1]),
                                  action=Subquery(latest.values("action")[:1]))
            .values_list("band", "team__name", "agrees", "action"))
    return pd.DataFrame(list(rows), columns=["band", "team", "agrees", "action"])


def _rates(frame: pd.DataFrame, by: str, min_cell: int) -> list[GroupRates]:
    actions = [a for a, _ in Action.choices]
    groups = sorted(frame[by].dropna().unique().tolist())
    counts, layout = [], []
    for g in groups:
        part = frame[frame[by] == g]
        done = part[part["agrees"].notna()]
        base = len(counts)
        counts += [len(part), len(done), int((done["agrees"] == True).sum()),  # noqa: E712
                   int((done["agrees"] == False).sum())]  # noqa: E712
        counts += [int((done["action"] == a).sum()) for a in actions]
        layout.append(base)
    status = suppress_counts(counts, min_cell=min_cell, totals=_totals(layout, len(actions)),
                             parts=[(b + 1, list(range(b + 2, b + 4 + len(actions)))) for b in layout])
    return [_row(g, b, counts, status, actions) for g, b in zip(groups, layout)]


def _totals(layout: list[int], n_actions: int) -> list:
    totals = [(None, [b for b in layout]), (None, [b + 1 for b in layout])]
    for b in layout:
        totals.append((b + 1, [b + 2, b + 3]))
        totals.append((b + 1, list(range(b + 4, b + 4 + n_actions))))
    return totals


def _row(group, base: int, counts: list[int], status: list, actions: list[str]) -> GroupRates:
    def shown(i: int, of: int | None = None) -> str:
        if status[i] is not None or (of is not None and status[of] is not None):
            return WITHHELD
        if of is None:
            return f"{counts[i]:,}"
        return f"{counts[i] / counts[of]:.0%} ({counts[i]:,})" if counts[of] else "none reviewed"

    return GroupRates(group=str(group), cases=shown(base), reviewed=shown(base + 1),
                      agree=shown(base + 2, base + 1),
                      actions={a: shown(base + 4 + k, base + 1) for k, a in enumerate(actions)})
