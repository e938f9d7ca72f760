"""Account emails, rendered from templates in the recipient's language."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def send_account_email(*, to: str, template: str, context: dict[str, Any], language: str) -> None:
    """Sends `accounts/email/<template>_subject.txt` and `..._body.txt`; raises on SMTP failure."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"accounts/email/{template}_subject.txt", context)
        body = render_to_string(f"accounts/email/{template}_body.txt", context)
    EmailMessage(subject=" ".join(subject.split()), body=body, to=[to]).send()


def agent_language(agent: Any) -> str:
    """Spanish when the agent speaks Spanish and not English; English otherwise."""
    spoken = set(agent.languages.values_list("language", flat=True))
    return "es" if "es" in spoken and "en" not in spoken else "en"
