"""Every referral gets a reference code people can read out (referrals/reference.py).

Expand only, for the rolling deploy: the column is nullable (the previous release, still
serving while this runs, inserts without it), existing rows get a code here, and the next
migration adds the unique constraint (in its own transaction: PostgreSQL refuses to alter
a table with updates still pending in the same one). The field's Python default comes in
the next migration too: Django would otherwise put one single default value into every
existing row."""

from django.db import migrations, models

import agentmatch.referrals.reference

BATCH = 1000


def give_every_referral_a_code(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    # The column is new, so no row has a code yet: remembering the ones drawn here keeps
    # them unique without asking the database.
    taken: set[str] = set()
    while True:
        batch = list(
            Referral.objects.filter(reference_code__isnull=True).order_by("pk").only("pk")[:BATCH]
        )
        if not batch:
            return
        for referral in batch:
            code = agentmatch.referrals.reference.new_reference_code()
            while code in taken:
                code = agentmatch.referrals.reference.new_reference_code()
            taken.add(code)
            referral.reference_code = code
        Referral.objects.bulk_update(batch, ["reference_code"])


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0007_dashboard_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="reference_code",
            field=models.CharField(blank=True, editable=False, max_length=8, null=True),
        ),
        migrations.RunPython(give_every_referral_a_code, migrations.RunPython.noop),
    ]
