"""The database itself refuses to change or delete audit events (SQLite and PostgreSQL triggers)."""

from django.db import migrations

SQLITE = [
    "CREATE TRIGGER review_auditevent_no_update BEFORE UPDATE ON review_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    "CREATE TRIGGER review_auditevent_no_delete BEFORE DELETE ON review_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
]
SQLITE_REVERSE = ["DROP TRIGGER review_auditevent_no_update;", "DROP TRIGGER review_auditevent_no_delete;"]
POSTGRESQL = [
    "CREATE FUNCTION review_auditevent_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$;",
    "CREATE TRIGGER review_auditevent_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON review_auditevent "
    "FOR EACH STATEMENT EXECUTE FUNCTION review_auditevent_refuse();",
]
POSTGRESQL_REVERSE = ["DROP TRIGGER review_auditevent_append_only ON review_auditevent;",
                      "DROP FUNCTION review_auditevent_refuse();"]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):
    dependencies = [("review", "0001_initial")]

    operations = [
        migrations.RunPython(_run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
                             _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE})),
    ]
