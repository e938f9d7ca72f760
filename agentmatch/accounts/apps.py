from django.apps import AppConfig
from django.conf import settings


class AccountsConfig(AppConfig):
    name = "agentmatch.accounts"
    label = "accounts"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from agentmatch.accounts.middleware import remember_login_time

        user_logged_in.connect(remember_login_time, dispatch_uid="accounts.login_time")
        from agentmatch.accounts.jobs import (
            invite_eligible_job,
            recovery_email_job,
            send_invitation_job,
            tidy_account_records_job,
        )
        from agentmatch.core.jobs import SWEEP, register

        # Resting a second when there is none (core/jobs.py): no one notices a second.
        register("send invitations", send_invitation_job, order=40, rest=1.0)
        # Before delivery, so a recovery email goes out in the turn that composed it.
        register("recovery emails", recovery_email_job, order=40, rest=1.0)
        register("tidy account records", tidy_account_records_job, kind=SWEEP)
        # New eligibility arrives by import, any other path or the date alone: the scan
        # catches them all. It finds someone only after an import: not every
        # WORKER_WAITING_SWEEP_SECONDS.
        register(
            "invite eligible agents",
            invite_eligible_job,
            kind=SWEEP,
            every=lambda: settings.INVITE_ELIGIBLE_SWEEP_SECONDS,
        )
