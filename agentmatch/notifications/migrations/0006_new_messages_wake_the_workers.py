"""A new outbox message wakes the idle workers (PostgreSQL LISTEN/NOTIFY, core/wakeup.py).

A statement-level trigger, so every path that inserts messages (one message, or one INSERT
of many) notifies once, in the inserting transaction: PostgreSQL delivers it at commit and
folds repeats within a transaction into one. SQLite has no NOTIFY: its worker polls.

Only when nothing else in the outbox was due: a NOTIFY takes a database-wide lock held
through the commit, so committing transactions that notify go one at a time (measured with
pgbench, 8 clients inserting one row each: about half the commits a second). A worker with
due messages is not idle and needs no wake-up, so intake under load, when the outbox has
a backlog, pays one indexed look-up instead; a message that arrives just as the last
worker falls idle waits at most WORKER_IDLE_SLEEP_SECONDS.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION agentmatch_wake_workers() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (
        SELECT 1 FROM notifications_message m
        WHERE m.status = 'pending' AND m.next_attempt_at <= clock_timestamp()
          AND NOT EXISTS (SELECT 1 FROM inserted i WHERE i.id = m.id)
    ) THEN
        PERFORM pg_notify('agentmatch_worker', '');
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notifications_message_wakes_workers
    AFTER INSERT ON notifications_message
    REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION agentmatch_wake_workers();
"""
DROP = """
DROP TRIGGER IF EXISTS notifications_message_wakes_workers ON notifications_message;
DROP FUNCTION IF EXISTS agentmatch_wake_workers();
"""


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("notifications", "0005_delivery_reports_and_undeliverable_phones")]

    operations = [migrations.RunPython(forwards, backwards)]
