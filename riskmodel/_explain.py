"""Exact tree SHAP values grouped into human concepts, in log-odds and on the probability scale.

The model's raw output for one young person is a log-odds ``model_logodds``. Exact tree
SHAP (LightGBM's ``pred_contrib=True``, computed by :mod:`riskmodel._treeshap`) splits it into a base value ``base_logodds`` (the
same for everyone) plus one contribution per feature. Summing those feature contributions
within each concept of the feature registry ("school exclusions", "youth justice", ...)
keeps the decomposition exact::

    base_logodds + sum over concepts of shap_logodds == model_logodds

Front-line staff read probabilities, not log-odds, so each concept also gets a
``contribution`` on the probability scale. The calibrated probability ``p`` is a monotone
function of ``model_logodds``; ``p_base`` is the calibrated probability at
``base_logodds``. The difference ``p - p_base`` is shared between concepts in proportion
to their log-odds SHAP values::

    contribution_c = (p - p_base) * shap_logodds_c / (model_logodds - base_logodds)

so the contributions add up exactly to ``p - p_base`` and each has the sign of its
``shap_logodds`` (the calibration is monotone). When ``model_logodds == base_logodds``
every contribution is zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from features import CONCEPTS, FeatureRegistry

from . import _reasons, _records

OTHER_CONCEPT = "other information"
EXPLANATION_COLUMNS = [
    "person_id", "concept", "shap_logodds", "contribution", "direction", "statement", "evidence",
]


@dataclass(frozen=True)
class Decomposition:
    """A model's output for many people, split exactly into concepts.

    Attributes
    ----------
    person_id : ndarray of object, shape (n_people,)
    concepts : list of str
    feature_names : list of str
    feature_shap : ndarray of shape (n_people, n_features)
        Exact tree SHAP values in log-odds.
    shap_logodds : ndarray of shape (n_people, n_concepts)
        ``feature_shap`` summed within each concept.
    contribution : ndarray of shape (n_people, n_concepts)
        On the probability scale; rows sum to ``probability - base_probability``.
    base_logodds, model_logodds, probability, base_probability : ndarray of shape (n_people,)
    """

    person_id: np.ndarray
    concepts: list[str]
    feature_names: list[str]
    feature_shap: np.ndarray
    shap_logodds: np.ndarray
    contribution: np.ndarray
    base_logodds: np.ndarray
    model_logodds: np.ndarray
    probability: np.ndarray
    base_probability: np.ndarray


def decompose(model, X: pd.DataFrame) -> Decomposition:
    """Score ``X`` and split each score exactly into concepts.

    Parameters
    ----------
    model : RiskModel
        Needs ``feature_names``, ``contributions_and_logodds``, ``calibrator`` and
        ``registry``.
    X : DataFrame
        The model's features; ``person_id`` is read from a column of that name if
        present, else from the index.

    Returns
    -------
    Decomposition
    """
    frame, logodds = model.contributions_and_logodds(X)
    contributions = frame.to_numpy()
    names = list(model.feature_names)
    matrix, concepts = concept_matrix(model.registry, names)
    feature_shap = contributions[:, :-1]
    shap_logodds = feature_shap @ matrix
    base = contributions[:, -1]
    logodds = np.asarray(logodds, dtype=float)
    probability = calibrated(model, logodds)
    base_probability = calibrated(model, base)
    return Decomposition(
        person_id=person_ids(X), concepts=concepts, feature_names=names,
        feature_shap=feature_shap, shap_logodds=shap_logodds,
        contribution=probability_contributions(shap_logodds, probability, base_probability),
        base_logodds=base, model_logodds=logodds, probability=probability,
        base_probability=base_probability,
    )


def calibrated(model, logodds: np.ndarray) -> np.ndarray:
    """The model's calibrated probability at each log-odds value."""
    return np.asarray(model.calibrator.predict(np.asarray(logodds, dtype=float)), dtype=float)


def person_ids(X: pd.DataFrame) -> np.ndarray:
    """The ``person_id`` column of ``X`` if it has one, else its index, as strings."""
    ids = X["person_id"] if "person_id" in X.columns else X.index.to_series()
    return ids.astype(str).to_numpy(dtype=object)


def explain_scores(model, X: pd.DataFrame, *, tables=None, as_of=None) -> pd.DataFrame:
    """The explanations table for a feature matrix: one row per person and concept.

    Each row carries the concept's exact tree SHAP value in log-odds
    (``shap_logodds``), its share of the probability (``contribution``), whether it
    ``"raises"`` or ``"lowers"`` the score, a plain-English ``statement`` with the
    young person's own values and, when ``tables`` and ``as_of`` are given, the dates
    and references (``evidence``) of the source records behind it.

    ``contribution`` relates to the calibrated probability ``p`` as follows: with
    ``p_base`` the calibrated probability at the base log-odds, ``p - p_base`` is
    shared between the concepts in proportion to their ``shap_logodds``, so the
    contributions of one person add up exactly to ``p - p_base``.

    A concept whose SHAP value is exactly zero (the model never used its features
    for this person) has no row.

    Parameters
    ----------
    model : RiskModel
    X : DataFrame
        The model's features, with a ``person_id`` column or index.
    tables : dict of DataFrame, optional
        The tidy tables; with ``as_of``, statements gain the dates and reasons of the
        records behind them, traced for every row of ``X`` in one pass per feature.
    as_of : date-like, optional

    Returns
    -------
    DataFrame
        Columns ``person_id, concept, shap_logodds, contribution, direction,
        statement, evidence``; per person, ``shap_logodds`` plus the base log-odds sum
        to the model's log-odds.
    """
    parts = decompose(model, X)
    rows = np.arange(len(X)) if tables is not None and as_of is not None else np.empty(0, int)
    statements, evidence = concept_statements(model.registry, X, parts, tables=tables, as_of=as_of, rows=rows)
    return explanation_table(parts, statements, evidence)


