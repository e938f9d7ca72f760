"""Real peers on loopback for delivery tests and the benchmark: an SMTP server, a stub of
Twilio's Messages resource, and a Web Push service that decrypts what it receives.

Each speaks its protocol over a socket on 127.0.0.1, so the transports run unchanged.
"""

import base64
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message as EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.error import HTTPError
from urllib.parse import parse_qs, urlencode
from urllib.request import Request, urlopen

import http_ece
import pytest
from aiosmtpd.controller import Controller
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from agentmatch.notifications.management.commands.vapid_keys import new_vapid_keys
from agentmatch.notifications.twilio_signing import twilio_signature


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- SMTP ---------------------------------------------------------------------------------


class SmtpInbox:
    """aiosmtpd handler: keeps every message with the time it arrived."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.received_at: list[float] = []
        self.sessions = 0  # SMTP sessions opened (EHLO or HELO), each a connection

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # type: ignore[no-untyped-def]
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):  # type: ignore[no-untyped-def]
        self.sessions += 1
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append(message_from_bytes(envelope.original_content))
        self.received_at.append(time.time())
        return "250 Message accepted for delivery"


class SmtpServer:
    """An SMTP server on a fixed loopback port that can be stopped and started again."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.inbox = SmtpInbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def mailers(self) -> dict[str, Any]:
        return {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 5},
            }
        }


# --- HTTP stubs ---------------------------------------------------------------------------


