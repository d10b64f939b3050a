"""The model card's calibration plot prints its title and model names as written."""

from __future__ import annotations

import numpy as np


def test_training_calibration_plot_accepts_a_dollar_title():
    from training._plots import calibration_plot

    rng = np.random.default_rng(0)
    png = calibration_plot(rng.integers(0, 2, 200), {"model $A": rng.random(200)}, title="knife-crime $risk_$ model")
    assert png.startswith(b"\x89PNG")
