"""The ``riskmodel`` command line: the contract other tools and scripts rely on.

This is the only part of the library that reaches every package; each command imports
what it needs inside its own body.
"""

from . import _commands, _demo  # noqa: F401  (registers the commands)
from . import _monitor  # noqa: F401  (monitor and mitigate)
from ._app import app


def main() -> None:
    """Entry point of the ``riskmodel`` console script."""
    app()


__all__ = ["app", "main"]
