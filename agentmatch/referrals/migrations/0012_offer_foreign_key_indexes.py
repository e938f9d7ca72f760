"""Offers: two indexes fewer to write.

The foreign keys' own indexes go: offer_once_per_agent leads with the referral and
offers_by_agent with the agent, so every lookup by either column is served by those.
Each offer written or settled (a change of status is never a HOT update: the status is
indexed) wrote both for nothing.

Written as SQL for both databases rather than Django's AlterField, which rebuilds the
whole table on SQLite; on PostgreSQL, DROP INDEX CONCURRENTLY, so intake and expiries go
on during the deploy. The previous release, still running during a rolling deploy, reads
by the same remaining indexes.
"""

from django.db import migrations, models

# Django's names for the foreign keys' indexes (the same on both databases).
FK_INDEXES = {
    "referrals_offer_agent_id_65e8357d": "agent_id",
    "referrals_offer_referral_id_5787746e": "referral_id",
}


def run(forward: bool):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        postgresql = schema_editor.connection.vendor == "postgresql"
        concurrently = " CONCURRENTLY" if postgresql else ""
        for name, column in FK_INDEXES.items():
            if forward:
                schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")
            else:
                schema_editor.execute(
                    f"CREATE INDEX{concurrently} IF NOT EXISTS {name} "
                    f"ON referrals_offer ({column})"
                )

    return apply


class Migration(migrations.Migration):
    atomic = False  # DROP and CREATE INDEX CONCURRENTLY run outside a transaction
    dependencies = [
        ("agents", "0008_directory_opt_out"),
        ("referrals", "0011_webhook_disclosures"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(run(True), run(False))],
            state_operations=[
                migrations.AlterField(
                    model_name="offer",
                    name="agent",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.PROTECT,
                        related_name="offers",
                        to="agents.agent",
                    ),
                ),
                migrations.AlterField(
                    model_name="offer",
                    name="referral",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="offers",
                        to="referrals.referral",
                    ),
                ),
            ],
        )
    ]
