"""Forgot username / password: the page does the same work whatever the account, the
worker composes the email, and requests are limited per account and per address (issue 9,
finding 7)."""

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agentmatch.accounts.jobs import (
    LOGIN_FAILURES_KEPT,
    recovery_email_job,
    tidy_account_records_job,
)
from agentmatch.accounts.models import RecoveryOutcome, RecoveryRequest
from agentmatch.accounts.tests.helpers import sent_mail
from agentmatch.notifications.models import Message
from agentmatch.testing import make_agent_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pat(plan_year):  # type: ignore[no-untyped-def]
    return make_agent_user(username="pat.agent")


def statements_for(path: str, data: dict[str, str]) -> list[str]:
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        assert client.post(path, data).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize(
    "path, field, known",
    [
        ("/accounts/forgot-password/", "username_or_email", "pat.agent"),
        ("/accounts/forgot-username/", "email", "KNOWN"),
    ],
)
def test_a_recovery_request_does_the_same_database_work_for_a_known_and_an_unknown_account(
    pat, path, field, known
) -> None:
    known = pat.email if known == "KNOWN" else known
    for_known = statements_for(path, {field: known})
    for_unknown = statements_for(path, {field: "nobody@example.com"})
    assert len(for_known) == len(for_unknown)
    assert not any("accounts_user" in sql for sql in for_known)


def run_recovery_jobs() -> int:
    handled = 0
    while recovery_email_job(timezone.now()):
        handled += 1
    return handled


def test_the_reset_email_is_composed_by_the_worker(pat) -> None:
    Client().post("/accounts/forgot-password/", {"username_or_email": "pat.agent"})
    assert not Message.objects.exists()
    assert RecoveryRequest.objects.get().given == "pat.agent"
    assert run_recovery_jobs() == 1
    [queued] = Message.objects.all()
    assert (queued.kind, queued.to) == ("password_reset", pat.email)
    handled = RecoveryRequest.objects.get()
    assert (handled.outcome, handled.user, handled.given) == (RecoveryOutcome.SENT, pat, "")


def test_a_request_for_an_unknown_account_sends_nothing(pat) -> None:
    Client().post("/accounts/forgot-username/", {"email": "nobody@example.com"})
    assert run_recovery_jobs() == 1
    assert not Message.objects.exists()
    assert RecoveryRequest.objects.get().outcome == RecoveryOutcome.NO_ACCOUNT


def test_one_account_gets_at_most_three_recovery_emails_an_hour(pat, settings) -> None:
    for n in range(settings.RECOVERY_EMAILS_PER_ACCOUNT + 2):
        # From different addresses, so only the per-account limit applies.
        Client().post(
            "/accounts/forgot-password/",
            {"username_or_email": "pat.agent"},
            REMOTE_ADDR=f"198.51.100.{n + 1}",
        )
    run_recovery_jobs()
    assert len(sent_mail()) == settings.RECOVERY_EMAILS_PER_ACCOUNT
    limited = RecoveryRequest.objects.filter(outcome=RecoveryOutcome.LIMITED).count()
    assert limited == 2


def test_one_address_makes_at_most_ten_recovery_requests_an_hour(pat, settings) -> None:
    for n in range(settings.RECOVERY_REQUESTS_PER_ADDRESS):
        Client().post("/accounts/forgot-username/", {"email": f"someone{n}@example.com"})
    response = Client().post("/accounts/forgot-password/", {"username_or_email": "pat.agent"})
    assert response.status_code == 200  # the same answer: it tells nothing about the account
    assert RecoveryRequest.objects.count() == settings.RECOVERY_REQUESTS_PER_ADDRESS
    run_recovery_jobs()
    assert sent_mail() == []
    # Another address is not affected.
    Client().post(
        "/accounts/forgot-password/", {"username_or_email": "pat.agent"}, REMOTE_ADDR="192.0.2.7"
    )
    run_recovery_jobs()
    assert len(sent_mail()) == 1


def test_handled_requests_and_old_login_failures_are_forgotten(pat) -> None:
    Client().post("/accounts/forgot-password/", {"username_or_email": "pat.agent"})
    Client().post("/accounts/login/", {"username": "pat.agent", "password": "Wrong#Pass1"})
    run_recovery_jobs()
    assert AccessFailureLog.objects.count() == 1
    tidy_account_records_job(timezone.now() + timedelta(hours=2))
    assert not RecoveryRequest.objects.exists()
    assert AccessFailureLog.objects.count() == 1  # kept for support and audits
    tidy_account_records_job(timezone.now() + LOGIN_FAILURES_KEPT + timedelta(hours=1))
    assert not AccessFailureLog.objects.exists()
