"""gunicorn's access and error logs, redacted like every other log line.

`agentmatch run` starts gunicorn with `--logger-class agentmatch.core.access_log.Logger`.
The request line and the referrer are logged without their query string (operator
searches carry consumer names and phones, links carry tokens), secret path segments are
cut, credential headers never appear whatever `--access-logformat` asks for, and the
finished line passes the same `RedactSecrets` filter as the application's logs.
"""

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from gunicorn import glogging

from agentmatch.core.logging import REDACTED, RedactSecrets, redact

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
