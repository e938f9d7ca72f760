"""Operators export referrals, offers and unmatched requests of a period as CSV: consumer
contact details only for administrators who ask for them, every export audited before a
byte leaves, and a consumer's text never runs as a spreadsheet formula."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agentmatch.operations import actions
from agentmatch.operations.models import DataExport
from agentmatch.operations.permissions import operator_time_zone
from agentmatch.operations.services import OperationError
from agentmatch.referrals.actions.offers import ACCEPT, answer_offer
from agentmatch.referrals.models import Referral
from agentmatch.testing import make_operator, make_referral

URL = "/ops/exports/"


def today() -> str:
    # The operator's today: the export's days are days in the operator's time zone.
    return timezone.localdate(timezone=operator_time_zone(None)).isoformat()


def read(response) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def day_of_requests(rosa):  # type: ignore[no-untyped-def]
    """Three requests today in Madison: one Rosa accepted, one still offered to her, one
    that ended unmatched; and one from last month."""
    agent = rosa.agent
    accepted = make_referral(first_name="Lucía", last_name="Gómez", phone="+16085550111")
    answer_offer(
        offer_id=accepted.offers.get().pk,
        agent=agent,
        answer=ACCEPT,
        now=timezone.now(),
        channel="web",
    )
    offered = make_referral(first_name='=HYPERLINK("http://evil")', phone="+16085550112")
    unmatched = make_referral(first_name="Una", phone="+16085550113")
    Referral.objects.filter(pk=unmatched.pk).update(status="unmatched", ended_at=timezone.now())
    old = make_referral(first_name="Olga", phone="+16085550114")
    Referral.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    return {"accepted": accepted, "offered": offered, "unmatched": unmatched, "old": old}


@pytest.fixture
def admin_client(plan_year):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(make_operator(username="ada.admin", role="administrator"))
    return client


def post(client, **fields):  # type: ignore[no-untyped-def]
    data = {"kind": "referrals", "date_from": today(), "date_to": today(), **fields}
    return client.post(URL, data)


@pytest.mark.django_db
def test_an_operator_exports_the_days_referrals_without_consumer_details(
    operator_client, operator, day_of_requests
):
    response = post(operator_client)
    rows = read(response)
    assert {r["reference"] for r in rows} == {
        day_of_requests[k].reference for k in ("accepted", "offered", "unmatched")
    }
    accepted = next(r for r in rows if r["status"] == "accepted")
    assert accepted["accepted_by_npn"] == "00412345" and accepted["state"] == "WI"
    assert float(accepted["minutes_to_accept"]) >= 0
    assert "phone" not in rows[0] and "first_name" not in rows[0]
    body = response.getvalue() if hasattr(response, "getvalue") else b""
    assert b"Luc" not in body and b"608555" not in body
    export = DataExport.objects.get()
    assert (export.operator, export.kind, export.rows) == (operator, "referrals", 3)
    assert export.with_contact_details is False
    assert "attachment" in response["Content-Disposition"]


@pytest.mark.django_db
def test_an_administrator_may_include_contact_details_and_the_export_says_so(
    admin_client, day_of_requests
):
    rows = read(post(admin_client, with_contact_details="on"))
    accepted = next(r for r in rows if r["status"] == "accepted")
    assert (accepted["first_name"], accepted["phone"]) == ("Lucía", "+16085550111")
    assert DataExport.objects.get().with_contact_details is True


@pytest.mark.django_db
def test_a_consumers_text_is_never_a_formula_in_the_spreadsheet(admin_client, day_of_requests):
    rows = read(post(admin_client, with_contact_details="on"))
    names = {r["first_name"] for r in rows}
    assert '\'=HYPERLINK("http://evil")' in names
    assert not any(n.startswith("=") for n in names)


@pytest.mark.django_db
def test_an_operator_cannot_export_contact_details_even_by_asking(operator, day_of_requests):
    now = timezone.now()
    with pytest.raises(OperationError, match="Only administrators"):
        actions.start_export(
            operator=operator,
            kind="referrals",
            start=now - timedelta(days=1),
            end=now,
            with_contact_details=True,
            now=now,
        )
    assert not DataExport.objects.exists()


@pytest.mark.django_db
def test_the_checkbox_a_forged_form_sends_is_ignored_for_an_operator(
    operator_client, day_of_requests
):
    rows = read(post(operator_client, with_contact_details="on"))
    assert "phone" not in rows[0]
    assert DataExport.objects.get().with_contact_details is False


@pytest.mark.django_db
def test_the_offers_export_has_one_row_per_offer_with_the_agent(operator_client, day_of_requests):
    rows = read(post(operator_client, kind="offers"))
    # Rosa holds one pending offer at a time: the third request waits with none.
    assert len(rows) == 2
    assert {r["agent_npn"] for r in rows} == {"00412345"}
    assert {r["status"] for r in rows} == {"accepted", "pending"}


@pytest.mark.django_db
def test_the_unmatched_export_holds_only_unmatched_requests(operator_client, day_of_requests):
    rows = read(post(operator_client, kind="unmatched"))
    assert [r["reference"] for r in rows] == [day_of_requests["unmatched"].reference]


@pytest.mark.django_db
def test_a_period_holds_the_requests_made_in_it(operator_client, day_of_requests):
    old = Referral.objects.get(pk=day_of_requests["old"].pk)
    # Its day as the operator sees it (the export's days are in the operator's zone).
    a_month_ago = timezone.localtime(old.created_at, operator_time_zone(None)).date().isoformat()
    rows = read(post(operator_client, date_from=a_month_ago, date_to=a_month_ago))
    assert [r["reference"] for r in rows] == [day_of_requests["old"].reference]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date_to": "2026-01-01", "date_from": "2026-02-01"}, "must not be before"),
        ({"date_from": "2024-01-01", "date_to": "2026-01-01"}, "at most 400 days"),
        ({"date_from": "yesterday"}, "Enter a valid date"),
        ({"date_from": ""}, "This field is required"),
        ({"kind": "agents"}, "Select a valid choice"),
    ],
)
def test_a_bad_request_is_explained_and_nothing_is_recorded(operator_client, fields, message):
    response = post(operator_client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DataExport.objects.exists()


@pytest.mark.django_db
def test_agents_and_strangers_cannot_export(agent_client, client):
    assert agent_client.post(URL, {"kind": "referrals"}).status_code == 403
    assert agent_client.get(URL).status_code == 403
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.django_db
def test_the_page_lists_recent_exports_with_who_and_whether_details_were_in_them(
    admin_client, day_of_requests
):
    read(post(admin_client, with_contact_details="on"))
    page = admin_client.get(URL).content.decode()
    assert "ada.admin" in page and "Included" in page


@pytest.mark.django_db
def test_each_kind_of_export_has_a_radio_button_its_label_points_at(operator_client):
    page = operator_client.get(URL).content.decode()
    for n in range(3):
        assert f'id="id_kind_{n}"' in page and f'for="id_kind_{n}"' in page
    assert 'id="None"' not in page
