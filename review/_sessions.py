"""Inactivity expiry of signed-in sessions without a database write on every request.

A session ends ``SESSION_IDLE`` after it was last saved. Django's ``SESSION_SAVE_EVERY_REQUEST``
would save it (an UPDATE of its row, and a re-signed cookie) on every page; instead the
session is saved again only when its last save is at least ``SESSION_REFRESH`` old, so a
signed-in member of staff's session ends between ``SESSION_IDLE - SESSION_REFRESH`` and
``SESSION_IDLE`` after their last request, and the row is written at most once a minute.
Signing out deletes the row at once. An expired session is refused, but its row stays until
:func:`clear_expired_sessions` (``riskmodel review clearsessions``, Django's
``clearsessions``) deletes it.
"""

from __future__ import annotations

import time

from ._settings import SESSION_REFRESH

__all__ = ["REFRESHED_KEY", "SessionRefreshMiddleware", "clear_expired_sessions"]

REFRESHED_KEY = "_review_refreshed"  # when the session was last saved, seconds since the epoch


class SessionRefreshMiddleware:
    """Marks a signed-in session for saving (a new expiry) when its last save is ``SESSION_REFRESH`` old.

    It sits after Django's ``SessionMiddleware``, which saves a session marked as modified
    when the response leaves.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.refresh = SESSION_REFRESH.total_seconds()

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(REFRESHED_KEY, 0) >= self.refresh:
                session[REFRESHED_KEY] = now
        return response


def clear_expired_sessions() -> int:
    """Delete the sessions whose expiry has passed (Django's ``clearsessions``); returns how many."""
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    expired = Session.objects.filter(expire_date__lt=timezone.now()).count()
    call_command("clearsessions", verbosity=0)
    return expired
