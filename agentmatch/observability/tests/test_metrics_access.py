"""/metrics is not public: a bearer token (METRICS_TOKEN), or without one only a request
made directly from this machine; `check --deploy` warns while it is unprotected."""

import pytest
from django.core.checks import Warning
from django.test import Client

from agentmatch.core.checks import check_observability_settings

pytestmark = pytest.mark.django_db

TOKEN = "mT9xW3vT7yU1iO5pA8sD2fG6hJ0kL4mN-b_cVe"


def test_without_a_token_only_a_direct_request_from_this_machine_reads_the_metrics(settings):
    settings.METRICS_TOKEN = ""
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="::1").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="203.0.113.5").get("/metrics").status_code == 403
    # Through a reverse proxy on the same machine every visitor's peer is 127.0.0.1.
    proxied = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert proxied.get("/metrics").status_code == 403
    assert Client(HTTP_FORWARDED="for=203.0.113.5").get("/metrics").status_code == 403


def test_with_a_token_every_scrape_needs_it_even_from_this_machine(settings):
    settings.METRICS_TOKEN = TOKEN
    refused = Client(REMOTE_ADDR="127.0.0.1").get("/metrics")
    assert refused.status_code == 401
    assert refused["WWW-Authenticate"] == 'Bearer realm="metrics"'
    for wrong in (f"Bearer {TOKEN[:-1]}", f"Bearer {TOKEN}x", f"Basic {TOKEN}", TOKEN, "Bearer"):
        assert Client().get("/metrics", HTTP_AUTHORIZATION=wrong).status_code == 401, wrong
    answer = Client(REMOTE_ADDR="198.51.100.7").get(
        "/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    )
    assert answer.status_code == 200
    assert b"agentmatch_database_up 1.0" in answer.content


def test_metrics_answer_only_get(settings):
    assert Client().post("/metrics").status_code == 405


def test_check_deploy_warns_while_metrics_have_no_token_or_a_short_one(settings):
    settings.METRICS_TOKEN = ""
    [unset] = check_observability_settings()
    assert isinstance(unset, Warning) and unset.id == "agentmatch.W005"
    assert "METRICS_TOKEN" in unset.hint
    settings.METRICS_TOKEN = "short-token"
    assert [w.id for w in check_observability_settings()] == ["agentmatch.W006"]
    settings.METRICS_TOKEN = TOKEN
    assert check_observability_settings() == []
