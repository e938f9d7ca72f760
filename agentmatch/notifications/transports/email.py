"""Email through Django's mail framework (the "default" mailer in settings.MAILERS)."""

import smtplib
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

from agentmatch.notifications.models import Message
from agentmatch.notifications.transports import Transport, TransportError


class EmailTransport(Transport):
    def send(self, message: Message) -> str:
        # Our own Message-ID is the provider id: it is what the SMTP server logs.
        message_id = make_msgid(domain=str(DNS_NAME))
        email = EmailMessage(
            subject=" ".join(message.subject.split()),
            body=message.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to],
            headers={"Message-ID": message_id},
        )
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _reason in exc.recipients.values()]
            # 5xx for the recipient: the address does not exist or refuses us.
            permanent = bool(codes) and all(code >= 500 for code in codes)
            raise TransportError(f"recipient refused: {exc.recipients}", permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Server down, timeout, greylisting, auth trouble: all worth another try.
            raise TransportError(f"SMTP: {exc!r}") from exc
        return message_id
