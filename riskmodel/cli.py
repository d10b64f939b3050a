"""The ``riskmodel`` command line: the contract other tools and scripts rely on.

Every command imports what it needs inside its own body, so ``riskmodel --help`` stays
fast and this is the only module that reaches every package. A data problem ends with a
one-paragraph message and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

app = typer.Typer(
    name="riskmodel",
    help=(
        "Explained, audited knife-crime risk scores for 10-18 year olds from a local "
        "authority's statutory extracts. Scores support a professional's judgement; "
        "they never decide anything."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console(stderr=True)
out = Console()

EXIT_BAD_INPUT = 2

DataOption = Annotated[
    Path, typer.Option("--data", help="Folder of statutory extracts (see docs/data-formats.md).")
]
KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="File holding the pseudonymisation key; default: $RISKMODEL_PSEUDONYM_KEY, "
        "else ./.pseudonym.key.",
    ),
]
ModelOption = Annotated[
    str,
    typer.Option("--model", help="Registered model as NAME or NAME/VERSION; latest version by default."),
]


def main() -> None:
    """Entry point of the ``riskmodel`` console script."""
    app()


# --- shared plumbing ----------------------------------------------------------------


def _user_errors() -> tuple[type[Exception], ...]:
    """Exception types that mean bad input, shown as a message rather than a traceback."""
    from evaluation import AuditInputError
    from features import DataError
    from riskmodel import FeatureMismatchError, ModelIntegrityError, PersonNotFoundError

    return (
        DataError,
        AuditInputError,
        FeatureMismatchError,
        ModelIntegrityError,
        PersonNotFoundError,
        FileNotFoundError,
        ValueError,
    )


@contextlib.contextmanager
def _reported_errors() -> Iterator[None]:
    """Turn a data or input problem into a one-paragraph message and exit status 2."""
    try:
        yield
    except _user_errors() as error:
        console.print("[bold red]riskmodel: cannot continue.[/bold red]")
        console.print(str(error), soft_wrap=True, markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


@contextlib.contextmanager
def _progress() -> Iterator[callable]:
    """A progress display; yields a callback ``step(description, fraction=None)``."""
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )
    task = bar.add_task("starting", total=None)

    def step(description: str, fraction: float | None = None) -> None:
        bar.update(task, description=description, total=1.0 if fraction is not None else None,
                   completed=fraction or 0.0)
        if not console.is_terminal:
            console.print(f"  {description}", style="dim")

    with bar:
        yield step


def _key(key_file: Path | None, *, create: bool = False) -> bytes:
    from features import load_pseudonym_key

    if key_file is None and not os.environ.get("RISKMODEL_PSEUDONYM_KEY"):
        key_file = Path(".pseudonym.key")
    return load_pseudonym_key(key_file=key_file, create=create)


def _load(data: Path, key_file: Path | None, step) -> object:
    from features import load_extracts

    extracts = load_extracts(data, key=_key(key_file), progress=step)
    _say_quarantine(extracts.report)
    return extracts


def _say_quarantine(report) -> None:
    quarantined = sum(t["rows_quarantined"] for t in report.tables)
    if quarantined:
        console.print(
            f"[yellow]{quarantined} row(s) were quarantined and left out; run "
            "'riskmodel validate' to see which rows and why.[/yellow]"
        )


def _parse_model(model: str) -> tuple[str, int | None]:
    name, _, version = model.partition("/")
    if version and not version.isdigit():
        raise ValueError(
            f"The '--model' option must be NAME or NAME/VERSION with a whole-number version; "
            f"got version '{version}'."
        )
    return name, int(version) if version else None


# --- commands -----------------------------------------------------------------------


@app.command()
def synth(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write the synthetic extracts to.")],
    young_people: Annotated[int, typer.Option("--young-people", min=100, help="Number of young people.")] = 40_000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    recording_bias: Annotated[
        bool,
        typer.Option(help="Over-record possession offences for one group in some areas, as targeted stop and search does."),
    ] = True,
) -> None:
    """Write a synthetic local authority's statutory extracts (and its hidden truth in _truth/)."""
    from features import DEFAULT_RECORDING_BIAS, synthesize

    with _reported_errors():
        summary = synthesize(
            out_dir,
            n_young_people=young_people,
            seed=seed,
            recording_bias=DEFAULT_RECORDING_BIAS if recording_bias else None,
        )
    out.print(f"Synthetic authority written to {out_dir} ({young_people} young people, seed {seed}).")
    out.print(f"The synthetic truth (never an input) is in {Path(out_dir) / '_truth'}.")
    del summary


