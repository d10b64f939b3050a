"""The console script ends its process at once, with Python's exit status, output and exit handlers."""

from __future__ import annotations

import secrets
import subprocess
import sys

from typer.testing import CliRunner

from riskmodel.cli import app

SCRIPT = ("import atexit, sys\n"
          "marker = sys.argv.pop(1)\n"
          "atexit.register(lambda: open(marker, 'w').write('ran'))\n"
          "from riskmodel.cli import main\n"
          "main()\n")


def _console(tmp_path, *arguments, env=None):
    marker = tmp_path / "atexit-ran"
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(marker), *arguments], capture_output=True,
                          text=True, check=False, env=env, cwd=tmp_path)
    return done, marker


def test_a_command_that_succeeds_gives_status_0_its_whole_output_and_runs_the_exit_handlers(tmp_path):
    done, marker = _console(tmp_path, "features", "--list")
    assert done.returncode == 0, done.stderr
    assert done.stdout == CliRunner().invoke(app, ["features", "--list"]).stdout
    assert marker.read_text() == "ran"


def test_bad_input_keeps_status_2_and_its_message(tmp_path):
    done, marker = _console(tmp_path, "validate", "--data", str(tmp_path / "absent"), "--out", str(tmp_path / "v"),
                            env={"RISKMODEL_PSEUDONYM_KEY": secrets.token_hex(32), "PATH": ""})
    assert done.returncode == 2
    assert "does not exist" in done.stdout + done.stderr and "Traceback" not in done.stdout + done.stderr
    assert marker.read_text() == "ran"


def test_an_unknown_option_keeps_click_s_usage_status(tmp_path):
    done, _ = _console(tmp_path, "score", "--no-such-option")
    assert done.returncode == 2
    assert "No such option" in done.stderr


def test_a_thread_pool_left_open_by_a_library_does_not_hold_the_process(tmp_path):
    script = ("from concurrent.futures import ThreadPoolExecutor\n"
              "pool = ThreadPoolExecutor(2)\n"
              "pool.submit(int).result()\n" + SCRIPT)
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "marker"), "features", "--list"],
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
