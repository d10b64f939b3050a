"""Figures print group values as written, "$" included (never as matplotlib mathtext)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from evaluation._plots import calibration_figure, error_rate_figure

VALUES = ["cost $5 a week", "$unbalanced", "$x^2$ band", "from $10 to $20"]
CALIBRATION = {"bins": [{"mean_score": 0.1, "observed_rate": 0.12}, {"mean_score": 0.3, "observed_rate": 0.28}]}


def _record(value, i):
    metric = {"value": 0.2 + 0.1 * i, "ci_low": 0.1, "ci_high": 0.4}
    return {"attribute": "area", "value": value, "suppressed": False, "reference": i == 0,
            "metrics": {"tpr": metric, "fpr": metric},
            "calibration": CALIBRATION}


@pytest.mark.parametrize("figure", ["error_rate", "calibration"])
def test_dollar_signs_in_group_values_are_printed_as_written(figure):
    records = [_record(value, i) for i, value in enumerate(VALUES)]
    if figure == "error_rate":
        svg = error_rate_figure(records, "area", ["tpr", "fpr"], label="Error rates by area")
    else:
        svg = calibration_figure({"calibration": CALIBRATION}, records, "area", label="Calibration by area")
    texts = [unescape(text) for text in re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)]
    for value in VALUES:
        assert value in texts, value
