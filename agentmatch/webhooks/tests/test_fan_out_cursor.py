"""The fan-out's cursor waits at a missing id (a transaction not yet committed) and goes
past it only after WEBHOOKS_EVENT_GAP_SECONDS."""

from datetime import timedelta

from django.utils import timezone

from agentmatch.webhooks.fanout import next_ids
from agentmatch.webhooks.models import FanOutCursor


def test_contiguous_ids_are_taken_at_once(settings):
    cursor = FanOutCursor(source="referral", position=3)
    assert next_ids(cursor, [4, 5, 6], now=timezone.now()) == [4, 5, 6]
    assert cursor.position == 6 and cursor.horizon_seen_at is None


def test_a_missing_id_holds_the_cursor_until_the_wait_is_over(settings):
    settings.WEBHOOKS_EVENT_GAP_SECONDS = 60
    now = timezone.now()
    cursor = FanOutCursor(source="referral", position=3)
    assert next_ids(cursor, [4, 6, 7], now=now) == [4]
    assert cursor.position == 4 and cursor.horizon == 7

    # The missing 5 commits in time: everything is taken in order.
    assert next_ids(cursor, [5, 6, 7], now=now + timedelta(seconds=10)) == [5, 6, 7]

    # 8 never comes (rolled back): 9 waits, then goes.
    assert next_ids(cursor, [9], now=now + timedelta(seconds=20)) == []
    assert next_ids(cursor, [9], now=now + timedelta(seconds=50)) == []
    assert next_ids(cursor, [9], now=now + timedelta(seconds=81)) == [9]
    assert cursor.position == 9 and cursor.horizon_seen_at is None


def test_an_id_seen_after_the_wait_began_waits_its_own_turn(settings):
    settings.WEBHOOKS_EVENT_GAP_SECONDS = 60
    now = timezone.now()
    cursor = FanOutCursor(source="agent", position=10)
    assert next_ids(cursor, [12], now=now) == []
    assert next_ids(cursor, [12, 14], now=now + timedelta(seconds=30)) == []
    # The wait for 11 is over: 12 goes, but 13 was missing only since 14 appeared later.
    assert next_ids(cursor, [12, 14], now=now + timedelta(seconds=61)) == [12]
    assert next_ids(cursor, [14], now=now + timedelta(seconds=100)) == []
    assert next_ids(cursor, [14], now=now + timedelta(seconds=122)) == [14]


def test_a_new_cursor_starts_at_the_oldest_event():
    cursor = FanOutCursor(source="referral")
    assert next_ids(cursor, [57, 58], now=timezone.now()) == [57, 58]
