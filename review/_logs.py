"""Django's request log lines with the page's route instead of its path.

Django logs every answer of 400 and above ("Not Found: /case/<pseudonym>/", "Forbidden (CSRF
token missing.): /case/<pseudonym>/review/"); the path carries the pseudonym. Its loggers
(``django`` and below) write to standard error through one handler here, whose filter puts
the route (``case/<str:person_id>/``) where the path was.
"""

from __future__ import annotations

import logging

__all__ = ["RouteNotPath", "install"]

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RouteNotPath(logging.Filter):
    """Replaces a request's path among a log record's arguments by the route it matched."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple):
            route = _route(request)
            record.args = tuple(route if isinstance(a, str) and a.startswith("/") else a for a in record.args)
        return True


def install() -> logging.Handler:
    """Send Django's log records (warnings and above) to standard error through :class:`RouteNotPath`, once."""
    django_logger = logging.getLogger("django")
    for handler in django_logger.handlers:
        if any(isinstance(f, RouteNotPath) for f in handler.filters):
            return handler
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RouteNotPath())
    django_logger.addHandler(handler)
    django_logger.setLevel(logging.WARNING)
    django_logger.propagate = False
    return handler


def _route(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route:
        return "an address that is no page of the service" if match is None else "the home page"
    return f"route {match.route}"
