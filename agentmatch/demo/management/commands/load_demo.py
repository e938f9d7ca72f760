"""`agentmatch load_demo`: plan year 2026 and a few hundred demo agents, once.

Running it again loads nothing new (use --reset to reload) but always prints a fresh API
token for the Madison demo agent, so `make run` shows working curl lines every time.
"""

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agentmatch.agents.models import Agent
from agentmatch.demo.actions import (
    DEMO_ADMINISTRATOR,
    DEMO_ADMINISTRATOR_PASSWORD,
    DEMO_OPERATOR,
    DEMO_OPERATOR_PASSWORD,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    DEMO_YEAR,
    load_demo,
)
from agentmatch.demo.data import MADISON_ZIP, SEED_EXAMPLE_NPN
from agentmatch.demo.loader import DemoConflict
from agentmatch.planyears.services import STATES_SERVED_2026


class Command(BaseCommand):
    help = "Load demo data: plan year 2026 and demo agents across the served states."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--agents", type=int, default=300, help="how many (default 300)")
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete demo agents (and referrals they took part in) and load again",
        )
        parser.add_argument(
            "--base-url",
            default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}",
            help="server address used in the printed curl lines",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["agents"]
        if not 2 <= count <= 20_000:
            raise CommandError(f"--agents must be 2 to 20000, not {count}")
        started = time.monotonic()
        try:
            demo = load_demo(
                count=count, seed=options["seed"], reset=options["reset"], now=timezone.now()
            )
        except DemoConflict as exc:
            raise CommandError(str(exc)) from exc
        if demo.removed is not None:
            self.stdout.write(f"Removed {demo.removed} demo agents.")
        if demo.loaded is None:
            self.stdout.write(
                f"Demo data already loaded ({demo.already_loaded} agents); `--reset` reloads it."
            )
        else:
            self.stdout.write(
                f"Loaded {demo.loaded.agents} demo agents in {len(STATES_SERVED_2026)} states "
                f"({demo.loaded.licenses} licenses, {demo.loaded.available_now} available "
                "right now)."
            )
        madison, token = demo.madison, demo.token
        self.stdout.write(
            f"Plan year {DEMO_YEAR} is current; routing refreshed "
            f"({time.monotonic() - started:.1f}s)."
        )
        if madison is not None and token is not None:
            self._print_try_it(madison, token, options["base_url"].rstrip("/"))

    def _print_try_it(self, agent: Agent, token: str, base: str) -> None:
        auth = f"-H 'Authorization: Bearer {token}'"
        body = (
            '{"first_name":"Ana","last_name":"Diaz","phone":"608-555-0199",'
            f'"zip":"{MADISON_ZIP}","language":"es","consent":true}}'
        )
        self.stdout.write(
            f"\nDemo agent near Madison, WI: {agent.full_name}, NPN {agent.npn}, "
            "speaks English and Spanish.\n"
            f"Ask for help as a consumer at {base}/ (English or Spanish).\n"
            f"She logs in at {base}/accounts/login/ as {DEMO_USERNAME} / {DEMO_PASSWORD}\n"
            f"Support staff log in as {DEMO_OPERATOR} / {DEMO_OPERATOR_PASSWORD} ({base}/ops/)\n"
            f"An administrator (the controls, {base}/ops/controls/) as "
            f"{DEMO_ADMINISTRATOR} / {DEMO_ADMINISTRATOR_PASSWORD}\n"
            f"Her API token (new on every run, valid 90 days):\n\n  {token}\n\n"
            f"Try it against the server (`agentmatch run`, {base}):\n"
            "  # 1. A consumer in Madison asks for help in Spanish:\n"
            f"  curl -s -X POST {base}/api/v1/referrals -H 'Content-Type: application/json' "
            f"-d '{body}'\n"
            f"  # 2. {agent.first_name} sees the offer (note its id):\n"
            f"  curl -s {base}/api/v1/agent/offers {auth}\n"
            "  # 3. She accepts and gets the consumer's contact details:\n"
            f"  curl -s -X POST {base}/api/v1/offers/OFFER_ID/accept {auth}\n"
            "  # Support: why does this agent get no Wisconsin referrals?\n"
            f"  agentmatch why-not {SEED_EXAMPLE_NPN} WI\n"
            f"API docs: {base}/api/docs"
        )
