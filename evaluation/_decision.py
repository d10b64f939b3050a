"""How practitioners' decisions differ from the model's flags, by group."""

from __future__ import annotations

import pandas as pd

__all__ = ["agreement_table"]


def agreement_table(flags, decision, groups: pd.DataFrame, *, withheld) -> dict:
    """Agreement and overrides overall and per group.

    ``added`` is the share of the group that practitioners chose although the
    model did not flag them; ``removed`` is the share of the model's flags in
    the group that practitioners did not take up.
    """
    frame = pd.DataFrame({
        "n": 1,
        "agree": (flags == decision).astype(int),
        "flag": flags.astype(int),
        "added": (decision & ~flags).astype(int),
        "removed": (flags & ~decision).astype(int),
    })
    out = {"overall": _rates(frame.sum()), "groups": []}
    for col in groups.columns:
        sums = frame.groupby(groups[col].to_numpy(), sort=True).sum()
        for value, row in sums.iterrows():
            hidden = (col, value) in withheld
            out["groups"].append({
                "attribute": col, "value": value, "suppressed": hidden,
                **({k: None for k in ("agreement", "added", "removed")} if hidden else _rates(row)),
            })
    return out


def _rates(row) -> dict:
    return {
        "agreement": float(row["agree"] / row["n"]),
        "added": float(row["added"] / row["n"]),
        "removed": float(row["removed"] / row["flag"]) if row["flag"] else None,
    }
