"""Security headers on every response of the review service.

A strict content security policy (only this service's own style sheet; no script at all),
no caching of any page (every page shows information about young people or staff), no
framing, no referrer, and no browser features the service does not use.
"""

from __future__ import annotations

__all__ = ["CONTENT_SECURITY_POLICY", "SecurityHeadersMiddleware"]

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Adds the headers above; the style sheet alone may be cached (it holds no data)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response["Permissions-Policy"] = PERMISSIONS_POLICY
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        if not getattr(response, "cacheable", False):
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response
