"""Operators read every time in their own zone, with its abbreviation: the service's
OPERATOR_TIME_ZONE until they choose another on their settings page."""

import re
import subprocess
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils.formats import date_format

from agentmatch.accounts.models import User
from agentmatch.referrals.models import Referral
from agentmatch.testing import make_referral

# 15:30 UTC on a winter day: 10:30 in New York (EST), 09:30 in Chicago (CST).
RECEIVED = datetime(2026, 12, 1, 15, 30, tzinfo=UTC)


@pytest.fixture
def referral(plan_year):  # type: ignore[no-untyped-def]
    made = make_referral(first_name="Lucía", phone="+16085550123")
    Referral.objects.filter(pk=made.pk).update(created_at=RECEIVED)
    return made


def received_line(client: Client, referral: Referral) -> str:
    page = client.get(f"/ops/referrals/{referral.public_id}/").content.decode()
    found = re.search(r"<dt>Received</dt><dd>(.*?)</dd>", page)
    assert found, page[:2000]
    return found.group(1)


@pytest.mark.django_db
def test_times_show_in_the_services_zone_with_its_abbreviation(operator_client, referral):
    assert settings.OPERATOR_TIME_ZONE == "America/New_York"
    line = received_line(operator_client, referral)
    assert "10:30" in line and "EST" in line, line
    assert 'datetime="2026-12-01T10:30:00-05:00"' in line


@pytest.mark.django_db
def test_an_operator_who_chooses_chicago_reads_chicago_time(operator_client, operator, referral):
    response = operator_client.post("/ops/settings/", {"time_zone": "America/Chicago"})
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.time_zone == "America/Chicago"
    line = received_line(operator_client, referral)
    assert "9:30" in line and "CST" in line, line
    page = operator_client.get("/ops/settings/").content.decode()
    assert "Central time (Chicago)" in page and "CST" in page


@pytest.mark.django_db
def test_a_zone_not_on_the_list_is_refused_and_nothing_changes(operator_client, operator):
    operator_client.post("/ops/settings/", {"time_zone": "America/Chicago"})
    response = operator_client.post("/ops/settings/", {"time_zone": "Mars/Olympus_Mons"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert User.objects.get(pk=operator.pk).time_zone == "America/Chicago"


@pytest.mark.django_db
def test_going_back_to_the_services_zone(operator_client, operator):
    operator_client.post("/ops/settings/", {"time_zone": "Pacific/Honolulu"})
    operator_client.post("/ops/settings/", {"time_zone": ""})
    assert User.objects.get(pk=operator.pk).time_zone == ""


@pytest.mark.django_db
def test_the_settings_page_speaks_spanish(operator_client):
    operator_client.cookies["django_language"] = "es"
    page = operator_client.get("/ops/settings/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Hora del este (Nueva York)" in page


@pytest.mark.django_db
def test_the_dashboards_today_starts_at_the_operators_midnight(operator_client, operator):
    User.objects.filter(pk=operator.pk).update(time_zone="Pacific/Honolulu")
    page = operator_client.get("/ops/dashboard/?period=today").content.decode()
    today_in_honolulu = datetime.now(ZoneInfo("Pacific/Honolulu")).date()
    assert f"from {date_format(today_in_honolulu, 'DATE_FORMAT')}" in page


def test_an_unknown_operator_time_zone_stops_the_start(tmp_path):
    env = {"OPERATOR_TIME_ZONE": "Eastern", "PYTHONPATH": str(settings.BASE_DIR)}
    result = subprocess.run(
        [sys.executable, "-c", "import agentmatch.settings"],
        env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode != 0
    assert "OPERATOR_TIME_ZONE='Eastern': expected one of" in result.stderr
    assert "America/New_York" in result.stderr


@pytest.mark.django_db
def test_the_operations_page_leads_to_the_settings(operator_client):
    assert 'href="/ops/settings/"' in operator_client.get("/ops/").content.decode()
