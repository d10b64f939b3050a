"""Exact SHAP grouped into concepts, and contributions on the probability scale."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from features import Feature, FeatureRegistry
from riskmodel import FeatureMismatchError
from riskmodel._explain import (
    EXPLANATION_COLUMNS,
    concept_matrix,
    decompose,
    explain_scores,
    probability_contributions,
)


def test_concepts_plus_base_equal_the_model_logodds(model, X):
    table = explain_scores(model, X)
    parts = decompose(model, X)
    per_person = table.groupby("person_id")["shap_logodds"].sum()
    expected = pd.Series(parts.model_logodds - parts.base_logodds, index=parts.person_id)
    np.testing.assert_allclose(per_person.reindex(expected.index).fillna(0.0), expected, atol=1e-6)
    np.testing.assert_allclose(parts.model_logodds, model.predict_logodds(X), atol=1e-12)


def test_contributions_add_up_to_probability_minus_base_probability(model, X):
    table = explain_scores(model, X)
    parts = decompose(model, X)
    per_person = table.groupby("person_id")["contribution"].sum()
    gap = pd.Series(parts.probability - parts.base_probability, index=parts.person_id)
    np.testing.assert_allclose(per_person.reindex(gap.index).fillna(0.0), gap, atol=1e-9)
    np.testing.assert_allclose(parts.probability, model.predict_proba(X), atol=1e-12)


def test_table_has_the_documented_columns_and_directions(model, X):
    table = explain_scores(model, X)
    assert list(table.columns) == EXPLANATION_COLUMNS
    assert set(table["direction"]) <= {"raises", "lowers"}
    assert (table.loc[table["direction"] == "raises", "shap_logodds"] > 0).all()
    assert (table.loc[table["direction"] == "lowers", "shap_logodds"] < 0).all()
    assert (np.sign(table["contribution"]) * np.sign(table["shap_logodds"]) >= 0).all()
    assert (table["shap_logodds"] != 0).all()


def test_person_id_comes_from_a_column_when_present(model, X):
    with_column = X.reset_index()
    table = explain_scores(model, with_column)
    assert set(table["person_id"]) <= set(X.index)
    assert table["person_id"].nunique() == len(X)


def test_rows_are_grouped_by_person_biggest_effect_first(model, X):
    table = explain_scores(model, X.iloc[:20])
    assert list(pd.unique(table["person_id"])) == list(X.index[:20])
    for _, rows in table.groupby("person_id", sort=False):
        size = rows["shap_logodds"].abs().to_numpy()
        assert (np.diff(size) <= 0).all()


def test_a_missing_feature_is_refused_with_a_diff(model, X):
    with pytest.raises(FeatureMismatchError, match=r"Missing \(1\): prior_offences"):
        explain_scores(model, X.drop(columns="prior_offences"))


def test_concept_matrix_maps_unknown_features_to_other_information():
    registry = FeatureRegistry((Feature("a", "A", "t", "w", "count", "NEET", "{value} a"),))
    matrix, concepts = concept_matrix(registry, ["a", "unregistered"])
    assert concepts == ["NEET", "other information"]
    np.testing.assert_array_equal(matrix, [[1, 0], [0, 1]])


def test_concept_shap_sums_features_within_each_concept(model, X):
    contributions = model.contributions(X)
    parts = decompose(model, X)
    grouped = pd.DataFrame(parts.shap_logodds, index=contributions.index, columns=parts.concepts)
    np.testing.assert_allclose(
        grouped["school exclusions"],
        contributions["suspensions_12m"] + contributions["permanent_exclusion_24m"],
    )
    np.testing.assert_allclose(
        grouped.sum(axis=1) + contributions["base"], model.predict_logodds(X), atol=1e-9
    )


@settings(max_examples=200, deadline=None)
@given(
    shap=arrays(np.float64, (5, 4), elements=st.floats(-5, 5, allow_nan=False)),
    base=st.floats(0.001, 0.999),
    shift=st.floats(0.0, 1.0),
)
def test_probability_contributions_are_exact_and_keep_their_sign(shap, base, shift):
    # a monotone calibration: the probability moves with the log-odds total
    total = shap.sum(axis=1)
    probability = np.clip(base + np.tanh(total) * shift * 0.5, 0.0, 1.0)
    out = probability_contributions(shap, probability, base)
    np.testing.assert_allclose(out.sum(axis=1), probability - base, atol=1e-9)
    same_sign = np.sign(out) * np.sign(shap) * np.sign(total)[:, None] * np.sign(probability - base)[:, None]
    assert (same_sign >= 0).all()


def test_no_contribution_when_the_score_equals_the_base():
    out = probability_contributions(np.array([[1.0, -1.0]]), np.array([0.2]), 0.2)
    np.testing.assert_array_equal(out, [[0.0, 0.0]])


def test_an_empty_matrix_gives_an_empty_table(model, X):
    table = explain_scores(model, X.iloc[0:0])
    assert list(table.columns) == EXPLANATION_COLUMNS
    assert len(table) == 0


def test_with_tables_statements_cite_the_records(real_model, tables):
    from features import build_features

    frame = build_features(tables, "2024-03-31").frame
    busy = frame.loc[(frame["suspensions_12m"] > 0) | (frame["offences_24m"] > 0)].head(8)
    table = explain_scores(real_model, busy[["person_id", *real_model.feature_names]], tables=tables,
                           as_of="2024-03-31")
    assert set(table["person_id"]) == set(busy["person_id"].astype(str))
    cited = table.loc[table["evidence"] != ""]
    assert len(cited) > 0
    assert cited["evidence"].str.fullmatch(r"[\w/.]+:row \d+(; [\w/.]+:row \d+)*(; and \d+ more)?").all()
    without = explain_scores(real_model, busy[["person_id", *real_model.feature_names]])
    assert (without["evidence"] == "").all()
