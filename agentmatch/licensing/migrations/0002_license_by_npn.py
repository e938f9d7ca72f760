"""Licenses are keyed by NPN, not by agent, so NIPR data for a producer not yet on the
roster is kept; existing rows take their agent's npn_key."""

from django.db import migrations, models


def copy_npn_keys(apps, schema_editor):  # type: ignore[no-untyped-def]
    License = apps.get_model("licensing", "License")
    Agent = apps.get_model("agents", "Agent")
    keys = dict(Agent.objects.values_list("pk", "npn_key"))
    batch = []
    for lic in License.objects.only("pk", "agent_id").iterator(chunk_size=2000):
        lic.npn_key = keys[lic.agent_id]
        batch.append(lic)
        if len(batch) >= 2000:
            License.objects.bulk_update(batch, ["npn_key"])
            batch = []
    License.objects.bulk_update(batch, ["npn_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0001_initial"),
        ("licensing", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="license",
            name="npn_key",
            field=models.CharField(default="", max_length=10),
            preserve_default=False,
        ),
        migrations.RunPython(copy_npn_keys, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="license", name="license_per_state"),
        migrations.RemoveField(model_name="license", name="agent"),
        migrations.AddConstraint(
            model_name="license",
            constraint=models.UniqueConstraint(
                fields=("npn_key", "state"), name="license_per_npn_state"
            ),
        ),
    ]
