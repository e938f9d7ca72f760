"""The reference code's default and unique constraint, once 0007 gave every row a code."""

from django.db import migrations, models

import agentmatch.referrals.reference


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0008_referral_reference_code"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="reference_code",
            field=models.CharField(
                blank=True,
                default=agentmatch.referrals.reference.new_reference_code,
                editable=False,
                max_length=8,
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.UniqueConstraint(
                fields=("reference_code",), name="referral_reference_code_unique"
            ),
        ),
    ]
