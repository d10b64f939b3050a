"""Which cases a member of staff may see: their team's newest batch, until it expires.

A team's current batch is the one with the latest data date among the batches that
assigned young people to the team (the latest imported on a tie); an earlier batch is
superseded. Once the current batch's expiry date has passed its cases leave the caseload
and the caseload says when they expired.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .models import Batch, Case, Decision, Role

__all__ = ["Caseload", "caseload", "current_batch", "find_case", "CAN_SEE_CASES"]

CAN_SEE_CASES = (Role.PRACTITIONER, Role.TEAM_LEAD)


@dataclass(frozen=True)
class Caseload:
    batch: Batch | None
    expired: bool
    cases: object  # a QuerySet of Case, annotated with the newest decision


def current_batch(team) -> Batch | None:
    """The team's newest batch (by data date, then import order), or None."""
    return (Batch.objects.filter(cases__team=team).distinct()
            .order_by("-data_date", "-imported_at", "-id").first())


def caseload(team) -> Caseload:
    """The team's young people in the highest band of its current batch, by rank."""
    batch = current_batch(team) if team is not None else None
    if batch is None:
        return Caseload(batch=None, expired=False, cases=Case.objects.none())
    expired = batch.expires_on < timezone.localdate()
    if expired:
        return Caseload(batch=batch, expired=True, cases=Case.objects.none())
    latest = Decision.objects.filter(case=OuterRef("pk")).order_by("-decided_at", "-id")
    cases = (Case.objects.filter(team=team, batch=batch, band=batch.top_band).order_by("rank")
             .only("person_id", "rank", "band", "position", "probability", "top_reasons")
             .annotate(decided_at=Subquery(latest.values("decided_at")[:1]),
                       agrees=Subquery(latest.values("agrees")[:1]),
                       action=Subquery(latest.values("action")[:1])))
    return Caseload(batch=batch, expired=False, cases=cases)


def find_case(team, person_id: str) -> tuple[Case | None, bool]:
    """The person's case in the team's current batch, and whether that batch has expired."""
    batch = current_batch(team) if team is not None else None
    if batch is None:
        return None, False
    case = Case.objects.filter(team=team, batch=batch, person_id=person_id).select_related("batch").first()
    return case, bool(case and batch.expires_on < timezone.localdate())