@app.command()
def validate(
    data: DataOption,
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for validation.json and quarantine/.")],
    key_file: KeyFileOption = None,
) -> None:
    """Load, validate, pseudonymise and link every source; report every problem at once."""
    from features import validate_extracts

    with _reported_errors():
        report = validate_extracts(data, out_dir, key=_key(key_file))
    rows_in = sum(t["rows_in"] for t in report.tables)
    quarantined = sum(t["rows_quarantined"] for t in report.tables)
    out.print(
        f"{len(report.tables)} tables, {rows_in} rows read, {rows_in - quarantined} accepted, "
        f"{quarantined} quarantined."
    )
    out.print(f"Report: {Path(out_dir) / 'validation.json'}")
    if quarantined:
        out.print(f"Quarantined rows, for the data owner to fix: {Path(out_dir) / 'quarantine'}")


@app.command()
def features(
    data: Annotated[Path | None, typer.Option("--data", help="Folder of statutory extracts.")] = None,
    as_of: Annotated[list[str] | None, typer.Option("--as-of", help="As-of date (YYYY-MM-DD); repeat for several.")] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Output FILE.parquet (groups go to FILE_groups.parquet).")] = None,
    horizon_months: Annotated[int, typer.Option("--horizon-months", min=1, max=36)] = 12,
    label: Annotated[str, typer.Option("--label", help="Label definition name.")] = "knife_involvement",
    list_features: Annotated[bool, typer.Option("--list", help="Print the feature registry and stop.")] = False,
    key_file: KeyFileOption = None,
) -> None:
    """Build point-in-time features and labels for everyone aged 10-18 on each as-of date."""
    import features as feats

    if list_features:
        _print_registry(feats.default_registry())
        return
    with _reported_errors():
        if data is None or not as_of or out_file is None:
            raise ValueError(
                "The 'features' command needs '--data', at least one '--as-of' date and '--out' "
                "(or '--list' to print the feature registry)."
            )
        definition = _label_definition(label)
        with _progress() as step:
            extracts = _load(data, key_file, step)
            feature_set = feats.build_features(
                extracts.tables, as_of, horizon_months=horizon_months, label=definition, progress=step
            )
        feature_set.write(out_file)
    frame = feature_set.frame
    out.print(
        f"{len(frame)} rows ({frame['person_id'].nunique()} young people, {len(as_of)} as-of date(s)), "
        f"{len(feature_set.registry)} features -> {out_file}"
    )
    out.print(f"Label: {feature_set.label_definition.describe()}")


def _label_definition(name: str):
    from features import LABEL_DEFINITIONS

    if name not in LABEL_DEFINITIONS:
        raise ValueError(
            f"The '--label' option must be one of {', '.join(sorted(LABEL_DEFINITIONS))}; got '{name}'."
        )
    return LABEL_DEFINITIONS[name]


def _print_registry(registry) -> None:
    from rich.table import Table

    table = Table(title="Feature registry", show_lines=False)
    for column in ("name", "concept", "window", "source", "description"):
        table.add_column(column)
    for feature in registry:
        table.add_row(feature.name, feature.concept, feature.window, feature.source, feature.description)
    out.print(table)


