"""`agentmatch explain-referral ID`: a referral's timeline and why each agent was chosen."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from agentmatch.referrals.event_details import end_reason_text, offer_reason_text, with_texts
from agentmatch.referrals.reference import find_referral, parse_referral_number


class Command(BaseCommand):
    help = "Show a referral's timeline, each offer's reason, and how it ended."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "referral_id", help="the referral's reference code (K7QF-3M9D) or public id (UUID)"
        )
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE,
            choices=[code for code, _ in settings.LANGUAGES],
            help="the language of the events' details (default: %(default)s)",
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
        with translation.override(options["language"]):
            # The events' details are codes rendered in the chosen language (event_details).
            events = with_texts(referral.events.select_related("agent", "offer"))
            ended = end_reason_text(referral, events)
            # In English, the stored sentence (it also names the closer agents skipped).
            why = {
                event.pk: event.offer.reason
                if options["language"] == "en"
                else offer_reason_text(event.offer)[0]
                for event in events
                if event.offer is not None
            }
        if ended:
            self.stdout.write(f"Ended: {ended}")
        self.stdout.write("")
        for event in events:
            who = f" {event.agent.full_name} (NPN {event.agent.npn})" if event.agent else ""
            line = f"{event.at:%Y-%m-%d %H:%M:%S} {event.kind:<9}{who}"
            if event.text:
                line += f" - {event.text}"
            self.stdout.write(line)
            if event.kind == "offered" and event.offer is not None:
                self.stdout.write(f"    why: {why[event.pk]}")
