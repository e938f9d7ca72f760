"""HTTP connections kept open across a batch's sends: one `requests.Session` per sending
thread, as the email transport keeps one SMTP session per thread.

Twilio's API and the push services (FCM, Mozilla's, Apple's) speak HTTPS with keep-alive:
a new connection for every message costs a TCP and TLS handshake (two or three round
trips, and the handshake's CPU) before the request is even sent. A session is not
thread-safe, hence one per thread; `close` ends them all when the batch is done.
"""

import threading

import requests


class ThreadSessions:
    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[requests.Session] = []

    def session(self) -> requests.Session:
        """This thread's session, made on its first send."""
        made: requests.Session | None = getattr(self._local, "session", None)
        if made is None:
            made = requests.Session()
            self._local.session = made
            with self._lock:
                self._opened.append(made)
        return made

    def close(self) -> None:
        with self._lock:
            opened, self._opened = self._opened, []
        for session in opened:
            session.close()
