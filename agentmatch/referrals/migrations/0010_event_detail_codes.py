"""Events' details as a code and parameters (referrals.event_details), shown in the
reader's language. Expand only: `detail` stays and is still written in English for the
previous release; rows without a code are read back from their English text when shown."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0009_referral_reference_code_unique'),
    ]

    operations = [
        migrations.AddField(
            model_name='referralevent',
            name='code',
            field=models.CharField(blank=True, db_default='', max_length=40),
        ),
        migrations.AddField(
            model_name='referralevent',
            name='params',
            field=models.JSONField(blank=True, db_default={}, default=dict),
        ),
    ]
