from django.db import migrations, models


class Migration(migrations.Migration):
    # Its own migration (and transaction): PostgreSQL will not build the index in the
    # transaction that just rewrote rows of the same table with deferred checks pending.
    dependencies = [("referrals", "0003_one_open_request_per_phone")]

    operations = [
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("new", "offered", "waiting"))),
                fields=("phone",),
                name="one_open_request_per_phone",
            ),
        ),
    ]
