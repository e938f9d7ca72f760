"""One-tap Accept/Reject pages in a real browser: confirm, answer, problem; both languages.

(Written by h4 for agentmatch/notifications/tests/; the lead places it.)
"""

import re

import pytest
from playwright.sync_api import expect

from agentmatch.browser_testing import check_page
from agentmatch.referrals.links import ACCEPT, REJECT, make_token
from agentmatch.referrals.models import Offer, OfferStatus
from agentmatch.testing import make_agent, make_referral

pytestmark = pytest.mark.django_db(transaction=True)


def forgive_status(page, status: int) -> None:  # type: ignore[no-untyped-def]
    page.problems[:] = [p for p in page.problems if f"status of {status}" not in p]


@pytest.mark.parametrize(("language", "spoken"), [("en", ("en",)), ("es", ("es",))])
def test_accept_and_reject_links(page, plan_year, language, spoken):
    # The pages speak the agent's language (a Spanish-only agent gets Spanish).
    agent = make_agent(zip_code="53703", licensed=["WI"], languages=spoken)
    make_referral(zip_code="53703", language=spoken[0])
    offer = Offer.objects.get(agent=agent, status=OfferStatus.PENDING)

    page.goto(f"/n/o/{make_token(offer=offer, action=ACCEPT)}/")
    check_page(page, language=language)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main a[href^='tel:']").first).to_be_visible()
    check_page(page, language=language)

    # The reject link of an offer already accepted explains itself.
    page.goto(f"/n/o/{make_token(offer=offer, action=REJECT)}/")
    forgive_status(page, 409)
    check_page(page, language=language)

    other = make_agent(zip_code="53703", licensed=["WI"], languages=spoken)
    make_referral(zip_code="53703", language=spoken[0], first_name="Eva")
    second = Offer.objects.get(agent=other, status=OfferStatus.PENDING)
    page.goto(f"/n/o/{make_token(offer=second, action=REJECT)}/")
    check_page(page, language=language)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    expect(page).to_have_url(re.compile(r"/n/o/"))
    check_page(page, language=language)
