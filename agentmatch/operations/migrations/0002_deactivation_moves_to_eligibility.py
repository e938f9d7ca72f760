# AgentDeactivation is an eligibility fact: the model moves to the eligibility app and
# keeps its table (state only; no SQL runs).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("operations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AgentDeactivation")],
            database_operations=[],
        ),
    ]