class _Server:
    """A threaded HTTP server on 127.0.0.1 with a handler that calls back into us."""

    def __init__(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as Twilio's API and the push services speak it; the headers and
            # the body go out in two writes, which Nagle's algorithm would hold back until
            # the client's delayed ACK (40 ms) on a kept-alive connection.
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def setup(self) -> None:
                super().setup()
                with stub.lock:
                    stub.connections += 1

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                # Header names are case-insensitive: hand them on in lower case.
                received = {k.lower(): v for k, v in self.headers.items()}
                status, headers, reply = stub.handle(self.path, received, body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.connections = 0  # TCP connections accepted (each may carry many requests)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.lock = threading.Lock()  # made before the first request can come

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        raise NotImplementedError


@dataclass
class Text:
    to: str
    sender: str
    body: str
    sid: str
    received_at: float
    status_callback: str = ""


class TwilioStub(_Server):
    """Twilio's Messages resource: POST /2010-04-01/Accounts/{sid}/Messages.json.

    `fail_with` makes the next `fail_times` requests fail: an HTTP status (503, 500) or
    the string "invalid_number" (400, code 21211), "unsubscribed" (400, code 21610).
    `report` posts a delivery status callback for a text, signed as Twilio signs it, to the
    StatusCallback URL the text came with.
    """

    SID = "AC" + "0" * 32
    TOKEN = "stub-auth-token"
    FROM = "+16085550000"

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[Text] = []
        self.requests = 0
        self.fail_with: int | str | None = None
        self.fail_times = 0

    def settings(self) -> dict[str, Any]:
        return {
            "SMS_BACKEND": "twilio",
            "TWILIO_API_BASE": self.base_url,
            "TWILIO_ACCOUNT_SID": self.SID,
            "TWILIO_AUTH_TOKEN": self.TOKEN,
            "TWILIO_FROM_NUMBER": self.FROM,
        }

    def fail(self, how: int | str, times: int = 1_000_000) -> None:
        with self.lock:
            self.fail_with, self.fail_times = how, times

    def recover(self) -> None:
        self.fail(0, 0)

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        json_type = {"Content-Type": "application/json"}
        with self.lock:
            self.requests += 1
            if path != f"/2010-04-01/Accounts/{self.SID}/Messages.json":
                return 404, json_type, b'{"code": 20404, "message": "not found", "status": 404}'
            expected = "Basic " + base64.b64encode(f"{self.SID}:{self.TOKEN}".encode()).decode()
            if headers.get("authorization") != expected:
                return 401, json_type, b'{"code": 20003, "message": "Authenticate", "status": 401}'
            if self.fail_times > 0:
                self.fail_times -= 1
                return self._failure(self.fail_with)
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            sid = "SM" + os.urandom(16).hex()
            self.texts.append(
                Text(
                    form.get("To", ""),
                    form.get("From", ""),
                    form.get("Body", ""),
                    sid,
                    time.time(),
                    form.get("StatusCallback", ""),
                )
            )
        reply = {"sid": sid, "status": "queued", "to": form.get("To"), "body": form.get("Body")}
        return 201, json_type, json.dumps(reply).encode()

    def report(
        self, text: Text, status: str, error_code: int | None = None, token: str | None = None
    ) -> tuple[int, str]:
        """Twilio's status callback for `text`: (HTTP status, body) of our answer."""
        params = {
            "MessageSid": text.sid,
            "SmsSid": text.sid,
            "AccountSid": self.SID,
            "From": text.sender,
            "To": text.to,
            "MessageStatus": status,
            "SmsStatus": status,
            "ApiVersion": "2010-04-01",
        }
        if error_code is not None:
            params["ErrorCode"] = str(error_code)
        signature = twilio_signature(
            url=text.status_callback, params=params.items(), auth_token=token or self.TOKEN
        )
        request = Request(
            text.status_callback,
            data=urlencode(params).encode(),
            method="POST",
            headers={"X-Twilio-Signature": signature, "User-Agent": "TwilioProxy/1.1"},
        )
        try:
            with urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except HTTPError as exc:
            return exc.code, exc.read().decode()

    @staticmethod
    def _failure(how: int | str | None) -> tuple[int, dict, bytes]:
        json_type = {"Content-Type": "application/json"}
        codes = {"invalid_number": 21211, "unsubscribed": 21610}
        if isinstance(how, str) and how in codes:
            reply = {"code": codes[how], "message": how, "status": 400}
            return 400, json_type, json.dumps(reply).encode()
        return int(how or 500), {"Content-Type": "text/plain"}, b"Service Unavailable"


@dataclass
class BrowserKeys:
    """A browser's side of a push subscription: keys made here, the private one kept."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)


@dataclass
class Push:
    path: str
    payload: dict[str, Any]
    ttl: str
    received_at: float


class PushServiceStub(_Server):
    """A Web Push service: checks the VAPID JWT, decrypts the aes128gcm payload with the
    subscriber's private key, and answers 201 (or `status_for[path]`, e.g. 410 Gone)."""

    def __init__(self) -> None:
        super().__init__()
        self.vapid_public, self.vapid_private = new_vapid_keys()
        self.browsers: dict[str, BrowserKeys] = {}
        self.pushes: list[Push] = []
        self.rejected: list[str] = []
        self.status_for: dict[str, int] = {}

    def settings(self) -> dict[str, Any]:
        return {
            "VAPID_PUBLIC_KEY": self.vapid_public,
            "VAPID_PRIVATE_KEY": self.vapid_private,
            "VAPID_SUBJECT": "mailto:ops@agentmatch.example",
            "PUSH_SERVICE_HOSTS": ["127.0.0.1"],
        }

    def new_endpoint(self) -> tuple[str, BrowserKeys]:
        path = f"/push/{os.urandom(8).hex()}"
        keys = BrowserKeys()
        self.browsers[path] = keys
        return self.base_url + path, keys

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        problem = self._check_vapid(headers.get("authorization", ""))
        if problem:
            self.rejected.append(problem)
            return 401, {}, problem.encode()
        if path in self.status_for:
            return self.status_for[path], {}, b""
        keys = self.browsers.get(path)
        if keys is None or headers.get("content-encoding") != "aes128gcm":
            return 404, {}, b""
        plain = http_ece.decrypt(
            body, private_key=keys.private_key, auth_secret=keys.auth_secret, version="aes128gcm"
        )
        with self.lock:
            self.pushes.append(Push(path, json.loads(plain), headers.get("ttl", ""), time.time()))
        return 201, {"Location": f"{self.base_url}/message/{len(self.pushes)}"}, b""

    def _check_vapid(self, authorization: str) -> str:
        """RFC 8292: `vapid t=<JWT>,k=<public key>`; empty string when all is right."""
        if not authorization.startswith("vapid "):
            return "no vapid authorization"
        params = dict(p.split("=", 1) for p in authorization[6:].split(","))
        if params.get("k") != self.vapid_public:
            return "unknown vapid key"
        header_b64, claims_b64, signature_b64 = params.get("t", "..").split(".")
        signature = unb64url(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(
            ec.SECP256R1(), unb64url(self.vapid_public)
        )
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return "bad vapid signature"
        claims = json.loads(unb64url(claims_b64))
        if claims.get("aud") != self.base_url:
            return f"wrong audience {claims.get('aud')}"
        if not str(claims.get("sub", "")).startswith("mailto:") or claims["exp"] < time.time():
            return "bad claims"
        return ""


# --- Fixtures -----------------------------------------------------------------------------


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:  # type: ignore[no-untyped-def]
    server = SmtpServer()
    server.start()
    settings.MAILERS = server.mailers()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def twilio(settings) -> Iterator[TwilioStub]:  # type: ignore[no-untyped-def]
    stub = TwilioStub()
    stub.start()
    for name, value in stub.settings().items():
        setattr(settings, name, value)
    try:
        yield stub
    finally:
        stub.stop()


@pytest.fixture
def push_service(settings) -> Iterator[PushServiceStub]:  # type: ignore[no-untyped-def]
    stub = PushServiceStub()
    stub.start()
    for name, value in stub.settings().items():
        setattr(settings, name, value)
    try:
        yield stub
    finally:
        stub.stop()
