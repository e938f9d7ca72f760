"""`agentmatch partner_key create NAME [--per-hour N] | list | revoke PREFIX`.

Keys for integrators who send consumers' requests to POST /api/v1/referrals with the
header X-Partner-Key. A new key is printed once; only its hash is kept.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agentmatch.partners.keys import UnknownPrefix, create_partner_key, revoke_partner_key
from agentmatch.partners.models import PartnerKey


class Command(BaseCommand):
    help = "Create, list or revoke partner API keys."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="a new key, printed once")
        create.add_argument("name", help="who the key is for")
        create.add_argument(
            "--per-hour",
            type=int,
            default=settings.PARTNER_REQUESTS_PER_HOUR,
            help=f"requests per hour (default {settings.PARTNER_REQUESTS_PER_HOUR})",
        )
        sub.add_parser("list", help="every key: prefix, name, limit, state")
        revoke = sub.add_parser("revoke", help="stop a key for good")
        revoke.add_argument("prefix", help="the key's prefix (as `list` shows it)")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["action"] == "create":
            try:
                partner, key = create_partner_key(
                    name=options["name"], requests_per_hour=options["per_hour"], now=now
                )
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"Partner key for {partner.name} ({partner.requests_per_hour} requests per "
                f"hour, prefix {partner.prefix}). It is shown only now:\n\n{key}\n\n"
                "Send it as the X-Partner-Key header of POST /api/v1/referrals."
            )
        elif options["action"] == "list":
            for partner in PartnerKey.objects.order_by("created_at", "pk"):
                state = f"revoked {partner.revoked_at:%Y-%m-%d}" if partner.revoked_at else "active"
                self.stdout.write(
                    f"{partner.prefix}  {partner.name}  {partner.requests_per_hour}/hour  "
                    f"created {partner.created_at:%Y-%m-%d}  {state}"
                )
        else:
            try:
                partner = revoke_partner_key(prefix=options["prefix"], now=now)
            except UnknownPrefix as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"Revoked the key {partner.prefix} of {partner.name}.")
