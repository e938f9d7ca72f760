"""The outbox's one-statement insert (messages.insert_new) stores exactly what Django's
bulk_create would, and leaves a message whose dedupe key exists already alone."""

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from agentmatch.notifications.messages import insert_new, store, unrendered
from agentmatch.notifications.models import Channel, Message
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


NOW = timezone.now()


def _messages(event: str, agent_id: int | None = None) -> list[Message]:
    return unrendered(
        [(Channel.EMAIL, "ana@example.com"), (Channel.SMS, "+16085550123"), (Channel.PUSH, "7")],
        kind="offer_new",
        event=event,
        context={"offer": 12, "first_time": True, "words": "año, ñandú"},
        now=NOW,
        agent_id=agent_id,
        payload={"title": "Nueva referencia"},
    )


def _stored(event: str) -> list[dict[str, object]]:
    rows = Message.objects.filter(context__event=event).order_by("channel")
    return [{k: v for k, v in model_to_dict(m).items() if k != "id"} for m in rows]


def test_every_column_is_stored_as_the_orm_would(plan_year):
    agent = make_agent(zip_code="53703", licensed=["WI"])
    insert_new(_messages("ours", agent.pk))
    Message.objects.bulk_create(_messages("django", agent.pk), ignore_conflicts=True)
    ours, django = _stored("ours"), _stored("django")
    assert len(ours) == 3
    for mine, theirs in zip(ours, django, strict=True):
        assert mine.pop("dedupe_key") != theirs.pop("dedupe_key")  # named by the event
        mine["context"] = {**mine["context"], "event": "same"}  # type: ignore[dict-item]
        theirs["context"] = {**theirs["context"], "event": "same"}  # type: ignore[dict-item]
        assert mine == theirs


def test_a_message_already_in_the_outbox_is_left_alone_and_the_new_ones_stored():
    first = _messages("again")[:1]
    insert_new(first)
    Message.objects.filter(context__event="again").update(attempts=3)
    insert_new(_messages("again"))
    assert Message.objects.filter(context__event="again").count() == 3
    assert Message.objects.get(channel=Channel.EMAIL, context__event="again").attempts == 3


def test_nothing_to_insert_writes_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_new([])


def test_storing_an_event_again_counts_only_the_new_messages():
    assert store(_messages("twice")[:2]) == 2
    assert store(_messages("twice")) == 1
    assert store(_messages("twice")) == 0
    assert Message.objects.filter(context__event="twice").count() == 3
