"""Fixtures shared by every package's tests."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests never fail on timing (CI machines are shared and slow) and, in CI, run the
# same examples every time so a red build can be reproduced; locally they explore afresh.
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# Playwright's sync API keeps an event loop running in the test thread while the shared
# browser is open; Django (the review service, the demo's review step) would then refuse
# database calls as if made from async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class RenderedPage:
    """What a page did in a real browser: its console, failed requests and a screenshot."""

    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    charts: int = 0
    broken_images: int = 0
    screenshot: Path | None = None
    title: str = ""


# Screenshots of every page rendered by the tests are kept here for a person to look at.
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-output" / "screenshots"


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def chromium():
    """Headless Chromium (Debian's), shared by every browser check of the session.

    Skips when Chromium is absent on a developer machine; fails in CI, where
    ``make test`` installs it.
    """
    executable = _chromium()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is not installed; 'make test' installs Debian's chromium package.")
        pytest.skip("Chromium is not installed (make test installs it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# A synthetic pseudonymisation key for command-line tests (never a real authority's key).
TEST_PSEUDONYM_KEY = hashlib.sha256(b"riskmodel test suite pseudonymisation key").hexdigest()


@pytest.fixture
def key_env(monkeypatch) -> str:
    """Set ``RISKMODEL_PSEUDONYM_KEY`` to the test suite's strong key, and return it (hex)."""
    monkeypatch.setenv("RISKMODEL_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    return TEST_PSEUDONYM_KEY


# A synthetic model signing key for every test (never a real authority's key). Session-wide,
# so module-scoped fixtures that train or save a model see it too.
TEST_SIGNING_KEY = hashlib.sha256(b"riskmodel test suite signing key").hexdigest()


@pytest.fixture(scope="session", autouse=True)
def signing_key() -> bytes:
    """The test signing key, also set as ``RISKMODEL_SIGNING_KEY`` for the whole session."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RISKMODEL_SIGNING_KEY", TEST_SIGNING_KEY)
        yield bytes.fromhex(TEST_SIGNING_KEY)


@pytest.fixture(scope="session")
def render_page(chromium):
    """Render a local HTML file in headless Chromium and report what happened."""
    browser = chromium
    shots = Path(os.environ.get("RISKMODEL_SCREENSHOTS", SCREENSHOTS))
    shots.mkdir(parents=True, exist_ok=True)

    def render(path: Path) -> RenderedPage:
        result = RenderedPage()
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: m.type == "error" and result.console_errors.append(m.text))
        page.on("pageerror", lambda e: result.console_errors.append(str(e)))
        page.on("requestfailed", lambda r: result.failed_requests.append(r.url))
        page.on("request", lambda r: r.url.startswith(("http:", "https:")) and result.external_requests.append(r.url))
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        result.title = page.title()
        result.charts = page.locator("svg, img").count()
        result.broken_images = page.evaluate(
            "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length"
        )
        result.screenshot = shots / f"{Path(path).stem}.png"
        page.screenshot(path=str(result.screenshot), full_page=True)
        page.close()
        return result

    return render
@pytest.fixture(scope="module")
def dask_client():
    """A two-worker Dask ``LocalCluster`` on 127.0.0.1 (one thread each), closed after the module."""
    import logging

    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
        yield client


@pytest.fixture(autouse=True, scope="session")
def _tidy_stores(tmp_path_factory):
    """'riskmodel score' and 'explain' keep their tidy stores in the session's temporary folder,
    never in the home folder's cache (commands run in subprocesses inherit the variable)."""
    previous = os.environ.get("RISKMODEL_STORE")
    os.environ["RISKMODEL_STORE"] = str(tmp_path_factory.mktemp("tidy-stores"))
    yield
    if previous is None:
        os.environ.pop("RISKMODEL_STORE", None)
    else:
        os.environ["RISKMODEL_STORE"] = previous
