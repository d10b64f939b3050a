"""The two baselines the model must beat, on the same split.

- A logistic regression on the same features (median imputation, scaling), fitted on the
  training period. Its probabilities are used as they are.
- The simple rule a practitioner would use: flag anyone with a prior youth justice outcome
  or a permanent exclusion. Its features are found in the registry by concept and name
  (or given in configuration); a flagged or unflagged young person gets the rate of the
  outcome among flagged or unflagged people in the training period, so Brier score and log
  loss can be reported too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ._lgbm import as_matrix

RULE_DESCRIPTION = "a prior youth justice outcome or a permanent exclusion"


@dataclass(frozen=True)
class RuleBaseline:
    """The practitioner's rule: flag when any of ``features`` is above zero.

    Attributes
    ----------
    features : tuple of str
        The feature columns the rule reads; empty when the table has none (rule skipped).
    note : str
        Plain statement of which features were used, or why the rule was skipped.
    description : str
        What the rule flags, in words, for the verdict and the card.
    """

    features: tuple
    note: str
    description: str = RULE_DESCRIPTION

    @property
    def available(self) -> bool:
        return bool(self.features)

    def flag(self, X) -> np.ndarray:
        """1 where the rule flags the row, else 0."""
        return (X[list(self.features)].fillna(0).to_numpy(dtype=float) > 0).any(axis=1).astype(float)

    def fit_rates(self, X, y) -> tuple[float, float]:
        """Outcome rate among unflagged and flagged rows (with a floor, never exactly 0 or 1)."""
        flags, y = self.flag(X), np.asarray(y, dtype=float)
        rates = [(y[flags == f].sum() + 0.5) / ((flags == f).sum() + 1.0) for f in (0.0, 1.0)]
        return float(rates[0]), float(rates[1])


def find_rule(registry, columns, *, configured=None) -> RuleBaseline:
    """The rule's features: configured, or read from the registry by concept and name."""
    if configured is not None:
        missing = [c for c in configured if c not in set(columns)]
        if missing:
            raise ValueError(
                f"The configured 'rule_features' {', '.join(missing)} are not columns of the "
                "feature table; name existing feature columns or leave 'rule_features' unset."
            )
        described = f"any of: {', '.join(configured)}"
        return RuleBaseline(tuple(configured), f"The rule flags anyone with {described}.", described)
    found = [f.name for f in registry if f.name in set(columns) and _is_rule_feature(f)]
    if not found:
        return RuleBaseline((), (
            f"The simple rule ({RULE_DESCRIPTION}) was skipped: the feature table has no "
            "declared youth justice outcome or permanent exclusion feature. Set 'rule_features' "
            "in the configuration to compare with it."))
    return RuleBaseline(tuple(found), f"The rule ({RULE_DESCRIPTION}) flags anyone with any of: {', '.join(found)}.")


def _is_rule_feature(feature) -> bool:
    name = feature.name.lower()
    if feature.kind == "days" or name.startswith(("days_since", "age_at")):
        return False
    if feature.concept == "youth justice":
        return "outcome" in name
    if feature.concept == "school exclusions":
        return "perm" in name
    return False


def fit_logistic_baseline(X, y, *, random_state=0):
    """Logistic regression on the same features: median imputation, scaling, L2 penalty."""
    model = make_pipeline(
        SimpleImputer(strategy="median", keep_empty_features=True),
        StandardScaler(),
        LogisticRegression(solver="newton-cholesky", max_iter=200, random_state=random_state),
    )
    return model.fit(as_matrix(X), np.asarray(y))


def predict_logistic_baseline(model, X) -> np.ndarray:
    """Probability of the label from :func:`fit_logistic_baseline`."""
    return model.predict_proba(as_matrix(X))[:, 1]
