"""evaluation stands alone: it imports nothing from the rest of the library."""

from __future__ import annotations

import ast
from pathlib import Path

import evaluation

OURS = {"features", "training", "riskmodel"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_evaluation_imports_nothing_of_ours():
    package = Path(evaluation.__file__).parent
    files = list(package.rglob("*.py"))
    assert len(files) > 10
    for path in files:
        assert not (_imports(path) & OURS), path.name


def test_public_names_are_exported():
    expected = {"audit_scores", "audit_files", "AuditResult", "AuditInputError",
                "read_scores_table", "write_transparency_record", "compare_audits_html", "write_dpia_draft",
                "suppress_counts", "AuditSpec", "on_score", "roc_auc_score", "roc_auc_replicates",
                "PersonBootstrap", "calibration_bins"}
    assert expected == set(evaluation.__all__)
    assert all(hasattr(evaluation, name) for name in expected)
