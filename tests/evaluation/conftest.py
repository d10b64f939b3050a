"""Synthetic scores, outcomes and groups for the audit tests (no real records)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_scores(n: int = 1500, *, seed: int = 0, small_group: int = 6) -> pd.DataFrame:
    """A table like another tool's output: id, outcome, probability, flags, groups."""
    rng = np.random.default_rng(seed)
    sex = rng.choice(["F", "M"], n, p=[0.4, 0.6])
    ethnicity = rng.choice(["White", "Black", "Asian", "Mixed"], n, p=[0.55, 0.2, 0.15, 0.10])
    ethnicity[:small_group] = "Other"
    score = rng.beta(1.2, 6.0, n)
    uplift = np.where(ethnicity == "Black", 1.5, 1.0)
    outcome = (rng.random(n) < np.clip(score * uplift, 0, 1)).astype(int)
    decision = ((score > 0.3) | (rng.random(n) < 0.03)).astype(int)
    return pd.DataFrame({
        "person_id": [f"P{i:06d}" for i in range(n)],
        "outcome": outcome,
        "score": score,
        "flag": (score >= 0.3).astype(int),
        "decision": decision,
        "sex": sex,
        "ethnicity": ethnicity,
    })


@pytest.fixture(scope="session")
def scores() -> pd.DataFrame:
    """1,500 synthetic young people with one group small enough to be withheld."""
    return make_scores()


@pytest.fixture(scope="session")
def audit(scores):
    """A threshold audit with practitioners' decisions, computed once per session."""
    from evaluation import audit_scores

    return audit_scores(
        scores["outcome"], y_score=scores["score"], threshold=0.3,
        sensitive_features=scores[["sex", "ethnicity"]], decision=scores["decision"],
        n_boot=100, random_state=1,
    )
