"""The review service: front-line staff read explained scores and record their judgement.

A Django application with server-rendered pages that work without JavaScript. Configure it
with a database URL (:func:`configure`), then create the tables (:func:`migrate`), import a
scoring batch (:func:`import_batch`), add staff (:func:`add_user`), :func:`serve` it,
:func:`export_decisions` for ``riskmodel audit --decision``, and delete expired sessions now
and then (:func:`clear_expired_sessions`). The ``riskmodel review`` command does each of these. ``review`` imports ``riskmodel`` (the case content) and
``evaluation`` (small-cell suppression), never ``training``.

Everything but :func:`configure` needs Django started, so those names are loaded when
first used.
"""

from ._errors import ReviewError
from ._settings import configure, database_settings

__all__ = [
    "ReviewError",
    "configure",
    "database_settings",
    "migrate",
    "import_batch",
    "add_user",
    "export_decisions",
    "serve",
    "default_workers",
    "clear_expired_sessions",
    "DEFAULT_EXPIRY_DAYS",
    "ROLES",
]

_LAZY = {
    "migrate": ("._database", "migrate"),
    "import_batch": ("._batches", "import_batch"),
    "DEFAULT_EXPIRY_DAYS": ("._batches", "DEFAULT_EXPIRY_DAYS"),
    "add_user": ("._users", "add_user"),
    "export_decisions": ("._export", "export_decisions"),
    "serve": ("._server", "serve"),
    "default_workers": ("._server", "default_workers"),
    "clear_expired_sessions": ("._sessions", "clear_expired_sessions"),
}
ROLES = ("practitioner", "team_lead", "governance", "admin")


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module, __name__), attribute)
    raise AttributeError(f"module 'review' has no attribute {name!r}")
