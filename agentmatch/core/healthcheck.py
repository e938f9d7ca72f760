"""The container's HEALTHCHECK: exit 0 when this container's web server answers /healthz.

`python -m agentmatch.core.healthcheck`. Standard library only, without Django (it runs
every 30 seconds; the slim image has no curl). It asks with a Host header taken from
ALLOWED_HOSTS: Django refuses any other host, and a production ALLOWED_HOSTS names the
public host only, never 127.0.0.1.
"""

import http.client
import os
import sys


def probe_host(allowed_hosts: str) -> str:
    """The first ALLOWED_HOSTS entry usable as a Host header (".example.gov" -> "example.gov")."""
    for entry in allowed_hosts.split(","):
        host = entry.strip().lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def main() -> int:
    port = int(os.environ.get("PORT", "8000"))
    host = probe_host(os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]"))
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/healthz", headers={"Host": host})
        status = conn.getresponse().status
    except OSError as exc:
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    finally:
        conn.close()
    if status != 200:
        print(f"unhealthy: /healthz answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
