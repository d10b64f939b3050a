"""The ``riskmodel`` command line: the contract other tools and scripts rely on.

This is the only part of the library that reaches every package; each command imports
what it needs inside its own body.
"""

import atexit
import os
import sys
import threading
from typing import NoReturn

from . import _commands, _demo  # noqa: F401  (registers the commands)
from . import _monitor  # noqa: F401  (monitor and mitigate)
from ._app import app
from ._review import review_app

app.add_typer(review_app, name="review")

SMALL_PAGES = {"NUMPY_MADVISE_HUGEPAGE": "0", "MIMALLOC_ALLOW_THP": "0"}
"""How a command's process asks for memory, unless its environment already says.

Left alone, NumPy (arrays of 4 MB and more) and mimalloc, Arrow's allocator (its 1 GB arenas),
mark their memory for transparent huge pages (``madvise(MADV_HUGEPAGE)``). Under Linux's
default ``defrag=madvise``, the first touch of each 2 MB of such memory makes the kernel find,
compact if need be, and zero a whole huge page, while the process is stopped; a command
allocates and frees gigabytes of short-lived columns as it reads extracts, so it pays that
again and again. With ordinary pages, a cold ``riskmodel score`` for 50,000 young people spent
2.4 s of system time against 9.3 s and took 16.1 s against 19.5 s (medians of four runs each,
taken in turn). Both libraries read these variables when they load, so :func:`main` sets them
before anything imports NumPy or pyarrow (``import riskmodel.cli`` imports neither), and Dask
workers a command starts inherit them.
"""


def _use_small_pages() -> None:
    for name, value in SMALL_PAGES.items():
        os.environ.setdefault(name, value)


def main() -> NoReturn:
    """Entry point of the ``riskmodel`` console script.

    Every command reports its own errors; anything that still escapes one (outside its
    guarded body) gets the same one-line notice and owner-only crash log, exit status 70.
    """
    _use_small_pages()
    try:
        app()
    except SystemExit as leaving:
        _leave(leaving.code)
    except Exception as error:  # noqa: BLE001 - never show a traceback
        from ._app import EXIT_SOFTWARE, console, crash_report

        console.print(crash_report(error, None), soft_wrap=True, markup=False, highlight=False)
        _leave(EXIT_SOFTWARE)
    _leave(0)


def _leave(code) -> NoReturn:
    """End the process as Python's own exit would, without freeing every module one by one.

    Python's exit waits for the threads still working (``threading._shutdown``), runs the
    atexit handlers (MLflow's, logging's, Dask's among them) and flushes the standard streams;
    then it tears down every imported module and object, which takes over a second once
    MLflow, LightGBM and pandas are loaded: longer than explaining one young person. Every
    file a command writes is closed before the command returns, so the first three steps are
    taken here, with the interpreter's own functions, and the process ends. Where a Python
    lacks them, it exits the usual way. The console script only: the tests and the Python API
    leave the interpreter alone.
    """
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)  # as Python does with a SystemExit message
        code = 1
    status = code or 0
    wait_for_threads = getattr(threading, "_shutdown", None)
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if wait_for_threads is None or run_exit_handlers is None:
        sys.exit(status)
    wait_for_threads()
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed or broken pipe: Python's exit status for it
            status = status or 120
    os._exit(status)


__all__ = ["app", "main"]
