"""`agentmatch issue-token NPN`: a device token for an agent's account, shown once.

For support and scripted clients; the agent app gets its own through POST /api/v1/auth/token.
Only the hash is kept, and the agent sees (and can revoke) it in their profile.
"""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agentmatch.accounts.actions import AccountError, issue_token_for_agent
from agentmatch.accounts.devices import (
    DEVICE_TOKEN_LIFETIME as API_TOKEN_LIFETIME,
)
from agentmatch.accounts.devices import NoAccount
from agentmatch.agents.models import Agent
from agentmatch.core.npn import normalize_npn, npn_key

MAX_DAYS = 366


class Command(BaseCommand):
    help = "Issue an API token for an agent (printed once)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("npn", help="the agent's NPN (leading zeros optional)")
        parser.add_argument(
            "--days",
            type=int,
            default=API_TOKEN_LIFETIME.days,
            help=f"days the token stays valid (default {API_TOKEN_LIFETIME.days})",
        )
        parser.add_argument(
            "--name", default="Issued by support", help="device name shown in the profile"
        )
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="server address for the example"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["days"]
        if not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be 1 to {MAX_DAYS}, not {days}")
        try:
            npn = normalize_npn(options["npn"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        agent = Agent.objects.filter(npn_key=npn_key(npn)).first()
        if agent is None:
            raise CommandError(f"No agent with NPN {npn}")

        now = timezone.now()
        try:
            token = issue_token_for_agent(
                agent=agent, name=options["name"], lifetime=timedelta(days=days), now=now
            )
        except NoAccount as exc:
            raise CommandError(str(exc)) from exc
        except AccountError as exc:
            raise CommandError(exc.message) from exc
        expires = now + timedelta(days=days)
        base = options["base_url"].rstrip("/")
        self.stdout.write(
            f"API token for {agent.full_name} (NPN {agent.npn}), valid until "
            f"{expires:%Y-%m-%d %H:%M} UTC. It is shown only now:\n\n"
            f"{token}\n\n"
            f"Pending offers:\n"
            f"  curl -s {base}/api/v1/agent/offers -H 'Authorization: Bearer {token}'"
        )
