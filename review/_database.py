"""Creating or migrating the review database."""

from __future__ import annotations

__all__ = ["migrate"]


def migrate() -> list[str]:
    """Apply every migration not yet applied; returns their names."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    call_command("migrate", interactive=False, verbosity=0)
    return [f"{m.app_label}.{m.name}" for m, _ in plan]
