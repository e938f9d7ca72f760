"""The waiting referrals' queue gets an index in its own order: status, then first asked.

Offering waiting referrals again (when an agent is freed, and the worker's sweep) reads
them first asked, first served. With no index in that order, the planner read them
through `one_open_request_per_phone` (every open request, each time); with the status
opaque to it (core/planning.py), through the whole referrals table. This index replaces
`referrals_waiting` (status, waiting_since), whose only users (the metrics: open
requests by status, the oldest wait) read the same status range through it, so the
referrals keep as many indexes to write.

Written as SQL for both databases; on PostgreSQL, CONCURRENTLY, so intake and expiries go
on during the deploy. The new index is built before the old one goes; the previous
release, still running during a rolling deploy, reads the status range through either.
"""

from django.db import migrations, models

OLD, NEW = "referrals_waiting", "waiting_queue"
COLUMNS = {OLD: "status, waiting_since", NEW: "status, created_at, id"}


def run(forward: bool):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        concurrently = " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""
        made, dropped = (NEW, OLD) if forward else (OLD, NEW)
        schema_editor.execute(
            f"CREATE INDEX{concurrently} IF NOT EXISTS {made} "
            f"ON referrals_referral ({COLUMNS[made]})"
        )
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {dropped}")

    return apply


class Migration(migrations.Migration):
    atomic = False  # CREATE and DROP INDEX CONCURRENTLY run outside a transaction
    dependencies = [("referrals", "0012_offer_foreign_key_indexes")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(run(True), run(False))],
            state_operations=[
                migrations.RemoveIndex(model_name="referral", name=OLD),
                migrations.AddIndex(
                    model_name="referral",
                    index=models.Index(fields=["status", "created_at", "id"], name=NEW),
                ),
            ],
        )
    ]
