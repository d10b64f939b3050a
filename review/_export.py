"""The decisions export, for ``riskmodel audit --decision``: pseudonyms and choices only.

One row per reviewed case (its newest decision): the young person's pseudonym, the batch's
data date and model version, the model's score, whether the model flagged the young
person (in the batch's highest band), the practitioner's ``decision`` (1 when they agree
that the young person belongs in the highest band, else 0; the column ``riskmodel audit
--decision`` reads), the action from the declared list, and the team. No free text and no
usernames leave the service. Join it to outcomes and group columns by ``person_id`` and
``as_of`` to audit the model alone against the model with practitioners.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from django.db.models import OuterRef, Subquery

from .models import Case, Decision

__all__ = ["EXPORT_COLUMNS", "export_decisions"]

EXPORT_COLUMNS = ["person_id", "as_of", "model_name", "model_version", "probability", "score", "band",
                  "model_flag", "agrees", "decision", "action", "team", "decided_on"]


def export_decisions(path) -> int:
    """Write the export to ``path`` (readable by its owner only); returns the number of rows."""
    latest = Decision.objects.filter(case=OuterRef("pk")).order_by("-decided_at", "-id")
    rows = (Case.objects.annotate(agrees=Subquery(latest.values("agrees")[:1]),
                                  action=Subquery(latest.values("action")[:1]),
                                  decided_at=Subquery(latest.values("decided_at")[:1]))
            .filter(decided_at__isnull=False).select_related("batch", "team").order_by("batch__data_date", "rank"))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    n = 0
    with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for case in rows.iterator(chunk_size=2000):
            flag = int(case.band == case.batch.top_band)
            writer.writerow([case.person_id, case.batch.data_date.isoformat(), case.batch.model_name,
                             case.batch.model_version, f"{case.probability:.6f}", case.position, case.band, flag,
                             int(case.agrees), int(case.agrees) if flag else int(not case.agrees), case.action,
                             case.team.name, case.decided_at.date().isoformat()])
            n += 1
    return n
