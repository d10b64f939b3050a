"""The packages' dependency rule, and importing the library changes no global state.

``features`` and ``evaluation`` import nothing of ours; ``riskmodel`` imports
``features``; ``training`` imports ``features``, ``evaluation`` and ``riskmodel``;
``review`` imports ``riskmodel`` and ``evaluation``, never ``training``. Only the
command line (``riskmodel/cli``) reaches everything, and only inside its commands.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import evaluation

ROOT = Path(evaluation.__file__).parents[1]
OURS = {"features", "evaluation", "riskmodel", "training", "review"}
ALLOWED = {
    "features": set(),
    "evaluation": set(),
    "riskmodel": {"features"},
    "training": {"features", "evaluation", "riskmodel"},
    "review": {"riskmodel", "evaluation"},
}


def _imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text())
    nodes = tree.body if top_level_only else ast.walk(tree)
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & OURS


def _files(package: str, *, cli: bool = False) -> list[Path]:
    files = [p for p in (ROOT / package).rglob("*.py")
             if ("cli" in p.relative_to(ROOT).parts) == cli and "migrations" not in p.parts]
    return files


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_the_rule_allows(package):
    files = _files(package)
    assert len(files) > 5
    for path in files:
        extra = _imports(path) - ALLOWED[package] - {package}
        assert not extra, f"{path.relative_to(ROOT)} imports {sorted(extra)}"


def test_the_command_line_imports_the_other_packages_only_inside_commands():
    files = _files("riskmodel", cli=True)
    assert len(files) > 3
    for path in files:
        extra = _imports(path, top_level_only=True) - ALLOWED["riskmodel"] - {"riskmodel"}
        assert not extra, f"{path.relative_to(ROOT)} imports {sorted(extra)} at module level"


def test_the_rule_catches_a_forbidden_import(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text("def f():\n    from training import fit\n")
    assert _imports(planted) - ALLOWED["evaluation"] == {"training"}


_CHECK = """
import sys
import matplotlib
before = matplotlib.rcParams._get_backend_or_none()
import evaluation, training, riskmodel, features
assert "matplotlib.pyplot" not in sys.modules, "pyplot was imported"
assert matplotlib.rcParams._get_backend_or_none() == before, "the backend was changed"
print("ok")
"""


def test_importing_the_library_leaves_matplotlib_alone():
    env = {k: v for k, v in __import__("os").environ.items() if k != "MPLBACKEND"}
    done = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_drawing_a_figure_needs_no_pyplot():
    check = _CHECK.replace('print("ok")', (
        "from training._plots import calibration_plot\n"
        "png = calibration_plot([0, 1, 0, 1], {'m': [0.1, 0.8, 0.3, 0.6]}, title='t')\n"
        "assert png.startswith(b'\\x89PNG')\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert matplotlib.rcParams._get_backend_or_none() == before\n"
        "print('ok')"))
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]


def test_public_names_are_exported():
    expected = {"audit_scores", "audit_files", "AuditSpec", "on_score", "AuditResult", "AuditInputError",
                "read_scores_table", "write_transparency_record", "compare_audits_html", "write_dpia_draft",
                "suppress_counts", "roc_auc_score", "roc_auc_replicates", "PersonBootstrap",
                "calibration_bins", "bootstrap_interval"}
    assert expected == set(evaluation.__all__)
    assert all(hasattr(evaluation, name) for name in expected)
