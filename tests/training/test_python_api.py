"""docs/python-api.md runs: its Python blocks, in order, in one namespace, on a small synthetic authority."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.training.conftest import private_store

PAGE = Path(__file__).resolve().parents[2] / "docs" / "python-api.md"
BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def code_blocks(text: str) -> list[str]:
    """The page's ```python blocks, in reading order."""
    return BLOCK.findall(text)


def test_the_page_has_a_block_for_every_step():
    blocks = code_blocks(PAGE.read_text(encoding="utf-8"))
    calls = ["features.synthesize", "features.load_extracts", "features.build_features", "training.fit(",
             "training.train_model(", "model.predict_proba", "riskmodel.explain_scores", "evaluation.audit_scores"]
    assert len(blocks) >= 6 and all(any(call in block for block in blocks) for call in calls)


@pytest.mark.slow
def test_every_block_on_the_page_runs(tmp_path, monkeypatch, empty_store):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", private_store(tmp_path / "mlruns", empty_store))
    monkeypatch.delenv("RISKMODEL_PSEUDONYM_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "python_api_page"}
    for number, block in enumerate(code_blocks(PAGE.read_text(encoding="utf-8")), start=1):
        exec(compile(block, f"{PAGE.name}, block {number}", "exec"), namespace)
    assert (tmp_path / "audit.html").is_file() and namespace["tracked"].model_version == 1
    assert not (tmp_path / "pseudonym.key").stat().st_mode & 0o077  # the key file is owner-only
