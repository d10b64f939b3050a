"""Calibration on validation: restores true probabilities, honest cross-fitted choice."""

from __future__ import annotations

import numpy as np
import pytest

from riskmodel._model import IsotonicCalibrator, SigmoidCalibrator
from training._calibration import choose_calibrator, fit_calibrator, person_folds


def _shifted(n=20_000, seed=0, shift=2.0):
    """Log-odds from a model trained with up-weighted positives: true log-odds plus a shift."""
    rng = np.random.default_rng(seed)
    true = rng.normal(-4, 1.2, n)
    y = (rng.random(n) < 1 / (1 + np.exp(-true))).astype(float)
    return true + shift, y, rng.integers(0, n // 4, n)


@pytest.mark.parametrize("method", ["isotonic", "sigmoid"])
def test_calibration_restores_the_base_rate(method):
    z, y, _ = _shifted()
    calibrator = fit_calibrator(method, z, y)
    raw = 1 / (1 + np.exp(-z))
    assert raw.mean() > 3 * y.mean()
    assert calibrator.predict(z).mean() == pytest.approx(y.mean(), rel=0.05)


def test_sigmoid_is_chosen_when_the_truth_is_logistic():
    z, y, person = _shifted()
    calibrator, scores = choose_calibrator(z, y, person=person)
    assert isinstance(calibrator, SigmoidCalibrator)
    assert set(scores) == {"isotonic", "sigmoid"} and scores["sigmoid"] <= scores["isotonic"]
    assert calibrator.slope == pytest.approx(1, abs=0.1) and calibrator.intercept == pytest.approx(-2, abs=0.3)


def test_isotonic_is_chosen_when_the_link_is_not_logistic():
    rng = np.random.default_rng(1)
    z = rng.uniform(-5, 5, 20_000)
    y = (rng.random(len(z)) < np.where(z > 1, 0.3, 0.01)).astype(float)
    calibrator, _ = choose_calibrator(z, y, person=np.arange(len(z)), score="brier")
    assert isinstance(calibrator, IsotonicCalibrator)


def test_choice_is_deterministic_for_a_seed():
    z, y, person = _shifted(n=5000)
    assert choose_calibrator(z, y, person=person, random_state=4) == choose_calibrator(z, y, person=person, random_state=4)


def test_folds_never_split_a_person():
    person = np.repeat(np.arange(300), 4)
    folds = person_folds(person, n_folds=5, random_state=0)
    assert all(len(set(folds[person == p])) == 1 for p in range(300))
    assert set(folds) == set(range(5))
