"""No log line (the application's, Django's or gunicorn's access log) holds a consumer's
phone number or a secret: link tokens, query tokens, credential headers."""

import io
import logging
import re
import sys
from collections.abc import Iterator
from datetime import timedelta
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from agentmatch.core.access_log import Logger
from agentmatch.core.logging import (
    _FIELD_SECRETS,
    RedactSecrets,
    _folded,
    cut_secrets,
    mask_phone,
    redact,
)
from agentmatch.core.management.commands.run import gunicorn_argv

STATUS_ID = "3f2a8c4e-1b2c-4d5e-8f9a-0b1c2d3e4f5a"
TOKEN = "Zq9xW3vT7yU1iO5pA8sD2fG6hJ0kL4mN-b_cVe"


@pytest.mark.parametrize(
    "line",
    [
        f"GET /status/{STATUS_ID}/{TOKEN}/ HTTP/1.1",
        f"https://help.example.gov/n/o/{TOKEN}/",
        f"/accounts/reset/{TOKEN}/",
        f"/accounts/register/{TOKEN}/",
        f"/api/v1/referrals/{STATUS_ID}?token={TOKEN}&page=2",
        f"Authorization: Bearer {TOKEN}",
        f"{{'HTTP_X_STATUS_TOKEN': '{TOKEN}', 'HTTP_X_PARTNER_KEY': 'pk_{TOKEN}'}}",
        f'{{"id": "{STATUS_ID}", "status_token": "{TOKEN}"}}',
        f"X-Partner-Key: {TOKEN}",
    ],
)
def test_secrets_are_cut_from_links_queries_headers_and_json(line):
    redacted = redact(line)
    assert TOKEN not in redacted
    assert "[redacted]" in redacted
    assert redact(redacted) == redacted


@pytest.mark.parametrize(
    "line",
    [
        f"TOKEN={TOKEN}",
        f"\u017fecret={TOKEN}",  # long s: (?i) takes it for "s"
        f"api_\u212aey: {TOKEN}",  # Kelvin sign for "k"
        f"s\u0130g={TOKEN}",  # Turkish dotted capital I
        f"s\u0131gnature={TOKEN}",  # and dotless i
        f"bEaReR {TOKEN}",
    ],
)
def test_secrets_named_in_any_case_are_cut(line):
    assert TOKEN not in cut_secrets(line)


def test_the_word_looked_for_before_each_pattern_is_in_everything_it_matches():
    """cut_secrets runs a pattern only when the case-folded text holds one of its words:
    each character `(?i)` takes for a letter of those words must fold to that letter."""
    every_character = "".join(
        chr(code) for code in range(sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF
    )
    letters = {letter for words, _pattern in _FIELD_SECRETS for word in words for letter in word}
    for letter in letters:
        for character in re.findall("(?i)" + re.escape(letter), every_character):
            assert _folded(character) == letter, (letter, hex(ord(character)))


@pytest.mark.parametrize(
    "phone",
    ["+16085550199", "(608) 555-0199", "608-555-0199", "608.555.0199", "1-608-555-0199",
     "6085550199", "+1 608 555 0199"],
)  # fmt: skip
def test_phone_numbers_are_masked_to_their_last_four_digits(phone):
    assert redact(f"SMS to {phone}: hello") == "SMS to +1 ***-***-0199: hello"


def test_routes_ids_npns_times_and_addresses_stay_readable():
    line = (
        f"GET /status/{STATUS_ID}/live/ /accounts/register/done/ /n/sms/inbound "
        "NPN 0012345 at 2026-11-30 18:18:59+00:00 from 192.168.1.10 offer 1234"
    )
    assert redact(line) == line
    assert redact("invited lucia.demo@example.com") == "invited l***@example.com"
    assert mask_phone("+442079460958") == "+4** ***-0958"


@pytest.fixture
def root_output() -> Iterator[io.StringIO]:
    """What the root handler settings.LOGGING installs writes, for this test."""
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler)
                 and any(isinstance(f, RedactSecrets) for f in h.filters)]  # fmt: skip
    output = io.StringIO()
    previous = handler.setStream(output)
    try:
        yield output
    finally:
        handler.setStream(previous)


