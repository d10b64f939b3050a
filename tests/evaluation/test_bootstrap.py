"""The vectorised bootstrap: each replicate is a stratified resample, summed correctly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import brier_score_loss, roc_auc_score

from evaluation._bootstrap import build_design, point_weights, replicate_weights, unit_sums
from evaluation._estimate import _calibration_bins
from evaluation._layout import build_layout
from evaluation._metrics import metrics_from_sums


def _setup(n=600, seed=0, ties=True):
    rng = np.random.default_rng(seed)
    groups = pd.DataFrame({"a": rng.choice(list("xyz"), n), "b": rng.choice(list("pq"), n)})
    score = rng.random(n)
    if ties:
        score = np.round(score, 1)
    y = (rng.random(n) < score * 0.6).astype(np.int8)
    flags = score >= 0.5
    layout = build_layout(groups)
    edges, codes = _calibration_bins(score, n=n)
    design = build_design(y, flags, score, layout.cell_codes, layout.n_cells, codes,
                          len(edges) - 1, probability=True)
    return y, flags, score, layout, design


def _original_order(design, weights_row):
    out = np.empty_like(weights_row)
    out[design.order] = weights_row
    return out


def test_replicates_keep_every_cell_size():
    _, _, _, layout, design = _setup()
    weights = replicate_weights(design, 20, np.random.default_rng(1))
    sums = np.add.reduceat(weights, design.cell_starts, axis=1)
    assert (sums == design.cell_sizes).all()


@pytest.mark.parametrize("ties", [True, False])
def test_weighted_replicate_matches_sklearn_with_sample_weight(ties):
    y, flags, score, layout, design = _setup(ties=ties)
    weights = replicate_weights(design, 3, np.random.default_rng(2))
    metrics = metrics_from_sums(unit_sums(design, weights, layout.membership))
    for r in range(3):
        w = _original_order(design, weights[r])
        for u in range(len(layout.units)):
            rows = layout.membership[layout.cell_codes, u]
            yu, su, wu = y[rows], score[rows], w[rows]
            assert metrics["roc_auc"][r, u] == pytest.approx(roc_auc_score(yu, su, sample_weight=wu))
            assert metrics["brier"][r, u] == pytest.approx(brier_score_loss(yu, su, sample_weight=wu))
            fu = flags[rows]
            assert metrics["selection_rate"][r, u] == pytest.approx(np.average(fu, weights=wu))
            assert metrics["tpr"][r, u] == pytest.approx(np.average(fu[yu == 1], weights=wu[yu == 1]))


def test_point_weights_reproduce_the_observed_data():
    y, flags, score, layout, design = _setup()
    metrics = metrics_from_sums(unit_sums(design, point_weights(design), layout.membership))
    assert metrics["n"][0, 0] == len(y)
    assert metrics["roc_auc"][0, 0] == pytest.approx(roc_auc_score(y, score))


@settings(max_examples=25, deadline=None)
@given(st.integers(5, 80), st.integers(0, 10_000))
def test_auc_from_ranks_equals_sklearn_on_any_small_sample(n, seed):
    rng = np.random.default_rng(seed)
    score = rng.integers(0, 5, n).astype(float)
    y = rng.integers(0, 2, n).astype(np.int8)
    groups = pd.DataFrame({"g": rng.choice(["a", "b"], n)})
    layout = build_layout(groups)
    design = build_design(y, score > 2, score, layout.cell_codes, layout.n_cells,
                          np.zeros(n, dtype=np.int64), 1, probability=False)
    auc = metrics_from_sums(unit_sums(design, point_weights(design), layout.membership))["roc_auc"][0]
    for u in range(len(layout.units)):
        rows = layout.membership[layout.cell_codes, u]
        if 0 < y[rows].sum() < rows.sum():
            assert auc[u] == pytest.approx(roc_auc_score(y[rows], score[rows]))
        else:
            assert np.isnan(auc[u])


def test_chunking_does_not_change_the_replicates(monkeypatch):
    from evaluation import _bootstrap
    from evaluation._estimate import estimate

    y, flags, score, layout, _ = _setup()
    whole = estimate(y, flags, score, layout, probability=True, n_boot=40, seed=3)
    monkeypatch.setattr(_bootstrap, "_ELEMENT_BUDGET", 600 * 7)
    chunked = estimate(y, flags, score, layout, probability=True, n_boot=40, seed=3)
    np.testing.assert_allclose(whole.replicates["tpr"], chunked.replicates["tpr"])
