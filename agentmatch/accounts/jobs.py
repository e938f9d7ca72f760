"""Worker jobs for accounts: invitations, recovery emails, forgetting old login records
and unfinished passkey ceremonies."""

import logging
from datetime import datetime, timedelta

from axes.models import AccessFailureLog
from django.db import transaction

from agentmatch.accounts.invitations import invite_newly_eligible_agents, send_one_invitation
from agentmatch.accounts.passkeys import forget_expired_challenges
from agentmatch.accounts.recovery import forget_handled_requests, handle_one_request
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year

log = logging.getLogger("agentmatch.worker")


def send_invitation_job(now: datetime) -> bool:
    return send_one_invitation(now=now)


def invite_eligible_job(now: datetime) -> int:
    try:
        plan_year = current_plan_year()
    except NoCurrentPlanYear:
        return 0
    with transaction.atomic():
        created = invite_newly_eligible_agents(plan_year=plan_year, now=now)
    if created:
        log.info("%d newly eligible agents invited", created)
    return created


def recovery_email_job(now: datetime) -> bool:
    """Composes the email for one "forgot username / password" request (or nothing)."""
    return handle_one_request(now=now)


# Failed logins are kept this long for support and audits; the lockout reads an hour.
LOGIN_FAILURES_KEPT = timedelta(days=30)


def tidy_account_records_job(now: datetime) -> int:
    """Sweep: drops old failed-login rows, handled recovery requests and passkey ceremonies
    never finished; how many."""
    with transaction.atomic():
        logins, _ = AccessFailureLog.objects.filter(
            attempt_time__lt=now - LOGIN_FAILURES_KEPT
        ).delete()
        return logins + forget_handled_requests(now=now) + forget_expired_challenges(now=now)
