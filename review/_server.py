"""Serving the review service with waitress, a production WSGI server (pure Python)."""

from __future__ import annotations

__all__ = ["serve", "wsgi_application"]


def wsgi_application():
    """The Django WSGI application (after :func:`review.configure`)."""
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def serve(*, host: str = "127.0.0.1", port: int = 8000, threads: int = 4) -> None:
    """Serve until interrupted. Put HTTPS (a reverse proxy) in front for use beyond this machine."""
    import waitress

    waitress.serve(wsgi_application(), host=host, port=int(port), threads=int(threads), ident="review",
                   clear_untrusted_proxy_headers=True, channel_timeout=60)
