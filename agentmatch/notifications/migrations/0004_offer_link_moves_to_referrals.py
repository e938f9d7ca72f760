# OfferLink is about an offer: the model moves to the referrals app and keeps its table
# (state only; no SQL runs).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_offer_link"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="OfferLink")],
            database_operations=[],
        ),
    ]
