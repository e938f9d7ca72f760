"""`agentmatch rebuild_routing_index`: rewrites the routing index from its sources."""

from typing import Any

from django.core.management.base import BaseCommand

from agentmatch.eligibility.actions import rebuild_routing_index


class Command(BaseCommand):
    help = "Rewrite the routing index (RoutingSlot) from routing states, languages and agents."

    def handle(self, *args: Any, **options: Any) -> None:
        before, after = rebuild_routing_index()
        self.stdout.write(f"Routing index rewritten: {after} slots (was {before}).")
