"""Worker jobs for accounts: find newly eligible agents, send their invitations."""

import logging
from datetime import datetime

from django.db import transaction

from agentmatch.accounts.invitations import invite_newly_eligible_agents, send_one_invitation
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
