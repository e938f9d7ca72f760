from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "agentmatch.accounts"
    label = "accounts"

    def ready(self) -> None:
        from agentmatch.accounts.jobs import invite_eligible_job, send_invitation_job
        from agentmatch.core.jobs import SWEEP, register

        register("send invitations", send_invitation_job, order=40)
        # New eligibility arrives by import or any other path: the scan catches them all.
        register("invite eligible agents", invite_eligible_job, kind=SWEEP)
