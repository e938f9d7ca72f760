"""gunicorn's access and error logs, redacted like every other log line.

`agentmatch run` starts gunicorn with `--logger-class agentmatch.core.access_log.Logger`.
The request line and the referrer are logged without their query string (operator
searches carry consumer names and phones, links carry tokens), secret path segments are
cut, credential headers never appear whatever `--access-logformat` asks for, and the
finished line passes the same `RedactSecrets` filter as the application's logs.

With LOG_FORMAT=json gunicorn's lines are JSON objects too (core/logging.JSONFormatter);
each access line carries the request's id (core/request_id.py) and its method, path,
status and duration as fields.
"""

import os
import traceback
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gunicorn import glogging

from agentmatch.core.logging import REDACTED, JSONFormatter, RedactSecrets, redact
from agentmatch.core.request_id import ENVIRON_KEY

# One instance, so a configuration reload (setup() again) does not stack copies.
_FILTER = RedactSecrets()
# Request headers (`{name}i`) and environ values (`{name}e`) that hold credentials.
_SECRET_ATOMS = {
    "{authorization}i",
    "{proxy-authorization}i",
    "{cookie}i",
    "{x-status-token}i",
    "{x-partner-key}i",
    "{set-cookie}o",
    "{http_authorization}e",
    "{http_proxy_authorization}e",
    "{http_cookie}e",
    "{http_x_status_token}e",
    "{http_x_partner_key}e",
    "{query_string}e",
    "{raw_uri}e",
    "{request_uri}e",
}


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return redact(urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")))


class Logger(glogging.Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(_FILTER)
                if _log_format() == "json":
                    handler.setFormatter(JSONFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        # gunicorn's own access(), with the request id and the main atoms as record fields.
        if not self.access_log_enabled:
            return
        atoms = self.atoms(resp, req, environ, request_time)
        extra = {
            "request_id": environ.get(ENVIRON_KEY, ""),
            "http": {
                "method": atoms.get("m"),
                "path": atoms.get("U"),
                "status": int(atoms["s"]) if str(atoms.get("s")).isdigit() else atoms.get("s"),
                "duration_ms": round(request_time.total_seconds() * 1000, 1),
            },
        }
        try:
            self.access_log.info(
                self.cfg.access_log_format, self.atoms_wrapper_class(atoms), extra=extra
            )
        except Exception:
            self.error(traceback.format_exc())

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        # The path as sent (still %-encoded, so a %0A cannot start a forged log line).
        path = redact(environ.get("RAW_URI", environ.get("PATH_INFO", "")).split("?", 1)[0])
        atoms["U"] = path
        atoms["q"] = "-"
        atoms["r"] = f"{environ['REQUEST_METHOD']} {path} {environ['SERVER_PROTOCOL']}"
        referrer = environ.get("HTTP_REFERER")
        atoms["f"] = _without_query(referrer) if referrer else "-"
        for key in _SECRET_ATOMS & atoms.keys():
            atoms[key] = REDACTED
        return atoms


def _log_format() -> str:
    # gunicorn's arbiter has not loaded the application: Django's settings, read here.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentmatch.settings")
    from django.conf import settings

    return str(settings.LOG_FORMAT)
