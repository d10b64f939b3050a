"""``riskmodel demo``: a synthetic authority through every step, outputs listed at the end."""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path
from typing import Annotated

import typer

from ._app import progress_steps, reported_errors, app, out
from ._review import demo_review

DEMO_KEY_CONTEXT = b"riskmodel demo pseudonymisation key, synthetic data only; seed "

@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for every output of the demo.")] = Path("demo-output"),
    young_people: Annotated[int, typer.Option("--young-people", min=1000)] = 40_000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Run a synthetic authority through every step and print where each output is.

    The pseudonymisation key is derived from the seed, so the same seed gives the same
    pseudonyms and byte-identical scores; the key is public and fit for synthetic data only.
    """
    clock = StepClock()
    with reported_errors(out_dir), progress_steps() as step:
        outputs = _run_demo(Path(out_dir), young_people, seed, step, clock)
        outputs["time per step"] = clock.write_json(Path(out_dir) / "timings.json")
    out.print("\n[bold]Outputs[/bold]")
    for description, path in outputs.items():
        out.print(f"  {description}: {path}", soft_wrap=True, highlight=False)
    out.print("\n[bold]Time per step[/bold] (wall and CPU seconds; load average when the step ended)")
    for line in clock.lines():
        out.print(f"  {line}", soft_wrap=True, highlight=False)
    out.print("Scores support a professional's judgement; they never decide anything.")


class StepClock:
    """Wall and CPU seconds of each named step, for the demo's closing table and ``timings.json``.

    CPU time is the process's, over all its threads; the load average (where the system
    gives one) says how busy the machine was, so a slow step on a shared machine can be told
    from a slow step.
    """

    def __init__(self) -> None:
        self.steps: list[dict] = []

    @contextlib.contextmanager
    def step(self, name: str):
        """Time the block as step ``name``."""
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.steps.append({"step": name, "wall_seconds": round(time.perf_counter() - wall, 2),
                               "cpu_seconds": round(time.process_time() - cpu, 2), "load_average": _load()})

    def lines(self) -> list[str]:
        """One line per step, then the total."""
        width = max((len(s["step"]) for s in self.steps), default=0)
        rows = [f"{s['step']:<{width}}  {s['wall_seconds']:7.1f} s wall  {s['cpu_seconds']:7.1f} s CPU"
                f"  load {s['load_average'] if s['load_average'] is not None else 'unknown'}" for s in self.steps]
        wall, cpu = (sum(s[k] for s in self.steps) for k in ("wall_seconds", "cpu_seconds"))
        return [*rows, f"{'total':<{width}}  {wall:7.1f} s wall  {cpu:7.1f} s CPU"]

    def write_json(self, path: Path) -> Path:
        """The steps' times as JSON (no data about any young person)."""
        return _write_json({"steps": self.steps, "cores": _cores()}, path)


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):  # not every system reports one
        return None


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _write_json(data: dict, path: Path) -> Path:
    import json

    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def _run_demo(out_dir: Path, n_young_people: int, seed: int, step, clock: StepClock) -> dict[str, Path]:
    import features as feats
    import riskmodel
    import training

    feats.private_folder(out_dir)
    data = out_dir / "data"
    step("generating a synthetic authority")
    with clock.step("synthetic authority"):
        feats.synthesize(data, n_young_people=n_young_people, seed=seed,
                         recording_bias=feats.DEFAULT_RECORDING_BIAS)
    key = demo_key(seed)
    key_file = feats.write_private_text(out_dir / "pseudonym.key", key.hex() + "\n")
    out.print(f"The demo's pseudonymisation key is derived from its seed ({seed}) and written to {key_file}: "
              "the same seed gives the same scores. It is public: never use it for real extracts.")
    signing_key = _demo_signing_key(seed, out_dir / "signing.key", pseudonym_key=key)

    with clock.step("loading and validating the extracts"):
        extracts = feats.load_extracts(data, key=key, progress=step)
        feats.private_folder(out_dir / "validation")
        extracts.report.write_json(out_dir / "validation" / "validation.json")
        extracts.report.write_quarantine(out_dir / "validation" / "quarantine")

    step("building quarterly features and labels")
    with clock.step("quarterly features and labels"):
        dates = training.panel_dates(extracts.tables)
        feature_set = feats.build_features(extracts.tables, dates, progress=step)
        feature_set.write(out_dir / "features.parquet")
        label_report = _write_json(feats.label_report(extracts.tables, dates, data_end=feature_set.data_end),
                                   out_dir / "label_report.json")

    from training._reference import extract_profile

    with clock.step("training, calibration, baselines, audit, model card, registry"):
        # The demo is the machine's only job, so LightGBM may take every core (the library's
        # default leaves one free for other work; training.default_threads).
        config = training.TrainingConfig(num_threads=os.cpu_count() or 1)
        result = training.train_model(feature_set, config=config, experiment="knife-crime-risk-demo", progress=step,
                                      signing_key=signing_key, extract_profile=extract_profile(extracts.tables))
        model_card = _copy_model_card(result, out_dir / "model")

    step("scoring and explaining the latest date")
    with clock.step("scoring, explanations and case pages"):
        scored = riskmodel.score_people(result.model, extracts.tables, feature_set.data_end,
                                        out_dir=out_dir / "scores", progress=step)

    step("auditing the test period")
    with clock.step("governance reports"):
        governance = _demo_governance(result, feature_set, extracts.tables, data, key, out_dir / "governance")
    with clock.step("monitoring and draft DPIA"):
        governance.update(_demo_monitoring(result, feature_set, extracts.tables, out_dir, step))
    step("setting up the review service")
    with clock.step("review service set-up"):
        review = demo_review(out_dir / "scores", out_dir)
    return {
        "synthetic extracts (the truth is kept apart in _truth/)": data,
        "validation report": out_dir / "validation" / "validation.json",
        "feature matrix and groups": out_dir / "features.parquet",
        "label definition and label counts": label_report,
        "MLflow run and registered version": f"{result.run_id}, version {result.model_version}",
        "model card": model_card,
        "case pages, by rank": scored.index_path,
        "scores and explanations": out_dir / "scores" / "scores.csv",
        **governance,
        **review,
    }


