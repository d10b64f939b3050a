"""Which cases a member of staff may see: their team's newest batch, until it expires.

A team's current batch is the one with the latest data date among the batches that
assigned young people to the team (the latest imported on a tie); an earlier batch is
superseded. Once the current batch's expiry date has passed its cases leave the caseload
and the caseload says when they expired.

A batch's cases never change once imported, so each server process keeps the rows of a
team's highest band of a batch (rank, pseudonym, position, probability, main reasons: what a
caseload page lists) after first reading them; the review status of each page's cases is
read afresh on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import Batch, Case, Decision, Role, Team

__all__ = ["Caseload", "caseload", "newest_batch", "refresh_current_batch", "find_case", "with_review_status", "CAN_SEE_CASES"]

CAN_SEE_CASES = (Role.PRACTITIONER, Role.TEAM_LEAD)


@dataclass(frozen=True)
class Caseload:
    batch: Batch | None
    expired: bool
    cases: tuple  # the caseload's rows by rank (dicts, shared: copied by with_review_status)


def newest_batch(team) -> Batch | None:
    """The team's newest batch (by data date, then import order), or None."""
    # EXISTS probes the caseload index once per batch; a join would read every one of the team's cases.
    return (Batch.objects.filter(Exists(Case.objects.filter(batch=OuterRef("pk"), team=team)))
            .order_by("-data_date", "-imported_at", "-id").first())


def refresh_current_batch(team) -> None:
    """Point ``team.current_batch`` at its newest batch (an import calls this inside its transaction).

    The team's row is locked first, so two imports at once cannot leave an older batch current.
    """
    locked = Team.objects.select_for_update().get(pk=team.pk)
    locked.current_batch = newest_batch(locked)
    locked.save(update_fields=["current_batch"])
    team.current_batch = locked.current_batch


def caseload(team) -> Caseload:
    """The team's young people in the highest band of its current batch, by rank."""
    batch = team.current_batch if team is not None else None
    if batch is None:
        return Caseload(batch=None, expired=False, cases=())
    if batch.expires_on < timezone.localdate():
        return Caseload(batch=batch, expired=True, cases=())
    where = connection.settings_dict
    database = (where["ENGINE"], str(where["NAME"]), where.get("HOST", ""), str(where.get("PORT", "")))
    return Caseload(batch=batch, expired=False,
                    cases=_top_band(database, team.pk, batch.pk, batch.fingerprint, batch.imported_at, batch.top_band))


@lru_cache(maxsize=32)
def _top_band(database: tuple, team_id: int, batch_id: int, fingerprint: str, imported_at, band: str) -> tuple:
    """The team's cases in ``band`` of the batch by rank, read once per process (a batch never changes).

    The key names the database and the batch by content and import time as well as by
    number, so a number reused (another database, an import rolled back) is never mistaken.
    """
    rows = (Case.objects.filter(team_id=team_id, batch_id=batch_id, band=band).order_by("rank")
            .values("id", "person_id", "rank", "band", "position", "probability", "top_reasons"))
    return tuple(rows)


def with_review_status(cases) -> list[dict]:
    """Copies of one caseload page's rows, each given its newest decision's ``decided_at``, ``agrees`` and ``action``.

    One query for the page's decisions, newest first (cheaper to build than a subquery per column);
    a case without a decision gets None for each.
    """
    cases = [dict(case) for case in cases]
    newest = {}
    for row in (Decision.objects.filter(case__in=[c["id"] for c in cases]).order_by("case_id", "-decided_at", "-id")
                .values("case_id", "decided_at", "agrees", "action")):
        newest.setdefault(row.pop("case_id"), row)
    for case in cases:
        status = newest.get(case["id"], {})
        case.update((k, status.get(k)) for k in ("decided_at", "agrees", "action"))
    return cases


def find_case(team, person_id: str) -> tuple[Case | None, bool]:
    """The person's case in the team's current batch, and whether that batch has expired."""
    batch = team.current_batch if team is not None else None
    if batch is None:
        return None, False
    try:  # one case per batch and pseudonym: get() needs no ORDER BY
        case = Case.objects.get(team=team, batch=batch, person_id=person_id)
    except Case.DoesNotExist:
        return None, False
    case.batch = batch  # already loaded with the team
    return case, batch.expires_on < timezone.localdate()
