"""The ``riskmodel`` command line: the contract other tools and scripts rely on.

This is the only part of the library that reaches every package; each command imports
what it needs inside its own body.
"""

from . import _commands, _demo  # noqa: F401  (registers the commands)
from . import _monitor  # noqa: F401  (monitor and mitigate)
from ._app import app
from ._review import review_app

app.add_typer(review_app, name="review")


def main() -> None:
    """Entry point of the ``riskmodel`` console script.

    Every command reports its own errors; anything that still escapes one (outside its
    guarded body) gets the same one-line notice and owner-only crash log, exit status 70.
    """
    try:
        app()
    except Exception as error:  # noqa: BLE001 - never show a traceback
        from ._app import EXIT_SOFTWARE, console, crash_report

        console.print(crash_report(error, None), soft_wrap=True, markup=False, highlight=False)
        raise SystemExit(EXIT_SOFTWARE) from None


__all__ = ["app", "main"]
