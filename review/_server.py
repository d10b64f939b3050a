"""Serving the review service with gunicorn: several worker processes sharing one socket.

A page costs a few milliseconds of Python and well under one of database time, so one Python
process serves at most one page at a time whatever its threads: the service scales with
processes. gunicorn's master process forks ``workers`` processes (after loading Django once,
so they share its memory), restarts any that dies, and stops them all cleanly on SIGTERM
(finishing the requests in hand) or Ctrl+C. Each worker runs ``threads`` threads
(gunicorn's ``gthread`` worker), so keep-alive connections and the wait for the database do
not hold a process. There is no access log: request paths carry pseudonyms.
"""

from __future__ import annotations

import os

from gunicorn.app.base import BaseApplication

__all__ = ["DEFAULT_THREADS", "default_workers", "serve", "wsgi_application"]

DEFAULT_THREADS = 2


def default_workers() -> int:
    """One worker process per core this process may run on (at least 2, at most 8)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return min(max(cores, 2), 8)


def wsgi_application():
    """The Django WSGI application (after :func:`review.configure`)."""
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def serve(*, host: str = "127.0.0.1", port: int = 8000, workers: int | None = None,
          threads: int = DEFAULT_THREADS) -> None:
    """Serve until stopped (SIGTERM or Ctrl+C). Put HTTPS (a reverse proxy) in front for use beyond this machine.

    Parameters
    ----------
    host, port : str, int
        The address to listen on.
    workers : int, optional
        Worker processes; :func:`default_workers` when not given.
    threads : int, default=2
        Threads in each worker process.
    """
    from django.db import connections

    application = wsgi_application()
    connections.close_all()  # each worker opens its own connections after the fork
    _Server(application, _options(host, int(port), workers or default_workers(), int(threads))).run()


def _options(host: str, port: int, workers: int, threads: int) -> dict:
    return {
        "bind": f"{host}:{port}", "workers": workers, "worker_class": "gthread", "threads": threads,
        "preload_app": True, "proc_name": "riskmodel-review", "accesslog": None, "errorlog": "-",
        "loglevel": "info", "timeout": 60, "graceful_timeout": 30, "keepalive": 5,
        # gunicorn 25.1+ opens a control socket at one fixed path per user by default: two services would clash.
        "control_socket_disable": True,
    }


class _Server(BaseApplication):
    """gunicorn running the already configured Django application (no configuration file is read)."""

    def __init__(self, application, options: dict):
        self.application, self.options = application, options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self):
        return self.application