@app.command()
def train(
    data: Annotated[Path | None, typer.Option("--data", help="Folder of statutory extracts.")] = None,
    features_file: Annotated[Path | None, typer.Option("--features", help="A feature table with person_id, as_of and label.")] = None,
    experiment: Annotated[str, typer.Option("--experiment", help="MLflow experiment name.")] = "knife-crime-risk",
    config: Annotated[Path | None, typer.Option("--config", help="Training configuration (TOML or JSON).")] = None,
    registered_name: Annotated[str, typer.Option("--registered-name", help="Registered model name.")] = "knife-crime-risk",
    key_file: KeyFileOption = None,
) -> None:
    """Train, calibrate and compare the model with baselines; track and register it in MLflow."""
    import training

    with _reported_errors():
        if (data is None) == (features_file is None):
            raise ValueError("The 'train' command needs exactly one of '--data' or '--features'.")
        settings = training.load_config(config) if config else None
        with _progress() as step:
            if data is not None:
                result = training.train_from_data(
                    data, key=_key(key_file), config=settings, experiment=experiment,
                    registered_name=registered_name, progress=step,
                )
            else:
                result = training.train_model(
                    training.read_feature_table(features_file), config=settings,
                    experiment=experiment, registered_name=registered_name, progress=step,
                )
    out.print(result.summary())


@app.command()
def score(
    data: DataOption,
    as_of: Annotated[str, typer.Option("--as-of", help="As-of date (YYYY-MM-DD).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for scores, explanations and case pages.")],
    model: ModelOption = "knife-crime-risk",
    key_file: KeyFileOption = None,
) -> None:
    """Score and explain everyone aged 10-18 on the as-of date; write case pages for the highest band."""
    import riskmodel
    import training

    with _reported_errors():
        name, version = _parse_model(model)
        with _progress() as step:
            risk_model = training.load_registered_model(name, version)
            extracts = _load(data, key_file, step)
            result = riskmodel.score_people(risk_model, extracts.tables, as_of, out_dir=out_dir, progress=step)
    out.print(f"{len(result.scores)} young people scored -> {Path(out_dir) / 'scores.csv'}")
    out.print(f"{len(result.case_pages)} case pages; start at {result.index_path}")


@app.command()
def explain(
    data: DataOption,
    as_of: Annotated[str, typer.Option("--as-of", help="As-of date (YYYY-MM-DD).")],
    person: Annotated[str, typer.Option("--person", help="The young person's pseudonym (person_id).")],
    model: ModelOption = "knife-crime-risk",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the case page.")] = Path("cases-output"),
    key_file: KeyFileOption = None,
) -> None:
    """Print one young person's explained score and write their case page."""
    import riskmodel
    import training

    with _reported_errors():
        name, version = _parse_model(model)
        with _progress() as step:
            risk_model = training.load_registered_model(name, version)
            extracts = _load(data, key_file, step)
        explanation = riskmodel.explain_person(risk_model, extracts.tables, as_of, person, out_dir=out_dir)
    out.print(explanation.text)
    out.print(f"Case page: {explanation.case_page}")


@app.command()
def audit(
    scores: Annotated[Path, typer.Option("--scores", help="Table of scores, labels and groups (CSV or Parquet).")],
    label: Annotated[str, typer.Option("--label", help="Column holding the observed outcome (0/1).")],
    group: Annotated[list[str], typer.Option("--group", help="Group column; repeat for several (crossed into intersections).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for audit.json, report.html and the transparency record.")],
    score: Annotated[str | None, typer.Option("--score", help="Score column.")] = None,
    threshold: Annotated[float | None, typer.Option("--threshold", help="Flag scores at or above this.")] = None,
    top_k: Annotated[int | None, typer.Option("--top-k", min=1, help="Flag the K highest scores.")] = None,
    prediction: Annotated[str | None, typer.Option("--prediction", help="Column holding a ready yes/no prediction.")] = None,
    reference: Annotated[list[str] | None, typer.Option("--reference", help="Reference group as COL=VALUE; default the largest.")] = None,
    n_boot: Annotated[int, typer.Option("--n-boot", min=1)] = 1000,
    min_cell: Annotated[int, typer.Option("--min-cell", min=1)] = 10,
    tolerance: Annotated[float, typer.Option("--tolerance", min=0.01, max=1.0)] = 0.8,
    decision: Annotated[str | None, typer.Option("--decision", help="Column of practitioners' decisions (0/1).")] = None,
) -> None:
    """Audit any table of scores for fairness across groups, with intervals and verdicts."""
    from evaluation import audit_files

    with _reported_errors():
        references = _parse_references(reference or [])
        with _progress() as step:
            step("auditing")
            result = audit_files(
                scores, label=label, score=score, threshold=threshold, top_k=top_k,
                prediction=prediction, groups=group, reference=references, n_boot=n_boot,
                min_cell=min_cell, tolerance=tolerance, decision=decision, out_dir=out_dir,
            )
    del result
    out.print(f"Audit written: {Path(out_dir) / 'report.html'} and {Path(out_dir) / 'audit.json'}")
    out.print(f"Draft transparency record: {Path(out_dir) / 'transparency_record.md'}")


