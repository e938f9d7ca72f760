"""One open request per consumer phone: first end the extra ones a database may hold from
before (the API once let one phone make several), then add the constraint.

The oldest open request of each phone stays; the newer ones end canceled, their pending
offers withdrawn, each with an event saying why.
"""

from django.db import migrations
from django.db.models import Count
from django.utils import timezone

OPEN = ("new", "offered", "waiting")
REASON = "duplicate: this phone already had an open request (one open request per phone)"


def end_duplicates(apps, schema_editor):  # type: ignore[no-untyped-def]
    Referral = apps.get_model("referrals", "Referral")
    Offer = apps.get_model("referrals", "Offer")
    ReferralEvent = apps.get_model("referrals", "ReferralEvent")
    now = timezone.now()
    phones = (
        Referral.objects.filter(status__in=OPEN)
        .values("phone")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("phone", flat=True)
    )
    for phone in list(phones):
        extra = list(
            Referral.objects.filter(phone=phone, status__in=OPEN)
            .order_by("created_at", "pk")
            .values_list("pk", flat=True)[1:]
        )
        Offer.objects.filter(referral_id__in=extra, status="pending").update(
            status="canceled", responded_at=now
        )
        Referral.objects.filter(pk__in=extra).update(
            status="canceled", ended_at=now, end_reason=REASON
        )
        ReferralEvent.objects.bulk_create(
            ReferralEvent(referral_id=pk, kind="canceled", at=now, detail=REASON) for pk in extra
        )


class Migration(migrations.Migration):
    dependencies = [("referrals", "0002_intake_protection")]

    operations = [migrations.RunPython(end_duplicates, migrations.RunPython.noop)]
