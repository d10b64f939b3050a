"""review imports riskmodel and evaluation, never training; only the command line imports review."""

from __future__ import annotations

import ast
from pathlib import Path

import review

ROOT = Path(review.__file__).parents[1]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_review_never_imports_training():
    files = list((ROOT / "review").rglob("*.py"))
    assert len(files) > 10
    for path in files:
        assert "training" not in _imports(path), path.name


def test_only_the_command_line_imports_review():
    for package in ("riskmodel", "features", "training", "evaluation"):
        for path in (ROOT / package).rglob("*.py"):
            if "cli" in path.relative_to(ROOT).parts:
                continue
            assert "review" not in _imports(path), path.relative_to(ROOT)


def test_public_names_are_exported(tmp_path):
    from django.conf import settings

    if not settings.configured:
        review.configure(f"sqlite:///{tmp_path / 'review.sqlite3'}")
    assert set(review.__all__) >= {"configure", "migrate", "import_batch", "add_user", "export_decisions", "serve"}
    assert all(hasattr(review, name) for name in review.__all__)
