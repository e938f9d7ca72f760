"""Every referral has a short reference code people can read out ("K7QF-3M9D"): drawn at
random from characters that cannot be mistaken for one another, unique (a collision is
drawn again), given to referrals that existed before, and shown wherever a person reads a
reference, while the internal UUID is never shown as one."""

import re
from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from agentmatch.notifications.models import Message
from agentmatch.referrals import reference, services
from agentmatch.referrals.actions.requests import WEB, RequestFields, submit_request
from agentmatch.referrals.models import Referral
from agentmatch.referrals.reference import (
    ALPHABET,
    format_reference,
    new_reference_code,
    normalise_reference,
    parse_referral_number,
)
from agentmatch.testing import make_agent, make_referral, render_outbox

LOOK_ALIKES = set("0O1IL") | {"U"}
CODE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{4}$")


def test_a_code_is_eight_characters_without_look_alikes_shown_in_two_groups():
    assert len(ALPHABET) == len(set(ALPHABET)) == 30
    assert not LOOK_ALIKES & set(ALPHABET)
    codes = {new_reference_code() for _ in range(2000)}
    assert len(codes) == 2000  # 30^8 codes: two equal ones in 2,000 would be a broken draw
    for code in codes:
        assert len(code) == 8 and set(code) <= set(ALPHABET)
        assert CODE.match(format_reference(code))
    # Every character is used: the draw is not biased to a part of the alphabet.
    assert set("".join(codes)) == set(ALPHABET)


@pytest.mark.parametrize(
    "typed", ["K7QF-3M9D", "k7qf3m9d", " K7QF 3M9D ", "k7qf-3m9d", "K7QF_3M9D"]
)
def test_support_may_type_the_code_in_any_case_with_or_without_the_dash(typed):
    assert normalise_reference(typed) == "K7QF3M9D"
    assert parse_referral_number(typed) == ("K7QF3M9D", None)


@pytest.mark.parametrize("typed", ["", "K7QF-3M9", "K7QF-3M9DD", "K0QF-3M9D", "KIQF-3M9D", "ñ"])
def test_what_cannot_be_a_code_is_no_code(typed):
    assert normalise_reference(typed) is None


@pytest.mark.django_db
def test_every_new_referral_gets_a_code_and_two_never_share_one(plan_year):
    make_agent(zip_code="53703", licensed=["WI"])
    first, second = make_referral(), make_referral()
    for referral in (first, second):
        referral.refresh_from_db()
        assert CODE.match(referral.reference)
        assert referral.reference_code == referral.reference.replace("-", "")
    assert first.reference_code != second.reference_code
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=second.pk).update(reference_code=first.reference_code)


def fields(phone: str) -> RequestFields:
    return RequestFields(
        first_name="Ana",
        last_name="Diaz",
        phone=phone,
        email=None,
        zip_code="53703",
        language="en",
        consent=True,
    )


@pytest.mark.django_db(transaction=True)
def test_a_code_already_taken_is_drawn_again_and_the_request_is_stored_once(plan_year, monkeypatch):
    make_agent(zip_code="53703", licensed=["WI"])
    taken = make_referral().reference_code
    draws = iter([taken, "K7QF3M9D"])
    monkeypatch.setattr(services, "new_reference_code", lambda: next(draws))
    submitted = submit_request(
        fields=fields("608-555-0177"), channel=WEB, client_address="192.0.2.9", now=plan_now()
    )
    assert submitted.referral.reference == "K7QF-3M9D"
    assert Referral.objects.filter(phone="+16085550177").count() == 1
    # The attempt that collided left nothing behind: one "created" event, one "received" text.
    stored = Referral.objects.get(phone="+16085550177")
    assert stored.events.filter(kind="created").count() == 1
    assert (
        Message.objects.filter(referral=stored, kind="consumer_received", channel="sms").count()
        == 1
    )


@pytest.mark.django_db(transaction=True)
def test_a_code_that_keeps_colliding_is_an_error_not_a_loop(plan_year, monkeypatch):
    make_agent(zip_code="53703", licensed=["WI"])
    taken = make_referral().reference_code
    monkeypatch.setattr(services, "new_reference_code", lambda: taken)
    with pytest.raises(IntegrityError):
        submit_request(
            fields=fields("608-555-0178"), channel=WEB, client_address="192.0.2.9", now=plan_now()
        )
    assert not Referral.objects.filter(phone="+16085550178").exists()


def plan_now() -> datetime:
    from django.utils import timezone

    return timezone.now()


@pytest.mark.django_db(transaction=True)
def test_referrals_stored_before_codes_existed_get_one_each_when_migrating():
    executor = MigrationExecutor(connection)
    before = [("referrals", "0007_dashboard_indexes")]
    latest = executor.loader.graph.leaf_nodes("referrals")
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldReferral = old_apps.get_model("referrals", "Referral")
        now = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
        for n in range(3):
            OldReferral.objects.create(
                status="unmatched",
                status_token_hash="x",
                plan_year=2026,
                first_name="Old",
                last_name="Request",
                phone=f"+1608555{n:04d}",
                zip_code="53703",
                city="Madison",
                state="WI",
                latitude=43.07,
                longitude=-89.38,
                language="en",
                consent_given_at=now,
                consent_wording_version="2026-1",
                created_at=now,
                ended_at=now,
            )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    codes = list(Referral.objects.values_list("reference_code", flat=True))
    assert len(codes) == 3 and len(set(codes)) == 3
    assert all(code and normalise_reference(code) == code for code in codes)


@pytest.mark.django_db
def test_the_texts_and_emails_give_the_code_not_the_internal_id(plan_year):
    make_agent(zip_code="53703", licensed=["WI"])
    referral = make_referral()
    render_outbox()
    received = Message.objects.filter(referral=referral, kind="consumer_received")
    assert received.count() == 2
    for message in received:
        shown = message.body.replace(f"/status/{referral.public_id}/", "/status/LINK/")
        assert referral.reference in shown
        assert str(referral.public_id) not in shown
        assert str(referral.public_id) not in message.subject


@pytest.mark.django_db
def test_a_referral_without_a_code_keeps_the_reference_its_consumer_was_given(plan_year):
    """A row the previous release stored during the rolling deploy has no code; its
    consumer was told the UUID, so that stays its reference (and support finds it)."""
    make_agent(zip_code="53703", licensed=["WI"])
    referral = make_referral()
    Referral.objects.filter(pk=referral.pk).update(reference_code=None)
    referral.refresh_from_db()
    assert referral.reference == str(referral.public_id)
    assert reference.find_referral(str(referral.public_id)) == referral
