"""Follow-up statuses: the rules, one current status with history, database constraints."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from agentmatch.referrals.services import accept_offer
from agentmatch.testing import make_referral
from agentmatch.workspace.models import FollowUp, FollowUpStatus
from agentmatch.workspace.services import FollowUpError, FollowUpInput, set_follow_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(agent):  # type: ignore[no-untyped-def]
    referral = make_referral()
    with transaction.atomic():
        accept_offer(offer_id=referral.offers.get().pk, agent=agent, now=timezone.now())
    return referral


def record(referral, agent, status, now=None, **fields):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        return set_follow_up(
            referral=referral,
            agent=agent,
            data=FollowUpInput(status=status, **fields),
            now=now or timezone.now(),
        )


def test_each_new_status_becomes_current_and_the_old_ones_stay_as_history(accepted, agent):
    now = timezone.now()
    record(accepted, agent, FollowUpStatus.CONTACTED, now=now)
    record(accepted, agent, FollowUpStatus.QUOTE_GIVEN, now=now + timedelta(minutes=5))
    last = record(
        accepted, agent, FollowUpStatus.ENROLLED, now=now + timedelta(days=1), application_id=" A1 "
    )
    rows = FollowUp.objects.filter(referral=accepted, agent=agent)
    assert [r.status for r in rows] == ["enrolled", "quote_given", "contacted"]
    assert [r.is_current for r in rows] == [True, False, False]
    assert last.application_id == "A1"


def test_enrolled_needs_an_application_id(accepted, agent):
    with pytest.raises(FollowUpError) as caught:
        record(accepted, agent, FollowUpStatus.ENROLLED, application_id="  ")
    assert caught.value.field == "application_id"
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize(
    "status",
    [FollowUpStatus.DEFERRED, FollowUpStatus.NOT_A_GOOD_PROSPECT, FollowUpStatus.COULD_NOT_REACH],
)
def test_the_last_three_statuses_need_a_reason(accepted, agent, status):
    with pytest.raises(FollowUpError) as caught:
        record(accepted, agent, status)
    assert caught.value.field == "reason"
    assert record(accepted, agent, status, reason="Voicemail twice").reason == "Voicemail twice"


def test_an_application_id_is_kept_only_for_enrolled(accepted, agent):
    follow_up = record(accepted, agent, FollowUpStatus.CONTACTED, application_id="X9")
    assert follow_up.application_id == ""


def test_unknown_status_and_overlong_fields_are_field_errors(accepted, agent):
    with pytest.raises(FollowUpError) as caught:
        record(accepted, agent, "sold")
    assert caught.value.field == "status"
    with pytest.raises(FollowUpError) as caught:
        record(accepted, agent, FollowUpStatus.ENROLLED, application_id="9" * 41)
    assert caught.value.field == "application_id"


def test_only_the_agent_who_accepted_can_record_a_follow_up(accepted, far_agent):
    with pytest.raises(FollowUpError):
        record(accepted, far_agent, FollowUpStatus.CONTACTED)


def test_a_pending_offer_cannot_get_a_follow_up(agent):
    referral = make_referral()
    with pytest.raises(FollowUpError):
        record(referral, agent, FollowUpStatus.CONTACTED)


def test_the_database_enforces_the_rules_too(accepted, agent):
    now = timezone.now()
    bad = [
        {"status": FollowUpStatus.ENROLLED},
        {"status": FollowUpStatus.COULD_NOT_REACH},
        {"status": "sold"},
    ]
    for fields in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            FollowUp.objects.create(referral=accepted, agent=agent, at=now, **fields)
    FollowUp.objects.create(referral=accepted, agent=agent, at=now, status="contacted")
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.create(referral=accepted, agent=agent, at=now, status="contacted")
