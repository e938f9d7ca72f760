"""Administrators manage partners' webhooks on /ops/webhooks/: the secret is shown once,
bad input is a clear message (never a 500), every control is a ControlChange row."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.operations.models import ControlChange
from agentmatch.partners.models import PartnerKey
from agentmatch.testing import make_operator, make_partner
from agentmatch.webhooks.delivery import deliver_one
from agentmatch.webhooks.models import DeliveryState, WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _loopback(settings):  # type: ignore[no-untyped-def]
    settings.WEBHOOKS_ALLOW_LOOPBACK = True
    settings.WEBHOOKS_TIMEOUT_SECONDS = 1


@pytest.fixture
def admin_client(plan_year):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_operator(username="ada.admin", role="administrator"))
    return client


@pytest.fixture
def partner(db) -> PartnerKey:
    return make_partner()


def _create(client: Client, partner: PartnerKey, **fields: object):  # type: ignore[no-untyped-def]
    data = {
        "partner": partner.pk,
        "url": "http://127.0.0.1:9/hooks",
        "event_types": ["referral.created", "referral.accepted"],
        **fields,
    }
    return client.post("/ops/webhooks/", data)


def test_creating_a_subscription_shows_its_secret_once(admin_client, partner):
    response = _create(admin_client, partner)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    secret = re.search(r"whsec_[\w-]+", response.content.decode()).group(0)  # type: ignore[union-attr]
    subscription = WebhookSubscription.objects.get()
    assert subscription.event_types == ["referral.accepted", "referral.created"]
    change = ControlChange.objects.get(kind="webhook_created")
    assert secret not in str(change.detail) and secret not in change.subject
    assert secret not in admin_client.get(f"/ops/webhooks/{subscription.pk}/").content.decode()
    assert secret not in admin_client.get("/ops/webhooks/").content.decode()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url", "Enter a full URL starting with https://."),
        ("ftp://example.org/x", "Enter a full URL starting with https://."),
        ("http://example.org/hooks", "The URL must start with https://."),
        ("https://10.1.2.3/hooks", "is private, local or reserved"),
        ("https://169.254.169.254/latest", "is private, local or reserved"),
        ("https://[fd00::1]/hooks", "is private, local or reserved"),
        ("https://user:pw@93.184.215.14/hooks", "must not contain a user name or password"),
        ("https://93.184.215.14:99999/x", "This is not a valid URL."),
        ("https://nothing.invalid/hooks", "does not resolve"),
    ],
)
def test_a_bad_or_private_url_is_refused_with_a_message(admin_client, partner, url, message):
    response = _create(admin_client, partner, url=url)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def test_loopback_is_refused_unless_the_setting_allows_it(admin_client, partner, settings):
    settings.WEBHOOKS_ALLOW_LOOPBACK = False
    response = _create(admin_client, partner)
    assert response.status_code == 400
    assert "cannot be sent to this machine" in response.content.decode()


def test_no_event_or_an_unknown_one_is_refused(admin_client, partner):
    assert _create(admin_client, partner, event_types=[]).status_code == 400
    response = _create(admin_client, partner, event_types=["referral.exploded"])
    assert response.status_code == 400
    assert not WebhookSubscription.objects.exists()


def test_consumer_details_need_the_partner_allowed_first(admin_client, partner):
    response = _create(admin_client, partner, include_consumer_details="on")
    assert response.status_code == 400
    assert "not allowed to receive consumers" in response.content.decode()

    admin_client.post(f"/ops/webhooks/partners/{partner.pk}/consumer-details/", {"allowed": "yes"})
    partner.refresh_from_db()
    assert partner.may_receive_consumer_details
    assert ControlChange.objects.filter(kind="partner_details").count() == 1
    assert _create(admin_client, partner, include_consumer_details="on").status_code == 200


def test_rotate_deactivate_test_and_redeliver_are_audited(admin_client, partner, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 1
    _create(admin_client, partner)
    sub = WebhookSubscription.objects.get()

    rotated = admin_client.post(f"/ops/webhooks/{sub.pk}/rotate/")
    assert rotated.status_code == 200 and "whsec_" in rotated.content.decode()
    assert sub.secrets.count() == 2

    assert admin_client.post(f"/ops/webhooks/{sub.pk}/test/").status_code == 302
    test = WebhookDelivery.objects.get(event_type="webhook.test")
    deliver_one(timezone.now())  # nothing listens on port 9: fails after its one attempt
    test.refresh_from_db()
    assert test.state == DeliveryState.FAILED

    page = admin_client.get(f"/ops/webhooks/{sub.pk}/?state=failed").content.decode()
    assert "webhook.test" in page and "Send again" in page
    admin_client.post(f"/ops/webhooks/{sub.pk}/deliveries/{test.pk}/redeliver/")
    test.refresh_from_db()
    assert test.state == DeliveryState.PENDING and test.attempts == 0

    admin_client.post(f"/ops/webhooks/{sub.pk}/deactivate/")
    sub.refresh_from_db()
    assert not sub.is_active
    again = admin_client.post(f"/ops/webhooks/{sub.pk}/deactivate/", follow=True)
    assert "This subscription is not active." in again.content.decode()

    kinds = set(ControlChange.objects.values_list("kind", flat=True))
    assert {
        "webhook_created",
        "webhook_rotated",
        "webhook_test",
        "webhook_redelivered",
        "webhook_deactivated",
    } <= kinds


def test_a_bad_log_filter_is_a_400_with_the_field_marked(admin_client, partner):
    _create(admin_client, partner)
    sub = WebhookSubscription.objects.get()
    response = admin_client.get(f"/ops/webhooks/{sub.pk}/?state=exploded")
    assert response.status_code == 400
    assert "usa-form-group--error" in response.content.decode()


def test_operators_cannot_reach_the_webhooks(client, partner):  # type: ignore[no-untyped-def]
    client.force_login(make_operator(username="otto"))
    assert client.get("/ops/webhooks/").status_code == 403
    assert _create(client, partner).status_code == 403
    assert not WebhookSubscription.objects.exists()
