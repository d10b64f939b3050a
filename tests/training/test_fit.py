"""``training.fit``: the model and its evaluation in memory, with no tracking store touched."""

from __future__ import annotations

import dataclasses
import json
import sys

import pytest

import training

from tests.training.conftest import FAST, make_feature_table, registry


class _NoMlflow:
    """Stands in for the mlflow module: any use of it fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"fit used mlflow.{name}")


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fit")
    frame, groups = make_feature_table()
    frame.attrs["registry"] = registry().to_dict()
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("MLFLOW_TRACKING_URI", raising=False)
        patch.chdir(folder)
        patch.setitem(sys.modules, "mlflow", None)  # a fresh `import mlflow` fails
        if "training._tracking" in sys.modules:  # one already imported cannot be used either
            patch.setattr(sys.modules["training._tracking"], "mlflow", _NoMlflow())
        result = training.fit(frame, groups=groups, config=training.TrainingConfig(**FAST),
                              progress=lambda *a: None)
    return {"result": result, "folder": folder}


def test_fit_creates_no_tracking_store(fitted):
    assert isinstance(fitted["result"], training.FitResult)
    assert not (fitted["folder"] / "mlruns").exists() and not list(fitted["folder"].iterdir())
    metadata = fitted["result"].model.metadata
    assert "run_id" not in metadata and "version" not in metadata and metadata["name"] == "knife-crime-risk"


def test_fit_gives_the_model_and_metrics_train_model_registers(fitted, trained):
    fit, tracked = fitted["result"], trained["result"]
    assert fit.model.booster.model_to_string() == tracked.model.booster.model_to_string()
    assert fit.model.calibrator == tracked.model.calibrator
    assert json.dumps(fit.metrics, sort_keys=True) == json.dumps(tracked.metrics, sort_keys=True)
    assert fit.verdict == tracked.verdict and fit.flag_count == tracked.flag_count
    assert fit.label_definition == tracked.label_definition == tracked.model.label_definition
    assert fit.test_predictions.equals(tracked.test_predictions)
    assert fit.audit is not None and fit.notes == tracked.notes


def test_fit_renders_its_card_as_unregistered(fitted, trained):
    result = fitted["result"]
    markdown, page = result.model_card(), result.model_card("html")
    assert markdown.startswith("# Model card: knife-crime-risk, version unregistered")
    assert "| MLflow run | not tracked |" in markdown and "<h2>Fit-for-use verdict" in page
    registered = (trained["folder"] / "mlruns").rglob("model_card.md")
    sections = [line for line in next(registered).read_text().splitlines() if line.startswith("## ")]
    assert sections == [line for line in markdown.splitlines() if line.startswith("## ")]


def test_fit_summary_says_it_is_not_registered(fitted):
    summary = fitted["result"].summary()
    assert summary.startswith("Fitted knife-crime-risk (not tracked or registered).")
    assert "Label definition: Label 'user-provided label' version unversioned" in summary


def test_an_unknown_card_format_is_refused(fitted):
    with pytest.raises(ValueError, match="The 'format' option must be 'markdown' or 'html'; got 'pdf'"):
        fitted["result"].model_card("pdf")


def test_results_are_frozen(fitted, trained):
    for result in (fitted["result"], trained["result"]):
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.model = None
    assert isinstance(trained["result"], training.FitResult)
