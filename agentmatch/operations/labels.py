"""Words for the support pages' states, in the operator's language.

The models' choice labels are English (they also name things in the admin and in logs);
these are the same states as the pages say them, with the USWDS tag colour for each.
"""

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from agentmatch.agents.labels import DISPLAY_OPTIONS
from agentmatch.core.languages import language_name

Labels = dict[str, Promise]

OFFER_STATUS: Labels = {
    "pending": _("Pending"),
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "expired": _("Expired"),
    "canceled": _("Canceled by the consumer"),
}
REFERRAL_STATUS: Labels = {
    "new": _("New"),
    "offered": _("Offered to an agent"),
    "waiting": _("Waiting for an available agent"),
    "accepted": _("Accepted by an agent"),
    "unmatched": _("Ended unmatched"),
    "canceled": _("Canceled by the consumer"),
}
EVENT_KIND: Labels = {
    "created": _("Request received"),
    "offered": _("Offered"),
    "accepted": _("Accepted"),
    "rejected": _("Rejected"),
    "expired": _("Offer expired"),
    "waiting": _("Waiting for an agent"),
    "unmatched": _("Unmatched"),
    "canceled": _("Canceled"),
    "anonymised": _("Contact details removed"),
}
ACTION_KIND: Labels = {
    "resend_invitation": _("Resent the invitation"),
    "unlock": _("Unlocked the account"),
    "deactivate": _("Deactivated the agent"),
    "reactivate": _("Reactivated the agent"),
    "clear_undeliverable": _("Let texts go to the agent's cell phone again"),
}
CONTROL_KIND: Labels = {
    "intake_paused": _("Paused consumer intake"),
    "intake_resumed": _("Resumed consumer intake"),
    "intake_message": _("Changed the message shown while intake is paused"),
    "plan_year_created": _("Created a plan year"),
    "plan_year_current": _("Made a plan year the current one"),
    "served_states": _("Changed the states served"),
    "import_uploaded": _("Uploaded a file to import"),
    "import_canceled": _("Canceled an import"),
    "message_requeued": _("Sent a message again"),
    "messages_requeued": _("Sent failed messages again"),
    "message_canceled": _("Canceled a message"),
    "operator_created": _("Created an operator account"),
    "operator_role": _("Changed an operator's role"),
    "operator_deactivated": _("Deactivated an operator account"),
    "operator_reactivated": _("Reactivated an operator account"),
    "operator_password_reset": _("Sent an operator a password link"),
    "webhook_created": _("Created a webhook subscription"),
    "webhook_rotated": _("Rotated a webhook's secret"),
    "webhook_deactivated": _("Deactivated a webhook subscription"),
    "webhook_test": _("Sent a test webhook"),
    "webhook_redelivered": _("Sent a failed webhook again"),
    "partner_details": _("Changed whether a partner may receive consumers' details"),
}
INVITATION_REASON: Labels = {
    "eligible": _("Became eligible"),
    "resent": _("Resent on request"),
}
AVAILABILITY_SWITCH: Labels = {
    "on": _("Available now (green)"),
    "off": _("Not available (red)"),
    "schedule": _("Follows weekly hours"),
}
CONTACT_METHOD: Labels = {
    "email_text_app": _("Email, Text & App Notification"),
    "email_text": _("Email & Text"),
    "email_app": _("Email & App Notification"),
    "email": _("Email Only"),
}
# The agents' page words ("1: I would like all my contact information displayed ...").
DISPLAY_OPTION: Labels = {
    str(option): format_lazy("{}: {}", option.value, text)
    for option, text in DISPLAY_OPTIONS.items()
}

MESSAGE_STATUS: Labels = {
    "pending": _("Waiting to be sent"),
    "sent": _("Sent"),
    "failed": _("Failed"),
    "suppressed": _("Not sent"),
}

KINDS: dict[str, Labels] = {
    "offer": OFFER_STATUS,
    "referral": REFERRAL_STATUS,
    "event": EVENT_KIND,
    "action": ACTION_KIND,
    "control": CONTROL_KIND,
    "invitation": INVITATION_REASON,
    "switch": AVAILABILITY_SWITCH,
    "contact": CONTACT_METHOD,
    "display": DISPLAY_OPTION,
    "message": MESSAGE_STATUS,
}

# usa-tag background per state; every one keeps white text at 4.5:1 or better.
TAG_COLOURS = {
    "pending": "bg-primary",
    "offered": "bg-primary",
    "new": "bg-primary",
    "accepted": "bg-green",
    "rejected": "bg-secondary-dark",
    "unmatched": "bg-secondary-dark",
    "expired": "bg-base-dark",
    "waiting": "bg-base-dark",
    "canceled": "bg-base-darkest",
    "sent": "bg-green",
    "failed": "bg-secondary-dark",
    "suppressed": "bg-base-dark",
}


def label(kind: str, value: object) -> str:
    found = KINDS.get(kind, {}).get(str(value))
    return str(found) if found is not None else str(value)


def language_label(code: str) -> str:
    """A language's name in the page's language when Django knows it, else in English."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return language_name(code)
