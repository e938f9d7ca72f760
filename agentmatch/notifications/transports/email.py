"""Email through Django's mail framework (the "default" mailer in settings.MAILERS).

One transport serves one batch of the delivery job: each sending thread opens one
connection to the mail server on its first email and sends the rest of its emails over
it (an SMTP session costs a TCP handshake, a greeting and often TLS and a login); `close`
ends them all. A connection the server dropped is given up and the next email opens
another.
"""

import contextlib
import smtplib
import threading
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.utils import DNS_NAME

from agentmatch.notifications.models import Message
from agentmatch.notifications.transports import Transport, TransportError


class EmailTransport(Transport):
    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[Any] = []

    def _connection(self) -> Any:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = mail.mailers.default
            connection.open()
            self._local.connection = connection
            with self._lock:
                self._opened.append(connection)
        return connection

    def _drop_connection(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            _quietly_close(connection)

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
            self._connection().send_messages([email])
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _reason in exc.recipients.values()]
            # 5xx for the recipient: the address does not exist or refuses us.
            permanent = bool(codes) and all(code >= 500 for code in codes)
            raise TransportError(f"recipient refused: {exc.recipients}", permanent) from exc
        except (smtplib.SMTPException, OSError) as exc:
            # Server down, timeout, greylisting, auth trouble: all worth another try, on a
            # new connection (this one may be half closed).
            self._drop_connection()
            raise TransportError(f"SMTP: {exc!r}") from exc
        return message_id

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for connection in opened:
            _quietly_close(connection)


def _quietly_close(connection: Any) -> None:
    # The server may have gone away first: then nothing is left to end.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.close()
