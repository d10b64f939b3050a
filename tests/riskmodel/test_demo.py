"""The whole job in one command, on a small synthetic authority.

Runs ``riskmodel demo`` once for the module, then checks that every output a person
reads exists, renders in a real browser, and carries no raw identifier from the extracts.
"""

from __future__ import annotations

import json
import os
import re
import stat

import pandas as pd
import pytest
from typer.testing import CliRunner

from riskmodel.cli import app

IDENTIFIER_COLUMNS = ("PERSON_REF", "LA_CHILD_ID", "UPN", "YJ_ID", "NCCIS_ID")
READABLE = (".html", ".md", ".json", ".csv", ".txt", ".yaml", ".MLmodel")


DEMO_ARGS = ["--young-people", "3000", "--seed", "1"]
# Outputs that describe individual young people, relative to the demo's output folder.
PERSON_LEVEL_FILES = ("features.parquet", "features_groups.parquet", "pseudonym.key", "scores/scores.csv",
                      "scores/explanations.csv", "scores/index.html")
PERSON_LEVEL_FOLDERS = (".", "scores", "scores/cases", "validation/quarantine")


def _run_demo(folder, out):
    """Run the demo under umask 022 (the common default) with its own MLflow store."""
    mlruns = folder / "mlruns"
    mlruns.mkdir(exist_ok=True)
    old = os.umask(0o022)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{mlruns}/mlflow.db")
            result = CliRunner().invoke(app, ["demo", "--out", str(out), *DEMO_ARGS])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    return folder, _run_demo(folder, folder / "out")


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_every_person_level_output_is_owner_only(demo):
    folder, _ = demo
    out = folder / "out"
    pages = list((out / "scores" / "cases").glob("*.html"))
    assert pages
    for path in [*(out / name for name in PERSON_LEVEL_FILES), *pages]:
        assert _mode(path) == 0o600, path.relative_to(out)
    for name in PERSON_LEVEL_FOLDERS:
        assert _mode(out / name) in (0o700,), name


@pytest.mark.slow
def test_the_same_seed_gives_byte_identical_scores(demo, tmp_path):
    folder, _ = demo
    again = tmp_path / "again"
    output = _run_demo(tmp_path, again)
    assert "derived from its seed (1)" in output.replace("\n", " ")
    for name in ("pseudonym.key", "scores/scores.csv", "scores/explanations.csv"):
        assert (again / name).read_bytes() == (folder / "out" / name).read_bytes(), name


def test_the_demo_lists_every_output_and_each_exists(demo):
    folder, output = demo
    out = folder / "out"
    for path in ("validation/validation.json", "features.parquet", "features_groups.parquet",
                 "model/model_card.html", "model/model_card.md", "scores/index.html", "scores/scores.csv",
                 "scores/explanations.csv", "governance/report.html", "governance/audit.json",
                 "governance/transparency_record.md", "governance/recording-bias.html", "label_report.json"):
        assert (out / path).is_file(), path
    for listed in ("validation.json", "features.parquet", "model_card.html", "index.html", "scores.csv",
                   "report.html", "audit.json", "transparency_record.md", "recording-bias.html"):
        assert listed in output
    assert list((out / "scores" / "cases").glob("*.html"))


def test_validation_accepts_every_synthetic_row(demo):
    folder, _ = demo
    report = json.loads((folder / "out" / "validation" / "validation.json").read_text())
    assert sum(t["rows_in"] for t in report["tables"]) > 0
    assert all(t["rows_in"] == t["rows_accepted"] + t["rows_quarantined"] for t in report["tables"])
    assert sum(t["rows_quarantined"] for t in report["tables"]) == 0
    offences = [t for t in report["tables"] if t["table"] == "youth_justice_offences"][0]
    unlisted = [w for w in offences["warnings"] if w["column"] == "HOClass"]
    assert unlisted and unlisted[0]["rows"] > 0 and report["totals"]["warnings"] >= unlisted[0]["rows"]


def test_the_label_report_names_the_label_and_counts_its_windows(demo):
    folder, _ = demo
    report = json.loads((folder / "out" / "label_report.json").read_text())
    assert (report["label"], report["version"]) == ("knife_involvement", "2")
    assert report["windows"] == report["labelled_1"] + report["labelled_0"] + report["label_unknown"]
    assert report["labelled_1"] > 0 and report["windows_with_unknown_knife_flag"] == 0
    scores = pd.read_csv(folder / "out" / "scores" / "scores.csv", dtype={"label_version": str})
    assert set(scores["label_version"]) == {"2"}


