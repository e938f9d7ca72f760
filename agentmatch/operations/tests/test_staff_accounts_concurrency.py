"""Two administrators removing each other at the same moment: one wins, one is refused,
and an active administrator is always left (the action's row lock, on PostgreSQL)."""

import pytest
from django.utils import timezone

from agentmatch.accounts.models import User
from agentmatch.accounts.staff_accounts import StaffAccountError
from agentmatch.operations import staff_actions
from agentmatch.operations.models import ControlChange
from agentmatch.testing import at_the_same_moment, make_operator

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

ROUNDS = 5


def _two_administrators(round_: int) -> list[User]:
    return [
        make_operator(username=f"ada{round_}", role="administrator"),
        make_operator(username=f"bea{round_}", role="administrator"),
    ]


def _race(action) -> None:  # type: ignore[no-untyped-def]
    for round_ in range(ROUNDS):
        User.objects.filter(role="administrator").update(is_active=False)
        admins = _two_administrators(round_)

        def each_removes_the_other(i: int, admins: list[User] = admins) -> str:
            action(operator=admins[i], user_id=admins[1 - i].pk, now=timezone.now())
            return "done"

        results = at_the_same_moment(2, each_removes_the_other)
        assert results.count("done") == 1, results
        refused = [r for r in results if isinstance(r, StaffAccountError)]
        assert [r.code for r in refused] == ["not_administrator"], results
        left = User.objects.filter(
            role="administrator", is_active=True, pk__in=[a.pk for a in admins]
        )
        assert left.count() == 1


def test_two_administrators_demoting_each_other_at_once_leave_one():
    def demote(*, operator, user_id, now):  # type: ignore[no-untyped-def]
        staff_actions.change_role(operator=operator, user_id=user_id, role="operator", now=now)

    _race(demote)
    assert ControlChange.objects.filter(kind="operator_role").count() == ROUNDS


def test_two_administrators_deactivating_each_other_at_once_leave_one():
    _race(staff_actions.deactivate_staff_account)
    assert ControlChange.objects.filter(kind="operator_deactivated").count() == ROUNDS
