"""The scoring path's exact tree SHAP, and LightGBM's, agree with shap.TreeExplainer."""

import numpy as np
import pytest

from tests.riskmodel._shap_reference import max_difference_from_lightgbm, tree_shap_values


def test_lightgbm_contributions_equal_shap_tree_explainer(model, X):
    assert max_difference_from_lightgbm(model.booster, X) < 1e-6


def test_tree_explainer_values_add_up_to_the_raw_output(model, X):
    values, base = tree_shap_values(model.booster, X)
    raw = model.predict_logodds(X)
    np.testing.assert_allclose(values.sum(axis=1) + base, raw, atol=1e-6)


@pytest.mark.parametrize("seed", [1, 2])
def test_agreement_holds_with_missing_values(model, make_features, seed):
    X = make_features(50, seed=seed)
    X.iloc[::3, :] = np.nan
    assert max_difference_from_lightgbm(model.booster, X) < 1e-6


@pytest.mark.parametrize("rows", [1, 400])
def test_the_scoring_contributions_equal_shap_tree_explainer(model, make_features, rows):
    X = make_features(400, seed=3).head(rows)  # the scoring path reads the parsed trees for any number of rows
    X.iloc[::5, :] = np.nan
    ours = model.contributions(X)
    values, base = tree_shap_values(model.booster, X)
    np.testing.assert_allclose(ours.drop(columns="base").to_numpy(), values, atol=1e-6)
    np.testing.assert_allclose(ours["base"].to_numpy(), base, atol=1e-6)