def demo_key(seed: int) -> bytes:
    """The demo's pseudonymisation key: SHA-256 of a fixed text and the seed.

    Deterministic, so two demos with one seed pseudonymise alike and give byte-identical
    scores; anyone can derive it, so it protects synthetic data only.

    Examples
    --------
    >>> demo_key(0) == demo_key(0) != demo_key(1)
    True
    >>> len(demo_key(0))
    32
    """
    return hashlib.sha256(DEMO_KEY_CONTEXT + str(int(seed)).encode("ascii")).digest()


def _demo_signing_key(seed: int, path: Path, *, pseudonym_key: bytes) -> bytes:
    """The demo's model signing key: HMAC-SHA256 of a fixed label under the seed, so one seed signs alike.

    It is a demonstration key, public to anyone who knows the seed; an authority's own key is
    random and kept outside the artifact store. It is written owner-only to ``path`` so that
    ``riskmodel score --signing-key-file`` can load the demo's registered model afterwards.
    """
    import hmac

    import features as feats
    from riskmodel import check_keys_differ

    key = hmac.new(f"riskmodel demo seed {seed}".encode(), b"model signing key", hashlib.sha256).digest()
    check_keys_differ(key, pseudonym_key)
    feats.write_private_text(path, key.hex() + "\n")
    out.print(f"The demo signs its model with a key derived from seed {seed}, kept at {path} (owner only); "
              "a real authority uses its own random key.", soft_wrap=True, highlight=False)
    return key


def _demo_governance(result, feature_set, tables, data: Path, key: bytes, folder: Path) -> dict[str, Path]:
    """The governance report of the test period, and recorded against true outcomes."""
    from evaluation import audit_scores, compare_audits_html, write_transparency_record
    from features import DEFAULT_RECORDING_BIAS, true_labels

    folder.mkdir(parents=True, exist_ok=True)
    test = result.test_predictions
    context = _governance_context(result, feature_set)
    audit = result.audit
    audit.write_json(folder / "audit.json", context=context)
    audit.write_html(folder / "report.html", context=context)
    write_transparency_record(audit, folder / "transparency_record.md", context=context)

    truth = true_labels(data, tables, test["as_of"].unique(), key=key, label=feature_set.label_definition,
                        data_end=feature_set.data_end)
    truth = test[["person_id", "as_of"]].merge(truth, on=["person_id", "as_of"], how="left")["label"]
    group = DEFAULT_RECORDING_BIAS["group"]
    audits = {
        outcome: audit_scores(y_true, y_score=test["probability"].to_numpy(), top_k=result.flag_count,
                              sensitive_features=test[[group]], person=test["person_id"].to_numpy(), n_boot=500, random_state=0)
        for outcome, y_true in (("recorded outcome", test["label"].to_numpy()), ("true outcome", truth.to_numpy()))
    }
    note = (
        "In this synthetic authority, possession of a bladed article is recorded more often for one "
        f"group ({group} = {DEFAULT_RECORDING_BIAS['value']}) in some areas, as targeted stop and "
        "search does. The audit against the recorded outcome is what an authority can compute; the "
        "audit against the true outcome is only possible here, where the truth is known."
    )
    compare_audits_html(audits, folder / "recording-bias.html", context=context, note=note)
    return {
        "governance report": folder / "report.html",
        "audit (JSON twin)": folder / "audit.json",
        "draft transparency record": folder / "transparency_record.md",
        "recording bias: recorded against true outcome": folder / "recording-bias.html",
    }


def _demo_monitoring(result, feature_set, tables: dict, out_dir: Path, step) -> dict[str, Path]:
    """Monitor the latest batch against the training reference; write the draft DPIA."""
    from evaluation import write_dpia_draft
    from training._monitor import monitor_tables

    from ._monitor import _log_monitoring

    step("monitoring the latest batch against the training reference")
    monitoring = monitor_tables(result.model, tables, as_of=feature_set.data_end)
    paths = monitoring.write(out_dir / "monitoring")
    _log_monitoring(monitoring, paths)
    context = {"model_name": result.model.metadata.get("name"), "model_version": result.model_version,
               "label_definition": feature_set.label_definition.describe(), "data_dates": result.split.describe()}
    dpia = write_dpia_draft(result.audit, out_dir / "governance" / "dpia_draft.md", context=context,
                            monitoring=monitoring.payload)
    return {f"monitoring of the latest batch ({monitoring.status})": paths["html"], "draft DPIA": dpia}


def _governance_context(result, feature_set) -> dict:
    return {
        "model": f"{result.model.metadata.get('name')} version {result.model_version}",
        "label definition": feature_set.label_definition.describe(),
        "split": result.split.describe(),
        "data end": f"{feature_set.data_end:%Y-%m-%d}",
    }


def _copy_model_card(result, folder: Path) -> Path:
    """Copy the run's model card out of the MLflow artifact store for reading."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    for name, location in result.card_paths.items():
        shutil.copyfile(location, folder / name)
    return folder / "model_card.html"
