"""The doors to forgetting: the worker's sweep, the command (with its dry run), the system
check on the setting; and two workers at once on PostgreSQL."""

import time
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agentmatch.core.jobs import SWEEP, registered, run_sweeps
from agentmatch.referrals.models import EventKind, Referral, ReferralEvent
from agentmatch.retention.actions import anonymise_ended_referrals
from agentmatch.retention.checks import check_retention_days
from agentmatch.retention.tests.conftest import (
    CONSUMER_PHONE_DIGITS,
    accepted,
    canceled,
    days_ago,
    everything_about,
)
from agentmatch.testing import at_the_same_moment, make_agent, plan_year_2026


def test_the_sweep_is_registered_with_the_worker() -> None:
    assert "anonymise ended referrals" in {job.name for job in registered(SWEEP)}


@pytest.mark.django_db
def test_the_workers_sweep_anonymises_what_is_due(agent) -> None:
    referral = canceled(at=days_ago(100))
    run_sweeps(now=timezone.now())
    referral.refresh_from_db()
    assert referral.anonymised_at is not None and referral.phone == ""


@pytest.mark.django_db
def test_a_dry_run_counts_without_changing_or_printing_anything_personal(agent) -> None:
    due = accepted(at=days_ago(100), agent=agent, phone="+16085550100")
    canceled(at=days_ago(10), phone="+16085550101")
    before = everything_about(due)
    out = StringIO()

    call_command("forget_ended_referrals", "--dry-run", stdout=out)

    text = out.getvalue()
    assert text.startswith("Dry run: 1 referrals ended more than 90 days ago")
    assert "1 delivery attempts" in text and "1 idempotency keys" in text
    assert "Nothing was changed" in text
    for secret in (CONSUMER_PHONE_DIGITS, "Anastasia", "53703", "example.com"):
        assert secret not in text
    assert everything_about(due) == before
    assert not Referral.objects.filter(anonymised_at__isnull=False).exists()


@pytest.mark.django_db
def test_the_command_anonymises_every_due_referral_and_says_how_many(agent) -> None:
    for n in range(3):
        canceled(at=days_ago(100 + n), phone=f"+160855501{n:02d}")
    out = StringIO()
    call_command("forget_ended_referrals", "--batch", "2", stdout=out)
    assert out.getvalue().startswith("Anonymised 3 referrals ended more than 90 days ago")
    assert Referral.objects.filter(anonymised_at__isnull=False).count() == 3


@pytest.mark.parametrize("days", [0, -1, 3651, "90"])
def test_the_check_refuses_a_period_that_is_not_one_to_3650_days(settings, days) -> None:
    settings.CONSUMER_DATA_RETENTION_DAYS = days
    [error] = check_retention_days()
    assert error.id == "retention.E001" and "CONSUMER_DATA_RETENTION_DAYS" in error.msg


@pytest.mark.parametrize("days", [1, 90, 3650])
def test_the_check_accepts_one_to_3650_days(settings, days) -> None:
    settings.CONSUMER_DATA_RETENTION_DAYS = days
    assert check_retention_days() == []


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_anonymise_each_referral_once() -> None:
    plan_year_2026()
    agent = make_agent(zip_code="53711", licensed=["WI"], npn="99887766")
    ids = [canceled(at=days_ago(100 + n), phone=f"+160855501{n:02d}").pk for n in range(6)]
    ids += [accepted(at=days_ago(100), agent=agent, phone="+16085550190").pk]
    now = timezone.now()

    def sweep(_i: int) -> int:
        total = 0
        while done := anonymise_ended_referrals(now=now, batch=2).referrals:
            total += done
        return total

    results = at_the_same_moment(2, sweep)

    assert sum(results) == len(ids), results
    audits = Counter(
        ReferralEvent.objects.filter(kind=EventKind.ANONYMISED).values_list(
            "referral_id", flat=True
        )
    )
    assert audits == dict.fromkeys(ids, 1)
    assert not Referral.objects.filter(pk__in=ids, anonymised_at__isnull=True).exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_worker_skips_a_referral_another_holds_instead_of_waiting() -> None:
    plan_year_2026()
    held = canceled(at=days_ago(101), phone="+16085550100")
    free = canceled(at=days_ago(100), phone="+16085550101")

    def race(i: int) -> int:
        if i == 0:
            with transaction.atomic():
                Referral.objects.select_for_update().get(pk=held.pk)
                time.sleep(1)  # holds the lock while the other worker runs
            return 0
        time.sleep(0.2)
        return anonymise_ended_referrals(now=timezone.now()).referrals

    assert at_the_same_moment(2, race) == [0, 1]
    assert Referral.objects.get(pk=held.pk).anonymised_at is None
    assert Referral.objects.get(pk=free.pk).anonymised_at is not None
