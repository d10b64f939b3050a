"""Django settings for the review service, built from one database URL.

The service runs in-process: :func:`configure` turns ``--db URL`` into Django settings and
starts Django, so no settings module or environment variable has to be set by hand.

``sqlite:///path/to/review.sqlite3`` (the embedded default) or
``postgresql://user[:password]@host[:port]/name`` are accepted. The secret key signing
sessions and CSRF tokens comes from ``$RISKMODEL_REVIEW_SECRET_KEY`` or, for a SQLite
database, from a key file created beside it readable by its owner only; with a PostgreSQL
database and no environment variable the service refuses to start.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import _logs
from ._errors import ReviewError

__all__ = ["configure", "database_settings", "SESSION_IDLE", "SESSION_REFRESH", "LOCKOUT"]

SECRET_ENV = "RISKMODEL_REVIEW_SECRET_KEY"
SESSION_IDLE = timedelta(minutes=30)  # sessions end after this long without a request
SESSION_REFRESH = timedelta(minutes=1)  # a session's expiry is moved on at most this often (review._sessions)


class LOCKOUT:
    """Repeated failed sign-ins lock an account: ``attempts`` failures within ``window``."""

    attempts = 5
    window = timedelta(minutes=15)
    duration = timedelta(minutes=15)


def database_settings(url: str) -> dict:
    """Django's ``DATABASES['default']`` for a ``sqlite:///`` or ``postgresql://`` URL.

    Examples
    --------
    >>> database_settings("sqlite:///tmp/review.sqlite3")["ENGINE"]
    'django.db.backends.sqlite3'
    >>> database_settings("postgresql://review@127.0.0.1:5433/review")["PORT"]
    5433
    """
    parts = urlsplit(url or "")
    if parts.scheme == "sqlite":
        path = unquote(parts.path if not parts.netloc else f"{parts.netloc}{parts.path}")
        if not path or path == "/":
            raise ReviewError(_url_message(url, "a SQLite URL needs a file path"))
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": path,
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE",
                            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}}
    if parts.scheme in ("postgresql", "postgres"):
        name = unquote(parts.path.lstrip("/"))
        if not name or not parts.hostname:
            raise ReviewError(_url_message(url, "a PostgreSQL URL needs a host and a database name"))
        try:
            port = parts.port or 5432
        except ValueError:
            raise ReviewError(_url_message(url, "the port must be a number")) from None
        return {"ENGINE": "django.db.backends.postgresql", "NAME": name, "HOST": parts.hostname,
                "PORT": port, "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
                "CONN_MAX_AGE": 60}
    raise ReviewError(_url_message(url, f"the scheme must be 'sqlite' or 'postgresql', not '{parts.scheme}'"))


def configure(url: str, *, debug: bool = False) -> None:
    """Configure Django for the database at ``url`` and start it.

    A second call with another URL points the running process at that database instead
    (closing open connections); the rest of the settings stay as first configured.

    Raises
    ------
    ReviewError
        If the URL is not a supported database URL, or no secret key is available.
    """
    import django
    from django.conf import settings

    database = database_settings(url)
    if database["ENGINE"].endswith("sqlite3"):
        _private_file(Path(database["NAME"]))
    if settings.configured:
        _switch_database(database)
        return
    settings.configure(**_settings(database, secret_key=_secret_key(database), debug=debug))
    django.setup()
    _logs.install()


def _settings(database: dict, *, secret_key: str, debug: bool) -> dict:
    import riskmodel

    here = Path(__file__).parent
    return {
        "DEBUG": debug,
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": os.environ.get("RISKMODEL_REVIEW_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(","),
        "DATABASES": {"default": database},
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "INSTALLED_APPS": ["django.contrib.auth", "django.contrib.contenttypes", "django.contrib.sessions",
                           "review.apps.ReviewConfig"],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "review._sessions.SessionRefreshMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
            "review._headers.SecurityHeadersMiddleware",
        ],
        "ROOT_URLCONF": "review.urls",
        "TEMPLATES": [{
            "BACKEND": "django.template.backends.jinja2.Jinja2",
            "DIRS": [here / "templates", riskmodel.CASE_TEMPLATES],
            "APP_DIRS": False,
            "OPTIONS": {"environment": "review._pages.environment"},
        }],
        "AUTHENTICATION_BACKENDS": ["review._signin.StaffBackend"],
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.PBKDF2PasswordHasher"],
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
            {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
        ],
        "LOGIN_URL": "/login/",
        "SESSION_COOKIE_AGE": int(SESSION_IDLE.total_seconds()),
        "SESSION_SAVE_EVERY_REQUEST": False,  # review._sessions moves the expiry on, at most once a minute
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_SECURE": _https(),
        "CSRF_COOKIE_SECURE": _https(),
        "CSRF_COOKIE_SAMESITE": "Strict",
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_FAILURE_VIEW": "review._views.csrf_failure",
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",  # "no-referrer" makes browsers send "Origin: null", failing CSRF
        "SECURE_CROSS_ORIGIN_OPENER_POLICY": "same-origin",
        "USE_TZ": True,
        "TIME_ZONE": "Europe/London",
        "LANGUAGE_CODE": "en-gb",
        "USE_I18N": False,
        "LOGGING_CONFIG": None,  # review._logs sets up Django's loggers (no pseudonym in a line)
    }


def _https() -> bool:
    """Whether the service sits behind HTTPS (``RISKMODEL_REVIEW_HTTPS=1``): cookies then go only over it."""
    return os.environ.get("RISKMODEL_REVIEW_HTTPS", "") == "1"


def _secret_key(database: dict) -> str:
    key = os.environ.get(SECRET_ENV, "")
    if key:
        if len(key) < 32:
            raise ReviewError(f"${SECRET_ENV} must be at least 32 characters long; it has {len(key)}.")
        return key
    if database["ENGINE"].endswith("sqlite3"):
        return _key_file(Path(database["NAME"]).with_suffix(".secret-key"))
    raise ReviewError(
        f"No secret key: set ${SECRET_ENV} (at least 32 random characters) to run the review service "
        "on PostgreSQL. With a SQLite database a key file is created beside the database instead."
    )


def _key_file(path: Path) -> str:
    """Read the key file beside a SQLite database, creating it (owner-only) the first time."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_text(encoding="ascii").strip()
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def _private_file(path: Path) -> None:
    """Create the SQLite database file readable by its owner only (it holds case content)."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _switch_database(database: dict) -> None:
    from asgiref.local import Local
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    settings.DATABASES["default"] = database
    connections.__dict__.pop("settings", None)
    connections._connections = Local(connections.thread_critical)


def _url_message(url: str, why: str) -> str:
    shown = urlsplit(url or "")
    safe = f"{shown.scheme}://" if shown.scheme else "(empty)"
    return (f"The '--db' option must be a database URL such as sqlite:///review.sqlite3 or "
            f"postgresql://user@host:5432/review; {why} (got a URL starting '{safe}').")
