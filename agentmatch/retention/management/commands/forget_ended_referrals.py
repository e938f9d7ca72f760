"""`agentmatch forget_ended_referrals [--dry-run]`: anonymises every referral past
retention now (the worker's sweep does the same, a batch at a time). Prints counts only,
never the data."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from agentmatch.retention.actions import BATCH, anonymise_ended_referrals
from agentmatch.retention.queries import preview, retention_days


class Command(BaseCommand):
    help = (
        "Removes consumers' contact details from referrals that ended more than "
        "CONSUMER_DATA_RETENTION_DAYS ago. --dry-run only counts what would go."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be removed; change nothing"
        )
        parser.add_argument("--batch", type=int, default=BATCH, help="referrals per transaction")

    def handle(self, *args: Any, dry_run: bool = False, batch: int = BATCH, **options: Any) -> None:
        now = timezone.now()
        days = retention_days()
        if dry_run:
            found = preview(now)
            self.stdout.write(
                f"Dry run: {found.referrals} referrals ended more than {days} days ago would "
                f"be anonymised: {found.messages} messages, {found.delivery_attempts} "
                f"delivery attempts, {found.follow_up_notes} follow-up notes, "
                f"{found.idempotency_keys} idempotency keys. Nothing was changed."
            )
            return
        if batch < 1:
            self.stderr.write("--batch must be at least 1.")
            raise SystemExit(2)
        totals = [0, 0, 0, 0]
        while True:
            done = anonymise_ended_referrals(now=now, batch=batch)
            if not done.referrals:
                break
            counts = (done.referrals, done.messages, done.delivery_attempts, done.follow_up_notes)
            totals = [a + b for a, b in zip(totals, counts, strict=True)]
        self.stdout.write(
            f"Anonymised {totals[0]} referrals ended more than {days} days ago: {totals[1]} "
            f"messages, {totals[2]} delivery attempts, {totals[3]} follow-up notes."
        )
