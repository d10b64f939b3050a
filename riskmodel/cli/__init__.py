"""The ``riskmodel`` command line: the contract other tools and scripts rely on.

This is the only part of the library that reaches every package; each command imports
what it needs inside its own body.
"""

from . import _commands, _demo  # noqa: F401  (registers the commands)
from ._app import app
from ._review import review_app

app.add_typer(review_app, name="review")


def main() -> None:
    """Entry point of the ``riskmodel`` console script."""
    app()


__all__ = ["app", "main"]
