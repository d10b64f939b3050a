"""Adding members of staff, each with one role and (for case work) one team."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from ._caseload import CAN_SEE_CASES
from ._errors import ReviewError
from .models import Role, StaffProfile, Team

__all__ = ["add_user"]

TEAM_ROLES = CAN_SEE_CASES  # the roles that see a team's cases are the ones that belong to a team


@transaction.atomic
def add_user(username: str, *, role: str, password: str, team: str | None = None):
    """Create a member of staff with a hashed password.

    Parameters
    ----------
    username : str
    role : {"practitioner", "team_lead", "governance", "admin"}
    password : str
        Checked against Django's password validators (at least 12 characters, not common,
        not all digits).
    team : str, optional
        Required for practitioners and team leads, refused for the other roles.

    Raises
    ------
    ReviewError
        If the username is taken or malformed, the role unknown, the team missing or
        refused, or the password too weak.
    """
    User = get_user_model()
    username = _username(username)
    if role not in Role.values:
        raise ReviewError(f"The '--role' option must be one of {', '.join(Role.values)}; got '{role}'.")
    if (role in TEAM_ROLES) != bool(team):
        need = "needs '--team NAME'" if role in TEAM_ROLES else "takes no '--team' (it sees no cases)"
        raise ReviewError(f"The role '{role}' {need}.")
    if User.objects.filter(username__iexact=username).exists():
        raise ReviewError("That username is already taken; choose another.")
    user = User(username=username, is_staff=False, is_superuser=False)
    _check_password(password, user)
    user.set_password(password)
    user.save()
    team_row = Team.objects.get_or_create(name=team.strip())[0] if team else None
    StaffProfile.objects.create(user=user, role=role, team=team_row)
    return user


def _username(username: str) -> str:
    username = (username or "").strip()
    if not username or len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        raise ReviewError("The '--username' option must be 1 to 150 letters, digits or @ . + - _ characters.")
    return username


def _check_password(password: str, user) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ReviewError("The password was refused: " + " ".join(error.messages)) from None