def _parse_references(pairs: list[str]) -> dict[str, str]:
    references = {}
    for pair in pairs:
        column, sep, value = pair.partition("=")
        if not sep or not column:
            raise ValueError(f"The '--reference' option must look like COLUMN=VALUE; got '{pair}'.")
        references[column] = value
    return references


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for every output of the demo.")] = Path("demo-output"),
    young_people: Annotated[int, typer.Option("--young-people", min=1000)] = 40_000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Run a synthetic authority through every step and print where each output is."""
    with _reported_errors(), _progress() as step:
        outputs = _run_demo(Path(out_dir), young_people, seed, step)
    out.print("\n[bold]Outputs[/bold]")
    for description, path in outputs.items():
        out.print(f"  {description}: {path}")
    out.print("Scores support a professional's judgement; they never decide anything.")


def _run_demo(out_dir: Path, n_young_people: int, seed: int, step) -> dict[str, Path]:
    import features as feats
    import riskmodel
    import training

    data = out_dir / "data"
    step("generating a synthetic authority")
    feats.synthesize(data, n_young_people=n_young_people, seed=seed,
                     recording_bias=feats.DEFAULT_RECORDING_BIAS)
    key_file = out_dir / "pseudonym.key"
    key = feats.load_pseudonym_key(key_file=key_file, create=True)
    out.print(f"A pseudonymisation key for this demo was made at {key_file} (readable by its owner only).")

    extracts = feats.load_extracts(data, key=key, progress=step)
    extracts.report.write_json(out_dir / "validation" / "validation.json")
    extracts.report.write_quarantine(out_dir / "validation" / "quarantine")

    step("building quarterly features and labels")
    dates = training.panel_dates(extracts.tables)
    feature_set = feats.build_features(extracts.tables, dates, progress=step)
    feature_set.write(out_dir / "features.parquet")

    result = training.train_model(feature_set, experiment="knife-crime-risk-demo", progress=step)
    out.print(result.summary())
    model_card = _copy_model_card(result, out_dir / "model")

    step("scoring and explaining the latest date")
    scored = riskmodel.score_people(result.model, extracts.tables, feature_set.data_end,
                                    out_dir=out_dir / "scores", progress=step)

    step("auditing the test period")
    governance = _demo_governance(result, feature_set, data, key, out_dir / "governance")
    return {
        "synthetic extracts (the truth is kept apart in _truth/)": data,
        "validation report": out_dir / "validation" / "validation.json",
        "feature matrix and groups": out_dir / "features.parquet",
        "MLflow run and registered version": f"{result.run_id}, version {result.model_version}",
        "model card": model_card,
        "case pages, by rank": scored.index_path,
        "scores and explanations": out_dir / "scores" / "scores.csv",
        **governance,
    }


def _demo_governance(result, feature_set, data: Path, key: bytes, folder: Path) -> dict[str, Path]:
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

    truth = true_labels(data, key=key, people=test[["person_id", "as_of"]],
                        label=feature_set.label_definition)
    group = DEFAULT_RECORDING_BIAS["group"]
    audits = {
        outcome: audit_scores(y_true, y_score=test["probability"].to_numpy(), top_k=result.flag_count,
                              sensitive_features=test[[group]], n_boot=500, random_state=0)
        for outcome, y_true in (("recorded outcome", test["label"].to_numpy()), ("true outcome", truth))
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
