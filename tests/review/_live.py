"""``riskmodel review`` commands run as a user would, and a served instance on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

RISKMODEL = [sys.executable, "-c", "from riskmodel.cli import main; main()"]


def cli(*args: str, stdin: str | None = None, env: dict) -> None:
    """Run ``riskmodel ARGS`` in a new process; fail the test with its output when it fails."""
    result = subprocess.run(RISKMODEL + list(args), input=stdin, capture_output=True, text=True, env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def start(url: str, port: int, *options: str, env: dict) -> subprocess.Popen:
    """``riskmodel review serve`` on 127.0.0.1:``port``, once it answers (its output piped)."""
    server = subprocess.Popen(RISKMODEL + ["review", "serve", "--db", url, "--port", str(port), *options], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    wait_for(f"http://127.0.0.1:{port}/login/", server)
    return server


def wait_for(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180  # a busy machine can take a minute to import the service
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the review service stopped: " + (server.stdout.read() if server.stdout else ""))
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("the review service did not start within three minutes")
