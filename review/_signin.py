"""Signing in, with an account locked for a while after repeated failed attempts.

:class:`~review._settings.LOCKOUT` sets the numbers: ``attempts`` failures within
``window`` lock the username for ``duration``, whether or not the username exists (so a
lock says nothing about which accounts there are). A successful sign-in clears the count.
"""

from __future__ import annotations

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.utils import timezone

from ._settings import LOCKOUT
from .models import SignInLock

__all__ = ["StaffBackend", "is_locked", "sign_in"]


class StaffBackend(ModelBackend):
    """Django's password backend, loading a signed-in user's role, team and its batch in one query."""

    def get_user(self, user_id):
        User = get_user_model()
        try:  # get(), not first(): no ORDER BY to build and run for a primary key
            user = User._default_manager.select_related("staff__team__current_batch").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


def is_locked(username: str) -> bool:
    """Whether ``username`` is locked now."""
    lock = SignInLock.objects.filter(username=username.lower()).first()
    return bool(lock and lock.locked_until and lock.locked_until > timezone.now())


def sign_in(request, username: str, password: str):
    """Try to sign in.

    Returns
    -------
    user : User or None
        The user if the password is right and the account is not locked, else None (a
        wrong password is counted towards the lock).
    locked : bool
        True when the attempt was refused because the account was already locked (the
        password is then not checked), so the audit log can tell the two refusals apart.
    """
    if is_locked(username):
        return None, True
    user = authenticate(request, username=username, password=password)
    if user is not None:
        SignInLock.objects.filter(username=username.lower()).delete()
        return user, False
    _count_failure(username.lower())
    return None, False


def _count_failure(username: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        lock, _ = SignInLock.objects.select_for_update().get_or_create(username=username)
        if lock.first_failure is None or now - lock.first_failure > LOCKOUT.window:
            lock.failures, lock.first_failure = 0, now
        lock.failures += 1
        if lock.failures >= LOCKOUT.attempts:
            lock.locked_until = now + LOCKOUT.duration
            lock.failures, lock.first_failure = 0, None
        lock.save()
