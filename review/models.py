"""What the review service stores: teams, staff roles, scoring batches, cases, decisions, audit.

The only identifier of a young person held here is the pseudonym the scoring batch
carries. Free-text reasons stay in the service: the decision export leaves them out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    TEAM_LEAD = "team_lead", "Team lead"
    GOVERNANCE = "governance", "Governance"
    ADMIN = "admin", "Administrator"


class Action(models.TextChoices):
    """What the practitioner did after reading the case (a declared list, never free text)."""

    ALREADY_KNOWN = "already_known", "Already known, plan in place"
    EARLY_HELP = "early_help", "Referral to early help"
    TEAM_AROUND = "team_around", "Discussed at a multi-agency (team around the child) meeting"
    CONTACT = "contact", "Contact with the young person or family to offer support"
    SAFEGUARDING = "safeguarding", "Safeguarding referral"
    NO_ACTION = "no_action", "No action"


class Team(models.Model):
    """A locality team: practitioners see the young people assigned to their team only.

    ``current_batch`` is the team's newest batch (see :func:`review._caseload.newest_batch`),
    set by each import so that a page reads it with the signed-in user's team, not by a query
    over the team's cases.
    """

    name = models.CharField(max_length=100, unique=True)
    current_batch = models.ForeignKey("Batch", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    """A member of staff's role and team."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="staff")


class Batch(models.Model):
    """One scoring batch: the folder ``riskmodel score --out`` wrote, imported once."""

    fingerprint = models.CharField(max_length=64, unique=True)
    model_name = models.CharField(max_length=200)
    model_version = models.CharField(max_length=50)
    run_id = models.CharField(max_length=100, blank=True)
    label_name = models.CharField(max_length=200)
    label_version = models.CharField(max_length=50)
    label_description = models.TextField()
    data_date = models.DateField()
    expires_on = models.DateField()
    top_band = models.CharField(max_length=50)
    n_scored = models.PositiveIntegerField()
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["data_date"])]


class Case(models.Model):
    """A young person's explained score in one batch, assigned to one team."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="cases")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="cases")
    person_id = models.CharField(max_length=64)
    rank = models.PositiveIntegerField()
    band = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField()
    probability = models.FloatField()
    top_reasons = models.TextField(blank=True)
    content = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "person_id"], name="one_case_per_batch")]
        # A caseload is one team's top band of one batch by rank: this index answers it, and counts it,
        # without reading the rows (which carry the case content).
        indexes = [models.Index(fields=["team", "batch", "band", "rank"], name="review_case_caseload_idx"),
                   models.Index(fields=["person_id"])]


class Decision(models.Model):
    """A practitioner's judgement on a case; the newest one per case is its review status."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="decisions")
    agrees = models.BooleanField()
    action = models.CharField(max_length=30, choices=Action.choices)
    reason = models.TextField(max_length=2000)
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["case", "-decided_at"])]


class AppendOnlyError(Exception):
    """An audit event may be written once and never changed or deleted."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only: its events cannot be changed.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only: its events cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what, about which pseudonym, when and from where. Append-only."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        SIGN_IN_LOCKED = "sign_in_locked", "Sign-in refused: account locked"
        SIGN_OUT = "sign_out", "Signed out"
        CASELOAD_VIEW = "caseload_view", "Viewed caseload"
        CASE_VIEW = "case_view", "Viewed case"
        CASE_REFUSED = "case_refused", "Case not shown (not in the user's team or expired)"
        DECISION = "decision", "Recorded decision"
        GOVERNANCE_VIEW = "governance_view", "Viewed governance aggregates"
        AUDIT_VIEW = "audit_view", "Viewed audit log"
        EXPORT = "export", "Exported decisions"
        IMPORT = "import", "Imported scoring batch"
        USER_ADDED = "user_added", "Added user"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    username = models.CharField(max_length=150, blank=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    person_id = models.CharField(max_length=64, blank=True)
    address = models.CharField(max_length=45, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    objects = AuditQuerySet.as_manager()

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise AppendOnlyError("The audit log is append-only: an event cannot be changed once written.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: an event cannot be deleted.")


class SignInLock(models.Model):
    """Failed sign-ins per username; locks the account after repeated failures."""

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveSmallIntegerField(default=0)
    first_failure = models.DateTimeField(null=True)
    locked_until = models.DateTimeField(null=True)
