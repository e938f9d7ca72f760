"""The intake's rate-limit counters moved down to referrals (every door counts, the API
too), and the page language of a web request became a field of the referral itself.

The counters are only good for the current hour: they are dropped, not copied.
"""

from django.db import migrations
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce


def copy_page_language(apps, schema_editor):  # type: ignore[no-untyped-def]
    Referral = apps.get_model("referrals", "Referral")
    WebRequest = apps.get_model("consumers", "WebRequest")
    page = WebRequest.objects.filter(referral_id=OuterRef("pk")).values("page_language")[:1]
    Referral.objects.filter(consent_channel="web").update(
        page_language=Coalesce(Subquery(page), Value(""))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("consumers", "0001_initial"),
        ("referrals", "0002_intake_protection"),
    ]

    operations = [
        migrations.RunPython(copy_page_language, migrations.RunPython.noop),
        migrations.DeleteModel(name="WebRequest"),
        migrations.DeleteModel(name="IntakeCounter"),
    ]
