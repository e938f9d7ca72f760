"""The token API is stateless: an anonymous call creates no session and sets no cookie."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db


def test_get_contacted_without_cookies_creates_no_session_and_sets_no_cookie(plan_year):
    make_agent(zip_code="53711", licensed=["WI"], languages=["en"])
    client = Client(enforce_csrf_checks=True)  # no CSRF token: the API does not need one
    response = client.post(
        "/api/v1/referrals",
        {"first_name": "Ana", "last_name": "Diaz", "phone": "608-555-0199", "zip": "53703",
         "language": "en", "consent": True},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.cookies == {} and "Set-Cookie" not in response.headers
    assert Session.objects.count() == 0