def concept_statements(
    registry: FeatureRegistry, X: pd.DataFrame, parts: Decomposition, *, tables=None, as_of=None,
    rows: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Statements and evidence per person and concept; dated records for ``rows``."""
    texts = _reasons.feature_texts(X, registry, parts.feature_names)
    matrix, _ = concept_matrix(registry, parts.feature_names)
    groups = [np.flatnonzero(column) for column in matrix.T]
    chosen = _reasons.choose_features(parts.feature_shap, parts.shap_logodds, texts, groups)
    evidence = np.full(texts.shape, "", dtype=object)
    if rows is not None and len(rows) and tables is not None:
        texts, evidence = _records.add_lineage(
            texts, X, parts.person_id, rows, chosen, parts.feature_names, registry, tables, as_of,
        )
    return _reasons.assemble(texts, evidence, chosen)


def explanation_table(parts: Decomposition, statements: np.ndarray, evidence: np.ndarray) -> pd.DataFrame:
    """Long table of the non-zero concept effects, biggest effect first within each person."""
    person, concept = np.nonzero(parts.shap_logodds != 0.0)
    shap = parts.shap_logodds[person, concept]
    table = pd.DataFrame({
        "person_id": parts.person_id[person],
        "concept": np.array(parts.concepts, dtype=object)[concept],
        "shap_logodds": shap,
        "contribution": parts.contribution[person, concept],
        "direction": direction_of(shap),
        "statement": statements[person, concept],
        "evidence": evidence[person, concept],
    })
    order = np.lexsort((-np.abs(shap), person))
    return table.iloc[order].reset_index(drop=True)[EXPLANATION_COLUMNS]


def concepts_of(registry: FeatureRegistry, feature_names: list[str]) -> list[str]:
    """The concepts that ``feature_names`` belong to, in registry order.

    Parameters
    ----------
    registry : FeatureRegistry
        Declares each feature's concept.
    feature_names : list of str
        The model's inputs; a name missing from the registry falls in
        ``"other information"``.

    Returns
    -------
    list of str
        Each concept once, in the order of ``features.CONCEPTS``, then
        ``"other information"`` if needed.
    """
    used = {_concept(registry, name) for name in feature_names}
    return [c for c in (*CONCEPTS, OTHER_CONCEPT) if c in used]


def concept_matrix(registry: FeatureRegistry, feature_names: list[str]) -> tuple[np.ndarray, list[str]]:
    """A 0/1 matrix mapping features (rows) to concepts (columns).

    Returns
    -------
    matrix : ndarray of shape (n_features, n_concepts)
    concepts : list of str
        Column labels of ``matrix``.
    """
    concepts = concepts_of(registry, feature_names)
    position = {c: i for i, c in enumerate(concepts)}
    matrix = np.zeros((len(feature_names), len(concepts)))
    for row, name in enumerate(feature_names):
        matrix[row, position[_concept(registry, name)]] = 1.0
    return matrix, concepts


def probability_contributions(
    shap_logodds: np.ndarray, probability: np.ndarray, base_probability: np.ndarray | float
) -> np.ndarray:
    """Share ``probability - base_probability`` between concepts in proportion to SHAP.

    Parameters
    ----------
    shap_logodds : ndarray of shape (n_people, n_concepts)
        Exact SHAP values summed per concept.
    probability : ndarray of shape (n_people,)
        Calibrated probability for each person.
    base_probability : float or ndarray of shape (n_people,)
        Calibrated probability at the base log-odds.

    Returns
    -------
    ndarray of shape (n_people, n_concepts)
        Rows sum to ``probability - base_probability``; each entry has the sign of the
        matching SHAP value (or is zero).

    Examples
    --------
    >>> probability_contributions(np.array([[1.0, -0.5]]), np.array([0.3]), 0.1)
    array([[ 0.4, -0.2]])
    """
    shap_logodds = np.asarray(shap_logodds, dtype=float)
    total = shap_logodds.sum(axis=1)
    gap = np.asarray(probability, dtype=float) - base_probability
    safe = np.where(total == 0.0, 1.0, total)
    share = np.where((total == 0.0)[:, None], 0.0, shap_logodds / safe[:, None])
    return share * gap[:, None]


def direction_of(shap_logodds: np.ndarray) -> np.ndarray:
    """``"raises"`` for a positive SHAP value, ``"lowers"`` otherwise."""
    return np.where(np.asarray(shap_logodds) > 0, "raises", "lowers")


def _concept(registry: FeatureRegistry, name: str) -> str:
    try:
        return registry[name].concept
    except KeyError:
        return OTHER_CONCEPT
