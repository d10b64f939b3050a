"""Progress messages: to the caller's callback, or printed, and always logged."""

from __future__ import annotations

import logging

logger = logging.getLogger("training")


class Reporter:
    """Sends step messages to ``progress`` (or prints them) and always logs them.

    Parameters
    ----------
    progress : callable or None
        ``progress(message, fraction)`` or ``progress(message)``.
    prefix : str, default=""
        Put before every message, e.g. ``"Building features: "``.
    """

    def __init__(self, progress, *, prefix: str = "") -> None:
        self.progress = progress
        self.prefix = prefix

    def step(self, message: str, fraction: float | None = None) -> None:
        """A passing step: shown by the callback, silent without one."""
        message = self.prefix + message
        logger.info(message)
        if self.progress is None:
            return
        try:
            self.progress(message, fraction)
        except TypeError:
            self.progress(message)

    def always(self, message: str) -> None:
        """A message the user must see: printed when there is no callback."""
        if self.progress is None:
            logger.info(self.prefix + message)
            print(self.prefix + message, flush=True)
        else:
            self.step(message)
