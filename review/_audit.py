"""Writing the append-only audit log: who, what, which pseudonym, when and from where."""

from __future__ import annotations

from .models import AuditEvent

__all__ = ["record"]


def record(request, kind: str, *, person_id: str = "", detail: str = "", user=None, username: str = "") -> AuditEvent:
    """Append one event; ``request`` gives the user and address when there is one (None from the CLI)."""
    if request is not None and user is None and request.user.is_authenticated:
        user = request.user
    return AuditEvent.objects.create(
        user=user, username=username or (user.get_username() if user is not None else ""), kind=kind,
        person_id=person_id, address=_address(request), detail=detail[:300],
    )


def _address(request) -> str:
    if request is None:
        return "command line"
    return str(request.META.get("REMOTE_ADDR", ""))[:45]
