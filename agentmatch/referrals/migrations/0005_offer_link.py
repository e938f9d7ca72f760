# OfferLink moves here from notifications, keeping its table (state only; no SQL runs).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0003_remove_agent_api_tokens"),
        ("referrals", "0004_one_open_request_per_phone_constraint"),
        ("notifications", "0004_offer_link_moves_to_referrals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OfferLink",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("token_hash", models.CharField(max_length=64, unique=True)),
                        (
                            "action",
                            models.CharField(
                                choices=[("accept", "Accept"), ("reject", "Reject")], max_length=10
                            ),
                        ),
                        ("expires_at", models.DateTimeField()),
                        ("used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "agent",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="offer_links",
                                to="agents.agent",
                            ),
                        ),
                        (
                            "offer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="links",
                                to="referrals.offer",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notifications_offerlink",
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("action__in", ["accept", "reject"])),
                                name="offer_link_action_known",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
