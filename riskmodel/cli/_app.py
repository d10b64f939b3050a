"""The command-line application object and what every command shares.

A data or path problem ends with a one-paragraph message and exit status 2; anything
unexpected ends with one line saying where the full (owner-only) report was written and
exit status 70; a traceback never reaches the terminal. Long steps show progress; the
pseudonymisation key comes from a named file, the environment or the default file, and
the command says which (never the key).
"""

from __future__ import annotations

import contextlib
import os
import traceback
from collections.abc import Iterator
from datetime import datetime, timezone
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
EXIT_SOFTWARE = 70  # sysexits.h EX_SOFTWARE: an internal error
KEY_ENV = "RISKMODEL_PSEUDONYM_KEY"
STORE_ENV = "RISKMODEL_STORE"
DEFAULT_KEY_FILE = Path(".pseudonym.key")
CRASH_LOG_FOLDER = "crash-logs"

DataOption = Annotated[
    Path, typer.Option("--data", help="Folder of statutory extracts (see docs/data-formats.md).")
]
KeyFileOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="File holding the pseudonymisation key (readable by its owner only); default: "
        "$RISKMODEL_PSEUDONYM_KEY, else ./.pseudonym.key. The command says which it used.",
    ),
]
AllowSharedKeyFileOption = Annotated[
    bool,
    typer.Option(
        "--allow-shared-key-file",
        help="Accept a key file that group members or other users can read (refused otherwise).",
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
def reported_errors(output: Path | None = None) -> Iterator[None]:
    """Turn any exception into a message without a traceback.

    A data or input problem gives a one-paragraph message and exit status 2: the
    library's own messages are shown as they are, while a message raised inside another
    library (pandas, numpy, LightGBM) may quote a cell of the data, so it is withheld.
    A path that cannot be used (a folder where a file is needed, a file where a folder
    is needed, no permission) also gives exit status 2. Anything else prints one line
    and exits with status 70; the full report goes to an owner-only crash log.

    Parameters
    ----------
    output : path-like, optional
        The command's output folder; the crash log goes in its ``crash-logs/``
        folder, else under :func:`default_crash_folder`.
    """
    try:
        yield
    except Exception as error:
        if type(error).__module__.split(".")[0] in ("typer", "click"):  # exits and usage errors
            raise
        _report(error, output)


def _report(error: Exception, output: Path | None) -> None:
    """Print ``error`` as a message or a one-line crash notice and exit; never a traceback."""
    if isinstance(error, user_errors()):
        _say_cannot_continue(str(error) if _raised_by_us(error) else WITHHELD)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if isinstance(error, OSError):
        _say_cannot_continue(path_problem(error))
        raise typer.Exit(EXIT_BAD_INPUT) from None
    console.print(crash_report(error, output), soft_wrap=True, markup=False, highlight=False)
    raise typer.Exit(EXIT_SOFTWARE) from None


def _say_cannot_continue(message: str) -> None:
    console.print("[bold red]riskmodel: cannot continue.[/bold red]")
    console.print(message, soft_wrap=True, markup=False, highlight=False)


_PATH_REASONS = (
    (NotADirectoryError, "part of it is a file where a folder is needed"),
    (IsADirectoryError, "it is a folder where a file is needed"),
    (FileNotFoundError, "it does not exist"),
    (FileExistsError, "something already exists there"),
    (PermissionError, "permission is denied"),
)


def path_problem(error: OSError) -> str:
    """A message for a path that cannot be read or written; it names the path only."""
    reason = next((text for kind, text in _PATH_REASONS if isinstance(error, kind)), None)
    reason = reason or (error.strerror or "the operating system refused").rstrip(".").lower()
    if not error.filename:
        return f"A file or folder could not be read or written: {reason}. Check the paths given and run again."
    return f"The path {os.fspath(error.filename)} cannot be used: {reason}. Check the path given and run again."


def crash_report(error: BaseException, output: Path | None) -> str:
    """Write ``error``'s traceback to an owner-only log; return the one line to print.

    The line names the command and the kind of error only; the log (which may quote a
    record, as a traceback can) is readable by its owner only.
    """
    command = _current_command()
    where = _write_crash_log(error, output)
    saved = f"the full report is in {where} (readable by you only)" if where else "no report could be written"
    return (
        f"riskmodel: the '{command}' command failed unexpectedly ({type(error).__name__}); "
        f"details are withheld as they may quote a young person's record; {saved}."
    )


def _current_command() -> str:
    """The name of the command running (Typer keeps its click context stack internally)."""
    try:
        from typer._click.globals import get_current_context
    except ImportError:  # a Typer that uses click itself
        from click import get_current_context
    context = get_current_context(silent=True)
    return getattr(getattr(context, "command", None), "name", None) or "riskmodel"


def default_crash_folder() -> Path:
    """Where crash logs go when a command has no usable output folder."""
    state = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(state) / "riskmodel" / CRASH_LOG_FOLDER


def _write_crash_log(error: BaseException, output: Path | None) -> Path | None:
    from features import write_private_text

    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    text = "".join(traceback.format_exception(error))
    name = f"crash-{stamp}-{os.getpid()}.log"
    folders = ([Path(output) / CRASH_LOG_FOLDER] if output is not None else []) + [default_crash_folder()]
    for folder in folders:
        try:
            return write_private_text(folder / name, text)
        except OSError:
            continue
    return None


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


def pseudonym_key(key_file: Path | None, allow_shared: bool = False) -> bytes:
    """The pseudonymisation key; says on stderr where it came from, never the key.

    In order: the file given with ``--key-file``, the environment variable
    ``RISKMODEL_PSEUDONYM_KEY``, the default file ``./.pseudonym.key``.
    """
    from features import DataError, load_pseudonym_key

    if key_file is not None:
        source = f"the key file {key_file} (--key-file)"
    elif os.environ.get(KEY_ENV, "").strip():
        source = f"the environment variable {KEY_ENV}"
    elif DEFAULT_KEY_FILE.exists():
        key_file = DEFAULT_KEY_FILE
        source = f"the default key file ./{DEFAULT_KEY_FILE} (no --key-file or {KEY_ENV} was given)"
    else:
        raise DataError(
            f"No pseudonymisation key: pass --key-file, set {KEY_ENV} (64 hex characters), or "
            f"put the key in ./{DEFAULT_KEY_FILE}. Keep the same key for every run, or people "
            "will not match across runs."
        )
    key = load_pseudonym_key(key_file=key_file, allow_shared_file=allow_shared)
    console.print(f"Pseudonymisation key: from {source}.", soft_wrap=True, markup=False, highlight=False)
    return key


def load_data(data: Path, key: bytes, step) -> object:
    """The extracts in ``data``, read with the pseudonymisation ``key`` (:func:`pseudonym_key`)."""
    from features import load_extracts

    extracts = load_extracts(data, key=key, progress=step)
    say_quarantine(extracts.report.n_quarantined)
    return extracts


def kept_tables(digest: str, step):
    """The tables a store holds for these very extracts and key (``riskmodel score`` kept them), or ``None``.

    ``digest`` is ``features.extracts_digest`` of the extracts and key; the tables equal what
    :func:`load_data` would read, so a command that only reads tables may use either.
    """
    import features

    kept = features.read_kept_extracts(store_root(), digest, progress=step)
    if kept is not None:
        say_quarantine(kept.n_quarantined)
    return kept


def read_tables(data: Path, key: bytes, step) -> dict:
    """The tidy tables of the extracts in ``data``: from the store kept for them and ``key`` when
    there is one (:func:`kept_tables`), else read (:func:`load_data`)."""
    import features

    return (kept_tables(features.extracts_digest(data, key), step) or load_data(data, key, step)).tables


def say_quarantine(n_quarantined: int) -> None:
    if n_quarantined:
        console.print(
            f"[yellow]{n_quarantined} row(s) were quarantined and left out; run "
            "'riskmodel validate' to see which rows and why.[/yellow]"
        )


def store_root() -> Path:
    """Where ``score`` keeps the tidy tables it read and ``explain`` reads one young person's rows.

    ``RISKMODEL_STORE`` when set, else ``$XDG_CACHE_HOME/riskmodel/tidy-stores`` (by default
    ``~/.cache/riskmodel/tidy-stores``); owner-only, pseudonymised (``features.keep_extracts``).
    """
    if os.environ.get(STORE_ENV, "").strip():
        return Path(os.environ[STORE_ENV])
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "riskmodel" / "tidy-stores"


def parse_model(model: str) -> tuple[str, int | None]:
    name, _, version = model.partition("/")
    if version and not version.isdigit():
        raise ValueError(
            f"The '--model' option must be NAME or NAME/VERSION with a whole-number version; "
            f"got version '{version}'."
        )
    return name, int(version) if version else None
