# AgentDeactivation moves here from operations, keeping its table (state only; no SQL runs).
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0003_remove_agent_api_tokens"),
        ("eligibility", "0002_routing_slots"),
        ("operations", "0002_deactivation_moves_to_eligibility"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AgentDeactivation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("deactivated_at", models.DateTimeField()),
                        ("reason", models.CharField(max_length=500)),
                        ("previous_switch", models.CharField(max_length=10)),
                        (
                            "agent",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deactivation",
                                to="agents.agent",
                            ),
                        ),
                        (
                            "deactivated_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "operations_agentdeactivation"},
                ),
            ],
            database_operations=[],
        ),
    ]
