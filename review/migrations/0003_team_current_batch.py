"""Pages read a team's newest batch with the user's team, and one index answers a caseload.

``Team.current_batch`` is filled here for batches imported before it existed (each later
import keeps it up to date); the caseload index (team, batch, band, rank) replaces
(team, batch, rank), so a caseload page and its count read the index alone.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef


def fill_current_batch(apps, schema_editor):
    Team, Batch, Case = (apps.get_model("review", name) for name in ("Team", "Batch", "Case"))
    for team in Team.objects.all():
        team.current_batch = (Batch.objects.filter(Exists(Case.objects.filter(batch=OuterRef("pk"), team=team)))
                              .order_by("-data_date", "-imported_at", "-id").first())
        team.save(update_fields=["current_batch"])


class Migration(migrations.Migration):

    dependencies = [
        ('review', '0002_audit_append_only'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='case',
            name='review_case_team_id_45de21_idx',
        ),
        migrations.AddField(
            model_name='team',
            name='current_batch',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='review.batch'),
        ),
        migrations.AddIndex(
            model_name='case',
            index=models.Index(fields=['team', 'batch', 'band', 'rank'], name='review_case_caseload_idx'),
        ),
        migrations.RunPython(fill_current_batch, migrations.RunPython.noop),
    ]
