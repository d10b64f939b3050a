"""The console script chooses ordinary memory pages for NumPy and Arrow before either loads."""

from __future__ import annotations

import os
import subprocess
import sys

from riskmodel.cli import SMALL_PAGES, _use_small_pages

# Runs the console script's entry point on a command that loads NumPy and pyarrow, then
# prints whether NumPy still marks its arrays for huge pages (the call returns the setting
# it replaces).
SCRIPT = ("import atexit, sys\n"
          "def report():\n"
          "    import numpy\n"
          "    print('numpy huge pages:', numpy._core.multiarray._set_madvise_hugepage(False), file=sys.stderr)\n"
          "atexit.register(report)\n"
          "from riskmodel.cli import main\n"
          "main()\n")


def _environment(**extra):
    env = {name: value for name, value in os.environ.items() if name not in SMALL_PAGES}
    return {**env, "MIMALLOC_VERBOSE": "1", **extra}


def test_importing_the_command_line_loads_neither_numpy_nor_pandas_nor_arrow():
    code = "import sys, riskmodel.cli; print(sorted({'numpy', 'pandas', 'pyarrow'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_a_command_runs_numpy_and_arrow_on_ordinary_pages(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, "features", "--list"], capture_output=True, text=True,
                          check=False, env=_environment(), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "numpy huge pages: False" in done.stderr
    assert "option 'allow_thp': 0" in done.stderr  # mimalloc's own report of its settings


def test_a_setting_in_the_environment_is_kept(tmp_path):
    done = subprocess.run([sys.executable, "-c", SCRIPT, "features", "--list"], capture_output=True, text=True,
                          check=False, env=_environment(NUMPY_MADVISE_HUGEPAGE="1", MIMALLOC_ALLOW_THP="1"),
                          cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "numpy huge pages: True" in done.stderr
    assert "option 'allow_thp': 1" in done.stderr


def test_the_settings_are_defaults_only(monkeypatch):
    monkeypatch.delenv("NUMPY_MADVISE_HUGEPAGE", raising=False)
    monkeypatch.setenv("MIMALLOC_ALLOW_THP", "1")
    _use_small_pages()
    assert os.environ["NUMPY_MADVISE_HUGEPAGE"] == "0"
    assert os.environ["MIMALLOC_ALLOW_THP"] == "1"
