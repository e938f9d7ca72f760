"""`agentmatch rebuild_routing_index`: rewrites the routing index from its sources.

Every change in the application keeps the index in step; this is for repairs after data
is changed by hand or loaded in bulk outside the application.
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from agentmatch.eligibility.models import RoutingSlot
from agentmatch.eligibility.routing_table import rebuild_all_slots


class Command(BaseCommand):
    help = "Rewrite the routing index (RoutingSlot) from routing states, languages and agents."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            before = RoutingSlot.objects.count()
            rebuild_all_slots()
            after = RoutingSlot.objects.count()
        self.stdout.write(f"Routing index rewritten: {after} slots (was {before}).")
