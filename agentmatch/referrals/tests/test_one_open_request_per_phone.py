"""A phone waits for one agent at a time: the database holds the rule, and submit_request
answers "already open" cleanly, even for requests that arrive at the same moment."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from agentmatch.referrals.actions.requests import (
    WEB,
    AlreadyOpen,
    RequestFields,
    cancel_request,
    submit_request,
)
from agentmatch.referrals.models import Referral
from agentmatch.testing import at_the_same_moment, make_agent, make_referral

FIELDS = RequestFields(
    first_name="Ana",
    last_name="Diaz",
    phone="608-555-0199",
    email="",
    zip_code="53703",
    language="en",
    consent=True,
)


def submit(address: str = "203.0.113.9"):  # type: ignore[no-untyped-def]
    return submit_request(fields=FIELDS, channel=WEB, client_address=address, now=timezone.now())


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_referral_for_a_phone_even_inserted_directly(
    plan_year,
):
    first = make_referral(phone="608-555-0199")
    copy = Referral.objects.values().get(pk=first.pk)
    for field in ("id", "public_id", "reference_code"):
        copy.pop(field)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(**copy)
    # Once the first one ended, the phone may ask again.
    Referral.objects.filter(pk=first.pk).update(status="canceled", ended_at=timezone.now())
    Referral.objects.create(**copy)
    assert Referral.objects.filter(phone="+16085550199").count() == 2


@pytest.mark.django_db
def test_a_second_request_for_an_open_phone_names_the_open_one(plan_year):
    make_agent(zip_code="53711", licensed=["WI"])
    first = submit()
    with pytest.raises(AlreadyOpen) as refused:
        submit("198.51.100.7")
    assert refused.value.referral == first.referral
    assert refused.value.code == "already_open" and refused.value.field == "phone"
    cancel_request(referral_id=first.referral.pk, now=timezone.now())
    assert submit().referral != first.referral


@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_for_one_phone_make_one_referral(plan_year, settings):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"] == ":memory:":
        pytest.skip("needs a database shared between threads")
    settings.CONSUMER_REQUESTS_PER_PHONE = 100
    make_agent(zip_code="53711", licensed=["WI"])
    results = at_the_same_moment(8, lambda n: submit(f"203.0.113.{n}"))
    made = [r.referral for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, AlreadyOpen)]
    assert len(made) == 1 and len(refused) == 7, results
    assert {exc.referral.pk for exc in refused} == {made[0].pk}
    assert Referral.objects.count() == 1
