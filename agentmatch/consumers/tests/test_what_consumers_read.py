"""What a consumer reads about their request: a short reference number (never the internal
id), the Marketplace Call Center beside the form and the confirmation, and no internal
version numbers."""

import re

import pytest
from django.db import transaction
from django.utils import timezone

from agentmatch.consumers.tests.helpers import submit
from agentmatch.core.marketplace import CALL_CENTER_PHONE, CALL_CENTER_PHONE_E164, CALL_CENTER_TTY
from agentmatch.notifications.models import Message
from agentmatch.referrals.models import Referral
from agentmatch.referrals.services import end_unmatched
from agentmatch.testing import make_agent, render_outbox

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}")


@pytest.fixture
def agent(plan_year):  # type: ignore[no-untyped-def]
    return make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])


def visible(html: str) -> str:
    """The page without the addresses in its links (the status URLs carry the internal
    id with the secret token, as they always have) and without its tags."""
    html = re.sub(r'(href|hx-get|action)="[^"]*"', "", html)
    return re.sub(r"<[^>]+>", " ", html)


def sent(client, language: str = "en") -> tuple[Referral, str]:  # type: ignore[no-untyped-def]
    response = submit(client, language=language)
    assert response.status_code == 302
    return Referral.objects.get(), client.get(response["Location"]).content.decode()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_confirmation_and_status_pages_show_the_reference_code_not_the_internal_id(
    client, agent, language
):
    referral, confirmation = sent(client, language)
    status = client.get(f"/status/{referral.public_id}/").content.decode()
    for page in (confirmation, status):
        text = visible(page)
        assert referral.reference in text and CODE.search(text)
        assert str(referral.public_id) not in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_call_center_number_is_on_the_form_and_the_confirmation(client, agent, language):
    form = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    _referral, confirmation = sent(client, language)
    link = f'<a class="nowrap" href="tel:{CALL_CENTER_PHONE_E164}">{CALL_CENTER_PHONE}</a>'
    for page in (form, confirmation):
        assert 'id="call-center"' in page
        assert link in page and CALL_CENTER_TTY in page


def test_the_texts_give_the_same_call_center_number_as_the_pages(client, agent):
    referral, _confirmation = sent(client)
    with transaction.atomic():
        end_unmatched(referral=referral, now=timezone.now(), reason="nobody free")
    render_outbox()
    unmatched = Message.objects.filter(referral=referral, kind="consumer_unmatched")
    assert unmatched.count() == 2
    for message in unmatched:
        assert CALL_CENTER_PHONE in message.body


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_consent_version_is_recorded_but_never_shown(client, agent, settings, language):
    settings.CONSENT_WORDING_VERSION = "2026-7Z"
    form = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    referral, confirmation = sent(client, language)
    render_outbox()
    assert referral.consent_wording_version == "2026-7Z"
    for page in (form, confirmation):
        assert "2026-7Z" not in page
        assert "consent-version" not in page


def test_no_consumer_page_names_an_internal_version(client, agent):
    _referral, confirmation = sent(client)
    for page in (client.get("/").content.decode(), confirmation):
        assert not re.search(r"[Vv]ersi[oó]n", visible(page))