def test_djangos_request_and_server_logs_go_through_the_redacting_handler(root_output):
    # Django's defaults give these loggers handlers of their own, which print raw paths.
    for name in ("django", "django.server"):
        assert logging.getLogger(name).handlers == [] and logging.getLogger(name).propagate
    logging.getLogger("django.request").warning("Not Found: /n/o/%s/", TOKEN)
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /status/{STATUS_ID}/{TOKEN}/ HTTP/1.1", 302, 0
    )
    try:
        raise ValueError("duplicate phone +16085550199")
    except ValueError:
        logging.getLogger("agentmatch.test").exception("worker failed for +16085550199")
    text = root_output.getvalue()
    assert TOKEN not in text and "6085550199" not in text
    assert f"/status/{STATUS_ID}/[redacted]/" in text
    assert "ValueError: duplicate phone +1 ***-***-0199" in text


def access_line(environ: dict[str, str], access_log_format: str | None = None) -> str:
    """The access log line gunicorn writes for one request, as `agentmatch run` sets it up."""
    cfg = Config()
    cfg.set("accesslog", "-")
    if access_log_format:
        cfg.set("access_log_format", access_log_format)
    logger = Logger(cfg)
    output = io.StringIO()
    [handler] = [h for h in logger.access_log.handlers if getattr(h, "_gunicorn", False)]
    handler.setStream(output)  # type: ignore[attr-defined]
    headers = [(k[5:].replace("_", "-"), v) for k, v in environ.items() if k.startswith("HTTP_")]
    environ = {"REMOTE_ADDR": "203.0.113.9", "SERVER_PROTOCOL": "HTTP/1.1", **environ}
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    logger.access(response, SimpleNamespace(headers=headers), environ, timedelta(seconds=0.01))
    return output.getvalue()


def test_the_access_log_of_a_status_link_has_no_token_and_no_phone():
    assert "--logger-class" in gunicorn_argv("127.0.0.1:8000", workers=1, threads=1)
    line = access_line(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": f"/status/{STATUS_ID}/{TOKEN}/",
            "RAW_URI": f"/status/{STATUS_ID}/{TOKEN}/?token={TOKEN}&phone=6085550199",
            "QUERY_STRING": f"token={TOKEN}&phone=6085550199",
            "HTTP_REFERER": f"https://help.example.gov/n/o/{TOKEN}/?q=608-555-0199",
            "HTTP_USER_AGENT": "Mozilla/5.0",
        }
    )
    assert f'"GET /status/{STATUS_ID}/[redacted]/ HTTP/1.1" 302' in line
    assert '"https://help.example.gov/n/o/[redacted]/"' in line
    assert TOKEN not in line and "0199" not in line


def test_a_custom_access_log_format_cannot_print_credentials_or_the_query():
    line = access_line(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": "/ops/referrals/",
            "RAW_URI": "/ops/referrals/?q=Ana+Diaz+6085550199",
            "QUERY_STRING": "q=Ana+Diaz+6085550199",
            "HTTP_AUTHORIZATION": f"Bearer {TOKEN}",
            "HTTP_X_STATUS_TOKEN": TOKEN,
        },
        access_log_format="%(r)s %(q)s %({authorization}i)s %({x-status-token}i)s %({raw_uri}e)s",
    )
    assert "Diaz" not in line and TOKEN not in line and "6085550199" not in line
    assert line.startswith("GET /ops/referrals/ HTTP/1.1 - [redacted] [redacted] [redacted]")


def test_an_encoded_newline_in_a_path_cannot_forge_an_access_log_line():
    line = access_line(
        {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": '/x\n127.0.0.1 - - "GET /admin HTTP/1.1" 200',
            "RAW_URI": "/x%0A127.0.0.1%20-%20-%20%22GET%20/admin",
        }
    )
    assert line.count("\n") == 1 and "/x%0A127.0.0.1" in line


def test_log_times_are_utc_with_the_offset_written_out() -> None:
    import logging as std_logging

    from agentmatch.core.logging import UTCFormatter

    record = std_logging.LogRecord("x", std_logging.INFO, __file__, 1, "hello", None, None)
    record.created = 0.25  # 1970-01-01 00:00:00.250 UTC
    record.msecs = 250
    assert UTCFormatter("%(asctime)s %(message)s").format(record) == (
        "1970-01-01T00:00:00.250Z hello"
    )
