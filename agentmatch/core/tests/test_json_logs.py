"""LOG_FORMAT=json: one JSON object per line (time in UTC, level, logger, message,
request_id), redacted like every other log line; every request has an id, echoed in
X-Request-ID and written on its access log line."""

import io
import json
import logging
import os
import signal
import subprocess
import sys
from http.client import HTTPConnection
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from agentmatch.core.deployment import log_format
from agentmatch.core.logging import JSONFormatter, RedactSecrets, current_request_id
from agentmatch.core.tests.test_run_command import database_url, free_port, linux_only
from agentmatch.core.tests.test_run_command import wait_for_health as wait_for_run

TOKEN = "Zq9xW3vT7yU1iO5pA8sD2fG6hJ0kL4mN-b_cVe"


def json_handler() -> tuple[logging.Handler, io.StringIO]:
    """The console handler as settings.LOGGING builds it with LOG_FORMAT=json."""
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.addFilter(RedactSecrets())
    handler.setFormatter(JSONFormatter())
    return handler, output


def test_a_json_line_has_utc_time_level_logger_message_and_no_phone_or_token():
    handler, output = json_handler()
    logger = logging.getLogger("agentmatch.test.json")
    logger.addHandler(handler)
    logger.propagate = False
    token = current_request_id.set("req-1234abcd")
    try:
        logger.warning("SMS to %s failed: Authorization: Bearer %s", "+16085550199", TOKEN)
        try:
            raise ValueError(f"bad phone 608-555-0199 at /n/o/{TOKEN}/")
        except ValueError:
            logger.exception("worker\nfailed")
    finally:
        current_request_id.reset(token)
        logger.removeHandler(handler)
        logger.propagate = True
    lines = output.getvalue().splitlines()
    assert len(lines) == 2  # the newline in the message cannot start a line of its own
    first, second = (json.loads(line) for line in lines)
    assert set(first) == {"time", "level", "logger", "message", "request_id"}
    assert first["time"].endswith("Z") and first["time"][10] == "T"
    assert first["level"] == "WARNING" and first["logger"] == "agentmatch.test.json"
    assert first["message"] == "SMS to +1 ***-***-0199 failed: Authorization: [redacted]"
    assert first["request_id"] == "req-1234abcd"
    assert second["message"] == "worker\nfailed"
    assert "ValueError: bad phone +1 ***-***-0199 at /n/o/[redacted]/" in second["exception"]
    assert TOKEN not in output.getvalue() and "555-0199" not in output.getvalue()


def test_log_format_is_plain_or_json_and_a_typo_stops_the_start():
    assert settings.LOG_FORMAT == "plain"  # the default, for `make run`
    assert log_format("JSON") == "json" and log_format("") == "plain"
    with pytest.raises(ValueError, match="LOG_FORMAT='jsno': expected one of plain, json"):
        log_format("jsno")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["", "608-555-0199", "<script>", "x" * 65, "short", f"token={TOKEN}", "a b c d e f g h"],
)
def test_every_answer_has_a_fresh_request_id_unless_a_safe_one_came_in(incoming):
    headers = {"HTTP_X_REQUEST_ID": incoming} if incoming else {}
    answer = Client().get("/healthz", **headers)
    assert answer["X-Request-ID"] != incoming
    assert len(answer["X-Request-ID"]) == 32
    kept = Client().get("/nowhere/", HTTP_X_REQUEST_ID="lb-7f3a9c21.eu-1")
    assert kept.status_code == 404 and kept["X-Request-ID"] == "lb-7f3a9c21.eu-1"


@linux_only
@pytest.mark.django_db(transaction=True)
def test_json_logs_of_a_running_server_carry_the_request_id_and_hide_phones_and_tokens(
    tmp_path,
):
    port = free_port()
    log = tmp_path / "run.log"
    env = dict(os.environ, DATABASE_URL=database_url(), LOG_FORMAT="json", LOG_LEVEL="INFO")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "agentmatch", "run", "--port", str(port),
             "--web-workers", "1", "--workers", "0"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR,
        )  # fmt: skip
    try:
        wait_for_run(f"http://127.0.0.1:{port}", proc, log)
        conn = HTTPConnection("127.0.0.1", port, timeout=5)
        # A 404 that Django logs (django.request), with a link token and a phone in it.
        conn.request("GET", f"/n/o/{TOKEN}/6085550199", headers={"X-Request-ID": "probe-42abcdef"})
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 404 and answer.getheader("X-Request-ID") == "probe-42abcdef"
        conn.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = Path(log).read_text()
    assert TOKEN not in text and "6085550199" not in text
    entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    mine = [e for e in entries if e.get("request_id") == "probe-42abcdef"]
    access = [e for e in mine if e["logger"] == "gunicorn.access"]
    assert len(access) == 1, text
    http = access[0]["http"]
    assert (http["method"], http["status"]) == ("GET", 404)
    assert http["path"] == "/n/o/[redacted]/+1 ***-***-0199"
    assert isinstance(http["duration_ms"], float)
    not_found = [e for e in mine if e["logger"] == "django.request"]
    assert not_found and not_found[0]["level"] == "WARNING", text
    assert "/n/o/[redacted]" in not_found[0]["message"]
    # gunicorn's own lines (start, stop) are JSON objects too.
    assert any(e["logger"] == "gunicorn.error" for e in entries), text