def test_the_audit_covers_the_protected_characteristics(demo):
    folder, _ = demo
    audit = json.loads((folder / "out" / "governance" / "audit.json").read_text())
    attributes = {g["attribute"] for g in audit["groups"]}
    assert {"sex", "ethnicity_group", "sen_provision", "age_band", "looked_after"} <= attributes
    assert audit["intersections"]


def test_no_raw_identifier_reaches_any_output(demo):
    folder, _ = demo
    index = pd.read_csv(folder / "out" / "data" / "linkage" / "person_index.csv", dtype=str)
    identifiers = set()
    for column in IDENTIFIER_COLUMNS:
        identifiers |= set(index[column].dropna())
    assert len(identifiers) > 1000
    pattern = re.compile(r"[A-Za-z0-9]{6,}")
    outputs = [p for p in folder.rglob("*") if p.is_file() and p.suffix in READABLE
               and "data" not in p.relative_to(folder).parts[:2]]
    assert any(p.suffix == ".html" for p in outputs)
    for path in outputs:
        tokens = set(pattern.findall(path.read_text(errors="ignore")))
        leaked = tokens & identifiers
        assert not leaked, f"{path.name} holds {len(leaked)} raw identifier(s)"


@pytest.mark.browser
@pytest.mark.parametrize("page", ["governance/report.html", "governance/recording-bias.html",
                                  "model/model_card.html", "scores/index.html", "case"])
def test_pages_render_in_chromium_with_charts_and_no_errors(demo, render_page, page):
    folder, _ = demo
    out = folder / "out"
    path = next((out / "scores" / "cases").glob("*.html")) if page == "case" else out / page
    rendered = render_page(path)
    assert rendered.console_errors == []
    assert rendered.failed_requests == []
    assert rendered.external_requests == []
    assert rendered.broken_images == 0
    if page != "scores/index.html":
        assert rendered.charts > 0
    assert rendered.screenshot.stat().st_size > 10_000


def test_the_demo_signs_its_model_with_a_key_from_its_seed_kept_owner_only(demo, monkeypatch):
    import hashlib
    import hmac

    import training
    from riskmodel import ModelIntegrityError

    folder, output = demo
    key_file = folder / "out" / "signing.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    expected = hmac.new(b"riskmodel demo seed 1", b"model signing key", hashlib.sha256).hexdigest()
    assert key_file.read_text().strip() == expected and expected not in output
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder / 'mlruns'}/mlflow.db")
    model = training.load_registered_model(signing_key=bytes.fromhex(expected))
    assert model.signature
    with pytest.raises(ModelIntegrityError, match="signed with a different signing key"):
        training.load_registered_model()  # the test suite's own key


def test_the_demo_sets_up_the_review_service(demo):
    folder, output = demo
    out = folder / "out"
    passwords = out / "review-passwords.txt"
    assert (out / "review.sqlite3").is_file()
    assert passwords.stat().st_mode & 0o077 == 0
    roles = {line.split("\t")[1] for line in passwords.read_text().splitlines()}
    assert roles == {"practitioner", "team_lead", "governance", "admin"}
    assert "riskmodel review serve --db sqlite:///" in output
    for secret in (line.split("\t")[2] for line in passwords.read_text().splitlines()):
        assert secret not in output


def test_the_demo_times_each_step(demo):
    folder, output = demo
    timings = json.loads((folder / "out" / "timings.json").read_text(encoding="utf-8"))
    names = [s["step"] for s in timings["steps"]]
    assert names[0] == "synthetic authority" and "scoring, explanations and case pages" in names
    assert all(s["wall_seconds"] >= 0 and s["cpu_seconds"] >= 0 for s in timings["steps"])
    assert "Time per step" in output and "total" in output


def test_the_step_clock_adds_up_its_steps():
    from riskmodel.cli._demo import StepClock

    clock = StepClock()
    for name in ("first", "second"):
        with clock.step(name):
            sum(range(10_000))
    lines = clock.lines()
    assert [line.split()[0] for line in lines] == ["first", "second", "total"]
    total = float(lines[-1].split()[1])
    assert total == pytest.approx(sum(s["wall_seconds"] for s in clock.steps), abs=0.11)
