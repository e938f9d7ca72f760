"""The countdown tag on an offer stays on one line on a phone, in Spanish too ("Quedan
14:59" used to break between its two words at phone width)."""

import re

import pytest
from playwright.sync_api import expect

from agentmatch.browser_testing import log_in
from agentmatch.testing import make_agent, make_agent_user, make_referral

pytestmark = pytest.mark.django_db(transaction=True)

# The number of lines the tag's text is laid out on: one rectangle per line box.
LINES_OF_TEXT = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}"""


@pytest.mark.parametrize("width", [320, 360, 390])
def test_the_spanish_countdown_tag_stays_on_one_line_on_a_phone(
    phone_page, live_server, plan_year, width
):
    agent = make_agent(zip_code="53711", licensed=["WI"], languages=["en", "es"])
    make_referral(language="es")
    log_in(phone_page, live_server, make_agent_user(agent))
    phone_page.set_viewport_size({"width": width, "height": 844})
    phone_page.goto("/workspace/")
    timer = phone_page.locator("[role=timer]")
    expect(timer).to_have_text(re.compile(r"^Quedan 1[45]:\d\d$"))
    assert timer.evaluate(LINES_OF_TEXT) == 1
