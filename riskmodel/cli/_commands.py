"""The commands of the design's contract, one function each.

Each imports the packages it needs inside its body, so ``riskmodel --help`` stays fast.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Annotated

import typer

from ._app import (
    AllowSharedKeyFileOption,
    DataOption,
    KeyFileOption,
    ModelOption,
    pseudonym_key,
    kept_tables,
    load_data,
    parse_model,
    progress_steps,
    read_tables,
    reported_errors,
    say_quarantine,
    store_root,
    app,
    console,
    out,
    path_problem,
)
from ._dask import MemoryOption, SchedulerOption, WorkersOption, dask_client

SigningKeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--signing-key-file",
        help="File holding the model signing key (64+ hex characters, readable by its owner only); "
        "default: $RISKMODEL_SIGNING_KEY. Keep it outside the MLflow store and different from the "
        "pseudonymisation key.",
    ),
]


def signing_key(key_file: Path | None, pseudonym: bytes | None = None) -> bytes:
    """The model signing key from ``--signing-key-file`` or the environment, checked against ``pseudonym``."""
    from riskmodel import load_signing_key

    return load_signing_key(key_file=key_file, pseudonym_key=pseudonym)


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

    with reported_errors(out_dir):
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
    allow_shared_key_file: AllowSharedKeyFileOption = False,
) -> None:
    """Load, validate, pseudonymise and link every source; report every problem at once."""
    from features import validate_extracts

    with reported_errors(out_dir), progress_steps() as step:
        key = pseudonym_key(key_file, allow_shared_key_file)
        report = validate_extracts(data, out_dir, key=key, progress=step)
    rows_in, quarantined = report.n_rows_in, report.n_quarantined
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
    label: Annotated[str, typer.Option(
        "--label", help="Label definition: a name (its current version) or NAME/VERSION, e.g. knife_involvement/1."
    )] = "knife_involvement",
    recording_lag_months: Annotated[int, typer.Option(
        "--recording-lag-months", min=0, max=24,
        help="Months a label window must end before the youth justice extract's end.")] = 3,
    list_features: Annotated[bool, typer.Option("--list", help="Print the feature registry and stop.")] = False,
    key_file: KeyFileOption = None,
    allow_shared_key_file: AllowSharedKeyFileOption = False,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
    memory_per_worker: MemoryOption = "4GB",
) -> None:
    """Build point-in-time features and labels for everyone aged 10-18 and known to a source on each as-of date."""
    import features as feats

    if list_features:
        _print_registry(feats.default_registry())
        return
    with reported_errors(out_file.parent if out_file else None):
        if data is None or not as_of or out_file is None:
            raise ValueError(
                "The 'features' command needs '--data', at least one '--as-of' date and '--out' "
                "(or '--list' to print the feature registry)."
            )
        definition = _label_definition(label)
        with progress_steps() as step, dask_client(scheduler, workers, memory_per_worker) as client:
            key = pseudonym_key(key_file, allow_shared_key_file)
            tables = read_tables(data, key, step)
            build = feats.build_features if client is None else partial(feats.build_features_distributed, client=client)
            feature_set = build(tables, as_of, horizon_months=horizon_months, label=definition,
                                recording_lag_months=recording_lag_months, progress=step)
        feature_set.write(out_file)
        report = feats.label_report(tables, as_of, label=definition, horizon_months=horizon_months,
                                    data_end=feature_set.data_end, recording_lag_months=recording_lag_months)
        report_path = _write_label_report(report, out_file)
    frame = feature_set.frame
    out.print(
        f"{len(frame)} rows ({frame['person_id'].nunique()} young people, {len(as_of)} as-of date(s)), "
        f"{len(feature_set.registry)} features -> {out_file}"
    )
    out.print(f"Label: {feature_set.label_definition.describe()}")
    out.print(
        f"Label report -> {report_path}: {report['labelled_1']} labelled 1, {report['labelled_0']} labelled 0, "
        f"{report['label_unknown']} unknown (window past the label cut-off); "
        f"{report['windows_with_unknown_knife_flag']} label windows hold an offence with a blank knife flag "
        f"({report['labelled_0_with_unknown_knife_flag']} of them labelled 0; {report['unknown_knife_flag_rule']})."
    )
    _print_feature_report(feature_set)


def _print_feature_report(feature_set) -> None:
    """Who could not be placed in a cohort, by reason, and the dates the labels rest on."""
    dates = feature_set.dates
    for line in feature_set.unplaced_summary():
        out.print(line)
    ends = ", ".join(f"{source} {end or 'none'}" for source, end in (dates.get("source_ends") or {}).items())
    out.print(f"Data ends by source: {ends}.")
    out.print(
        f"Label cut-off: {dates.get('label_end') or 'none (no youth justice records)'} (youth justice "
        f"extract's end less {dates.get('recording_lag_months')} months); "
        f"{dates.get('unlabelled', 0)} row(s) have no label because their window runs past it."
    )


def _label_definition(name: str):
    from features import LABEL_DEFINITIONS, LABEL_VERSIONS, resolve_label

    try:
        return resolve_label(name)
    except ValueError:
        raise ValueError(
            f"The '--label' option must be a label name ({', '.join(sorted(LABEL_DEFINITIONS))}) or "
            f"NAME/VERSION ({', '.join(sorted(LABEL_VERSIONS))}); got '{name}'."
        ) from None


def _write_label_report(report: dict, out_file: Path) -> Path:
    """``FILE_label_report.json`` beside the feature file (counts only, no person)."""
    import json

    path = Path(out_file).with_name(f"{Path(out_file).stem}_label_report.json")
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path


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
    signing_key_file: SigningKeyFileOption = None,
    allow_shared_key_file: AllowSharedKeyFileOption = False,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
    memory_per_worker: MemoryOption = "4GB",
) -> None:
    """Train, calibrate and compare the model with baselines; sign, track and register it in MLflow."""
    import training

    with reported_errors():
        if (data is None) == (features_file is None):
            raise ValueError("The 'train' command needs exactly one of '--data' or '--features'.")
        settings = training.load_config(config) if config else None
        with progress_steps() as step, dask_client(scheduler, workers, memory_per_worker) as client:
            if data is not None:
                key = pseudonym_key(key_file, allow_shared_key_file)
                sign = signing_key(signing_key_file, key)  # before reading: a refused key stops at once
                training.train_from_tables(
                    read_tables(data, key, step), config=settings, experiment=experiment,
                    registered_name=registered_name, progress=step, signing_key=sign, client=client,
                )
            else:
                sign = signing_key(signing_key_file)  # before reading: a missing key stops at once
                training.train_model(
                    training.read_feature_table(features_file), config=settings, experiment=experiment,
                    registered_name=registered_name, progress=step, signing_key=sign, client=client,
                )


@app.command()
def score(
    data: DataOption,
    as_of: Annotated[str, typer.Option("--as-of", help="As-of date (YYYY-MM-DD).")],
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for scores, explanations and case pages.")],
    model: ModelOption = "knife-crime-risk",
    file_format: Annotated[str, typer.Option("--format", help="File format of scores and explanations: csv or parquet (with --scheduler: folders of Parquet parts).")] = "csv",
    key_file: KeyFileOption = None,
    signing_key_file: SigningKeyFileOption = None,
    allow_shared_key_file: AllowSharedKeyFileOption = False,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
    memory_per_worker: MemoryOption = "4GB",
) -> None:
    """Score and explain everyone aged 10-18 on the as-of date; write case pages for the highest band.

    The tables read are kept (see 'RISKMODEL_STORE' in the README) for 'riskmodel explain' and
    for 'score', 'features', 'train', 'monitor' and 'mitigate' on the same extracts, which then
    read none of them.
    """
    import riskmodel

    with reported_errors(out_dir), progress_steps() as step, dask_client(scheduler, workers, memory_per_worker) as client:
        if file_format not in ("csv", "parquet"):
            raise ValueError(f"The '--format' option must be 'csv' or 'parquet'; got '{file_format}'.")
        import features

        key = pseudonym_key(key_file, allow_shared_key_file)
        with registered_model_meanwhile(model, signing_key_file, key, step) as (risk_model, step):
            digest = features.extracts_digest(data, key)  # of the bytes about to be read
            kept = kept_tables(digest, step)
            extracts = load_data(data, key, step) if kept is None else None
        result = riskmodel.score_people(risk_model(), (kept or extracts).tables, as_of, out_dir=out_dir,
                                        progress=step, file_format=file_format, client=client)
        if extracts is not None:
            step("keeping the tables for 'riskmodel explain'")
            try:
                features.keep_extracts(store_root(), extracts, digest=digest)
            except OSError as error:  # the scores are written; a store only saves 'explain' time
                console.print(f"The tables were not kept for 'riskmodel explain': {path_problem(error)} Set "
                              "RISKMODEL_STORE to a folder you can write; until then 'explain' reads every extract.",
                              style="yellow", soft_wrap=True, markup=False, highlight=False)
    parts = client is not None and file_format == "parquet"
    written = f"{Path(out_dir) / 'scores'} (Parquet parts)" if parts else Path(out_dir) / f"scores.{file_format}"
    out.print(f"{len(result.scores)} young people scored -> {written}")
    out.print(f"{len(result.case_pages)} case pages; start at {result.index_path}")


def _registered_model(model: str, signing_key_file: Path | None, key: bytes):
    """The registered model named by ``--model``, its signature verified."""
    import training

    name, version = parse_model(model)
    return training.load_registered_model(name, version, signing_key=signing_key(signing_key_file, key))


@contextmanager
def registered_model_meanwhile(model: str, signing_key_file: Path | None, key: bytes, step):
    """Fetch and verify the registered model in a thread while the body reads the extracts.

    Fetching it is mostly importing MLflow and opening its tracking store (about 2 s), which
    leaves a second core idle; reading keeps it busy. Yields a function that returns the model
    once fetched, and ``step`` made to stop the body, at its next step, as soon as the model is
    refused. A refused model's error is the one raised, also when the body failed too: as when
    the model was fetched before anything was read, it is the first thing to mend.
    """
    with ThreadPoolExecutor(1, thread_name_prefix="riskmodel-model") as pool:
        fetched = pool.submit(_registered_model, model, signing_key_file, key)

        def checked_step(*arguments, **keywords) -> None:
            if fetched.done() and fetched.exception() is not None:
                raise fetched.exception()
            step(*arguments, **keywords)

        try:
            yield fetched.result, checked_step
        except Exception:  # an interrupt stays an interrupt
            refused = fetched.exception()  # waits for the fetch
            if refused is not None:
                raise refused from None
            raise
        fetched.result()  # a refusal after the body's last step


@app.command()
def explain(
    data: DataOption,
    as_of: Annotated[str, typer.Option("--as-of", help="As-of date (YYYY-MM-DD).")],
    person: Annotated[str, typer.Option("--person", help="The young person's pseudonym (person_id).")],
    model: ModelOption = "knife-crime-risk",
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the case page.")] = Path("cases-output"),
    key_file: KeyFileOption = None,
    signing_key_file: SigningKeyFileOption = None,
    allow_shared_key_file: AllowSharedKeyFileOption = False,
    scheduler: SchedulerOption = None,
    workers: WorkersOption = 2,
    memory_per_worker: MemoryOption = "4GB",
) -> None:
    """Print one young person's explained score and write their case page.

    Their rows are read from the tables 'riskmodel score' kept for these extracts (see
    'RISKMODEL_STORE' in the README); without them, every extract is read and kept first.
    """
    import features
    import riskmodel

    with reported_errors(out_dir), dask_client(scheduler, workers, memory_per_worker) as client:
        with progress_steps() as step:
            key = pseudonym_key(key_file, allow_shared_key_file)
            with registered_model_meanwhile(model, signing_key_file, key, step) as (risk_model, step):
                rows = features.load_person_rows(data, person, key=key, store=store_root(), progress=step)
            say_quarantine(rows.n_quarantined)
        explanation = riskmodel.explain_person(risk_model(), rows.tables, as_of, person, out_dir=out_dir,
                                               client=client, spans=rows.spans)
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
    person_column: Annotated[str | None, typer.Option(
        "--person-column",
        help="Column saying which young person a row belongs to, so a person on several as-of dates is "
             "resampled and counted as one. Default: person_id when the table has it; otherwise every "
             "row counts as a different young person and the report says so.")] = None,
) -> None:
    """Audit any table of scores for fairness across groups, with intervals and verdicts."""
    from evaluation import AuditSpec, audit_files

    with reported_errors(out_dir):
        spec = AuditSpec(threshold=threshold, top_k=top_k, reference=reference or None,
                         n_boot=n_boot, min_cell=min_cell, tolerance=tolerance)
        with progress_steps() as step:
            step("auditing")
            audit_files(scores, label=label, score=score, prediction=prediction, groups=group,
                        decision=decision, person=person_column, out_dir=out_dir, spec=spec)
    out.print(f"Audit written: {Path(out_dir) / 'report.html'} and {Path(out_dir) / 'audit.json'}")
    out.print(f"Draft transparency record: {Path(out_dir) / 'transparency_record.md'}")
