from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "agentmatch.referrals"
    label = "referrals"

    def ready(self) -> None:
        from agentmatch.referrals.jobs import register_jobs
        from agentmatch.referrals.messages import register_messages

        register_jobs()
        register_messages()
