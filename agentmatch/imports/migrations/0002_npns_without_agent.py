"""Rows for NPNs not on the roster are no longer dropped: the run counts those NPNs."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("imports", "0001_initial")]

    operations = [
        migrations.RenameField(
            model_name="importrun", old_name="unknown_npn", new_name="npns_without_agent"
        ),
    ]
