"""The command-line application object and what every command shares.

A data problem ends with a one-paragraph message and exit status 2, never a traceback;
long steps show progress; the pseudonymisation key comes from the environment or a file.
"""

from __future__ import annotations

import contextlib
import os
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


def user_errors() -> tuple[type[Exception], ...]:
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


# Packages whose messages are written never to quote a child's identifier or value.
OWN_PACKAGES = ("features", "training", "riskmodel", "evaluation")
WITHHELD = (
    "A value in the input could not be used. The details are withheld because they may "
    "quote a young person's record; check the file's columns and values against "
    "docs/data-formats.md, or run 'riskmodel validate'."
)


@contextlib.contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a data or input problem into a one-paragraph message and exit status 2.

    The library's own messages are shown as they are. A message raised inside another
    library (pandas, numpy, LightGBM) may quote a cell of the data, so it is withheld.
    """
    try:
        yield
    except user_errors() as error:
        console.print("[bold red]riskmodel: cannot continue.[/bold red]")
        message = str(error) if _raised_by_us(error) else WITHHELD
        console.print(message, soft_wrap=True, markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _raised_by_us(error: BaseException) -> bool:
    """Whether the innermost frame that raised ``error`` is in one of our packages."""
    trace = error.__traceback__
    if trace is None:
        return True
    while trace.tb_next is not None:
        trace = trace.tb_next
    module = trace.tb_frame.f_globals.get("__name__", "")
    return module.split(".")[0] in OWN_PACKAGES


@contextlib.contextmanager
def progress_steps() -> Iterator[callable]:
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
        if "\n" in description or not console.is_terminal:
            console.print(description, soft_wrap=True, highlight=False, markup=False)
            return
        bar.update(task, description=description, total=1.0 if fraction is not None else None,
                   completed=fraction or 0.0)

    with bar:
        yield step


def pseudonym_key(key_file: Path | None) -> bytes:
    from features import load_pseudonym_key

    if key_file is None and not os.environ.get("RISKMODEL_PSEUDONYM_KEY"):
        key_file = Path(".pseudonym.key")
    return load_pseudonym_key(key_file=key_file)


def load_data(data: Path, key_file: Path | None, step) -> object:
    from features import load_extracts

    extracts = load_extracts(data, key=pseudonym_key(key_file), progress=step)
    say_quarantine(extracts.report)
    return extracts


def say_quarantine(report) -> None:
    if report.n_quarantined:
        console.print(
            f"[yellow]{report.n_quarantined} row(s) were quarantined and left out; run "
            "'riskmodel validate' to see which rows and why.[/yellow]"
        )


def parse_model(model: str) -> tuple[str, int | None]:
    name, _, version = model.partition("/")
    if version and not version.isdigit():
        raise ValueError(
            f"The '--model' option must be NAME or NAME/VERSION with a whole-number version; "
            f"got version '{version}'."
        )
    return name, int(version) if version else None
