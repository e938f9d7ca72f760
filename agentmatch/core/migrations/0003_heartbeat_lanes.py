"""Which lanes each worker process runs: `/readyz` follows the processes with the offer
clock. A column with a database default: the previous release's workers insert rows
without it, and those ran the clock."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "0002_unaccent")]

    operations = [
        migrations.AddField(
            model_name="workerheartbeat",
            name="lanes",
            field=models.CharField(db_default="main", default="main", max_length=200),
        ),
    ]
