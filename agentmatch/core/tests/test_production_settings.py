"""With DEBUG off nothing starts on a missing, weak or public SECRET_KEY; `make run` still
needs no setup (its own random key in data/secret_key); HTTPS settings come from the
environment, and behind a TLS proxy form POSTs pass CSRF's origin check."""

import json
import os
import secrets
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.test import Client

from agentmatch.core.checks import check_secret_key, refuse_unsafe_settings
from agentmatch.core.deployment import DEVELOPMENT_SECRET_KEY, SECRET_KEY_HINT

GOOD_KEY = secrets.token_urlsafe(50)


def agentmatch(*args: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`agentmatch ARGS` as deployed: DEBUG off, no key unless `env` gives one."""
    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests' fixture sets it for this process; a
    # deployment never has it (and `check --deploy` rightly refuses it).
    left_out = ("SECRET_KEY", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environ = {k: v for k, v in os.environ.items() if k not in left_out}
    environ.update(
        AGENTMATCH_DATA_DIR=str(tmp_path),
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-m", "agentmatch", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=settings.BASE_DIR,
    )


def test_run_refuses_to_start_without_a_secret_key_and_says_what_to_set(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    result = agentmatch("run", "--port", port, "--web-workers", "1", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "agentmatch.E001" in result.stderr
    assert "SECRET_KEY is not set" in result.stderr
    assert SECRET_KEY_HINT in result.stderr
    assert (
        "Set SECRET_KEY to a long random value, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    ) in result.stderr
    assert "AgentMatch is starting" not in result.stdout


def test_check_deploy_refuses_the_public_development_key(tmp_path):
    result = agentmatch("check", "--deploy", tmp_path=tmp_path, SECRET_KEY=DEVELOPMENT_SECRET_KEY)
    assert result.returncode != 0
    assert "agentmatch.E001" in result.stderr and SECRET_KEY_HINT in result.stderr


def test_check_deploy_passes_the_key_check_with_a_long_random_key(tmp_path):
    result = agentmatch("check", "--deploy", tmp_path=tmp_path, SECRET_KEY=GOOD_KEY)
    assert result.returncode == 0, result.stderr
    assert "agentmatch.E" not in result.stderr + result.stdout


def test_make_runs_own_key_file_lets_a_fresh_machine_start_without_any_setting(tmp_path):
    made = agentmatch("make-secret-key", tmp_path=tmp_path)
    assert made.returncode == 0, made.stderr
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = key_file.read_text().strip()
    assert len(key) >= 50
    checked = agentmatch("check", tmp_path=tmp_path)
    assert checked.returncode == 0, checked.stderr
    # A second `make run` keeps the key: sessions and sent links stay valid.
    agentmatch("make-secret-key", tmp_path=tmp_path)
    assert key_file.read_text().strip() == key


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        ("", "is not set"),
        (DEVELOPMENT_SECRET_KEY, "is not set"),
        ("django-insecure-" + "x" * 50, "Django's generated development key"),
        ("s3cr3t-but-short", "is 16 characters long"),
        ("abcd" * 20, "only 4 different characters"),
    ],
)
def test_a_missing_short_or_public_key_is_an_error_with_debug_off(settings, key, problem):
    settings.DEBUG = False
    settings.SECRET_KEY = key or DEVELOPMENT_SECRET_KEY
    [error] = check_secret_key()
    assert error.id == "agentmatch.E001" and problem in error.msg
    with pytest.raises(ImproperlyConfigured, match="Set SECRET_KEY"):
        refuse_unsafe_settings()  # what the WSGI application does when it loads


def test_the_development_key_is_accepted_with_debug_on(settings):
    settings.DEBUG = True
    settings.SECRET_KEY = DEVELOPMENT_SECRET_KEY
    assert check_secret_key() == []


def test_the_public_key_is_refused_as_a_fallback_too(settings):
    settings.DEBUG = False
    settings.SECRET_KEY = GOOD_KEY
    settings.SECRET_KEY_FALLBACKS = [DEVELOPMENT_SECRET_KEY]
    assert [e.id for e in check_secret_key()] == ["agentmatch.E002"]


def test_make_secret_key_writes_a_file_only_its_owner_can_read(settings, tmp_path):
    settings.SECRET_KEY_FILE = tmp_path / "keys" / "secret_key"
    call_command("make_secret_key")
    assert stat.S_IMODE(settings.SECRET_KEY_FILE.stat().st_mode) == 0o600


# --- HTTPS behind a proxy -------------------------------------------------------------


def deployed_settings(tmp_path: Path, **env: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({n: getattr(s, n) for n in ("
        "'CSRF_TRUSTED_ORIGINS', 'SECURE_PROXY_SSL_HEADER', 'SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_SSL_REDIRECT')}))"
    )
    environ = dict(os.environ, AGENTMATCH_DATA_DIR=str(tmp_path), **env)
    environ["DJANGO_SETTINGS_MODULE"] = "agentmatch.settings"
    out = subprocess.run(
        [sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_https_settings_come_from_the_environment(tmp_path):
    deployed = deployed_settings(
        tmp_path,
        SITE_URL="https://help.example.gov/",
        PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
        SECURE_SSL_REDIRECT="true",
    )
    assert deployed == {
        "CSRF_TRUSTED_ORIGINS": ["https://help.example.gov"],
        "SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"],
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True,
        "SECURE_SSL_REDIRECT": True,
    }
    assert deployed_settings(tmp_path, CSRF_TRUSTED_ORIGINS="https://a.gov,https://b.gov")[
        "CSRF_TRUSTED_ORIGINS"
    ] == ["https://a.gov", "https://b.gov"]


def _post_through_the_tls_proxy() -> int:
    client = Client(enforce_csrf_checks=True)
    token = "a" * 16 + "B" * 16  # a CSRF secret, as the cookie holds it
    client.cookies["csrftoken"] = token
    response = client.post(
        "/i18n/setlang/",
        {"language": "es", "next": "/", "csrfmiddlewaretoken": token},
        HTTP_HOST="help.example.gov",
        HTTP_ORIGIN="https://help.example.gov",
        HTTP_X_FORWARDED_PROTO="https",
    )
    return response.status_code


def test_behind_a_tls_proxy_a_form_post_from_the_sites_origin_passes_csrf(settings, tmp_path):
    settings.ALLOWED_HOSTS = ["help.example.gov"]
    deployed = deployed_settings(
        tmp_path,
        SITE_URL="https://help.example.gov",
        PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https",
    )
    # Today's defaults: the proxy's https:// origin does not match the http:// request.
    settings.CSRF_TRUSTED_ORIGINS, settings.SECURE_PROXY_SSL_HEADER = [], None
    assert _post_through_the_tls_proxy() == 403
    # Either setting alone is enough; both come from SITE_URL and PROXY_SSL_HEADER.
    settings.CSRF_TRUSTED_ORIGINS = deployed["CSRF_TRUSTED_ORIGINS"]
    assert _post_through_the_tls_proxy() == 302
    settings.CSRF_TRUSTED_ORIGINS = []
    settings.SECURE_PROXY_SSL_HEADER = tuple(deployed["SECURE_PROXY_SSL_HEADER"])
    assert _post_through_the_tls_proxy() == 302


def test_a_malformed_proxy_header_setting_stops_the_settings_from_loading(tmp_path):
    with pytest.raises(subprocess.CalledProcessError) as failed:
        deployed_settings(tmp_path, PROXY_SSL_HEADER="https")
    assert "expected HTTP_X_FORWARDED_PROTO=https" in failed.value.stderr


def test_the_ssl_redirect_sends_pages_to_https_but_leaves_the_health_check(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()
    page = client.get("/accounts/login/")
    assert page.status_code == 301 and page["Location"].startswith("https://")
    assert client.get("/healthz").status_code == 200


def test_check_deploy_warns_about_backends_that_only_print_and_plain_http_links(settings):
    from agentmatch.core.checks import check_delivery_settings

    settings.SMS_BACKEND = "console"
    settings.MAILERS = {"default": {"BACKEND": "agentmatch.notifications.transports.x"}}
    settings.SITE_URL = "http://help.example.gov"
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    ids = [w.id for w in check_delivery_settings()]
    assert ids == ["agentmatch.W001", "agentmatch.W002", "agentmatch.W003", "agentmatch.W004"]

    settings.SMS_BACKEND = "twilio"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend"}}
    settings.SITE_URL = "https://help.example.gov"
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = "k"
    assert check_delivery_settings() == []
