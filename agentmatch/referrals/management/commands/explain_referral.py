"""`agentmatch explain-referral ID`: a referral's timeline and why each agent was chosen."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agentmatch.referrals.reference import find_referral, parse_referral_number


class Command(BaseCommand):
    help = "Show a referral's timeline, each offer's reason, and how it ended."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "referral_id", help="the referral's reference code (K7QF-3M9D) or public id (UUID)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["referral_id"]
        if parse_referral_number(text) == (None, None):
            raise CommandError(
                f"'{text}' is not a referral's reference code (K7QF-3M9D) or id (UUID)"
            )
        referral = find_referral(text)
        if referral is None:
            raise CommandError(f"No referral {text.strip()}")
        # Support sees where and what, not who: contact details stay with the accepting agent.
        where = f"{referral.zip_code} {referral.city}, {referral.state}"
        if referral.anonymised_at is not None:
            where = f"{referral.county or 'county unknown'}, {referral.state}"
        self.stdout.write(
            f"Referral {referral.reference} ({referral.public_id}): {where}, "
            f"language '{referral.language}', plan year {referral.plan_year}"
        )
        if referral.anonymised_at is not None:
            self.stdout.write(
                f"Contact details removed on {referral.anonymised_at:%Y-%m-%d}, "
                f"{referral.days_kept} days after the referral ended"
            )
        self.stdout.write(f"Status: {referral.get_status_display()}")
        if referral.end_reason:
            self.stdout.write(f"Ended: {referral.end_reason}")
        self.stdout.write("")
        for event in referral.events.select_related("agent", "offer"):
            who = f" {event.agent.full_name} (NPN {event.agent.npn})" if event.agent else ""
            line = f"{event.at:%Y-%m-%d %H:%M:%S} {event.kind:<9}{who}"
            if event.detail:
                line += f" - {event.detail}"
            self.stdout.write(line)
            if event.kind == "offered" and event.offer is not None:
                self.stdout.write(f"    why: {event.offer.reason}")
