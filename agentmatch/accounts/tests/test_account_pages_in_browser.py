"""Registration, Terms of Use, login and recovery pages in a real browser, in both languages.

`page` is an English desktop browser, `phone_page` a Spanish phone; every page visited gets
check_page (axe-core, and no English left on the Spanish pages).
"""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from agentmatch.accounts.passwords import RULES, broken_rules
from agentmatch.accounts.tests.helpers import invite_and_send, sent_mail, token_from
from agentmatch.agents.models import Agent
from agentmatch.browser_testing import check_page
from agentmatch.testing import AGENT_PASSWORD, make_agent, make_agent_user

pytestmark = pytest.mark.django_db(transaction=True)

# Breaks six rules at once: a space, no digit, no upper case, no special character,
# "aaaa" (four repeated) and "bcde" (four in sequence). Long enough and has lower case.
BAD_PASSWORD = "aaaa bcde"
GOOD_PASSWORD = AGENT_PASSWORD


def invitation_path(npn: str) -> str:
    make_agent(
        zip_code="53703",
        licensed=["WI"],
        first_name="Pat",
        last_name="Quinn",
        npn=npn,
        service_registered=False,
    )
    invite_and_send(timezone.now())
    path = f"/accounts/register/{token_from(sent_mail()[-1])}/"
    mail.outbox.clear()
    return path


def forgive_status(page, status: int) -> None:  # type: ignore[no-untyped-def]
    """The browser logs an error for a page answered with this (intended) HTTP status."""
    page.problems[:] = [p for p in page.problems if f"status of {status}" not in p]


def fill_sign_up(page, *, username: str, password: str, again: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#id_cell_phone").fill("(608) 555-0142")
    page.locator("#id_zip_code").fill("53703")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("#id_password_again").fill(again)


def submit(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()


def assert_each_broken_rule_is_shown(page, password: str) -> None:  # type: ignore[no-untyped-def]
    broken = broken_rules(password)
    assert len(broken) == 6
    field = page.locator("#id_password")
    expect(field).to_have_attribute("aria-invalid", "true")
    described = (field.get_attribute("aria-describedby") or "").split()
    assert "id_password_error" in described and "password-checklist" in described
    error = page.locator("#id_password_error")
    for rule in RULES:
        item = page.locator(f"#password-checklist li[data-rule={rule.code}]")
        if rule in broken:
            # The rule's own words (in the page's language) in the field's error...
            words = item.evaluate("li => li.firstChild.textContent.trim()")
            expect(error).to_contain_text(words)
            # ...and the checklist marks it broken, not only the live script.
            expect(item).to_have_class(re.compile("password-rule--broken"))
        else:
            expect(item).to_have_class(re.compile("usa-checklist__item--checked"))
    # The summary at the top links to the field.
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_password']").first).to_be_visible()
    expect(summary).to_be_focused()


def test_registration_shows_each_broken_rule_then_completes_with_both_terms(page, plan_year):
    path = invitation_path("0012345")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Get started by creating a profile")
    check_page(page)

    # The live checklist follows the typing (password-rules.js) ...
    page.locator("#id_password").fill("Ab1!")
    expect(page.locator("li[data-rule=number]")).to_have_class(re.compile("checked"))
    expect(page.locator("li[data-rule=length]")).to_have_class(re.compile("broken"))

    # ... and the server names every broken rule after the submit.
    fill_sign_up(page, username="pat.agent", password=BAD_PASSWORD, again=BAD_PASSWORD)
    submit(page)
    assert_each_broken_rule_is_shown(page, BAD_PASSWORD)
    for words in ("Does not contain spaces", "Contains at least one number"):
        expect(page.locator("#id_password_error")).to_contain_text(words)
    # The service Terms of Use were not ticked either: tied to their checkbox.
    expect(page.locator("#id_accepts_terms")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_accepts_terms_error")).to_be_visible()
    check_page(page)

    fill_sign_up(page, username="pat.agent", password=GOOD_PASSWORD, again=GOOD_PASSWORD)
    page.locator("label[for=id_accepts_terms]").click()
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/register/done/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Your registration is almost complete!"
    )
    check_page(page)

    # Signed in by the sign-up: Continue leads to the CMS Agents and Brokers Terms of Use.
    page.locator("#continue").click()
    expect(page).to_have_url(re.compile(r"/accounts/terms/$"))
    check_page(page)
    page.get_by_role("button", name="Accept").click()  # without the box: asked again
    expect(page.locator("#agree")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#error-summary")).to_be_focused()
    check_page(page)
    page.locator("label[for=agree]").click()
    page.get_by_role("button", name="Accept").click()
    page.wait_for_load_state()
    agent = Agent.objects.get(npn="0012345")
    assert agent.service_registration_completed_at is not None


@pytest.mark.parametrize(
    ("language", "common_words"),
    [("en", "Is not a commonly used password"), ("es", "No es una contraseña de uso común")],
)
def test_the_checklist_shows_common_passwords_and_personal_words_live(
    page, phone_page, plan_year, language, common_words
):
    browser_page = page if language == "en" else phone_page
    browser_page.goto(invitation_path("0012347"))
    common = browser_page.locator("li[data-rule=common]")
    personal = browser_page.locator("li[data-rule=personal]")
    expect(common).to_contain_text(common_words)
    password = browser_page.locator("#id_password")
    # Passes the tip sheet's eight rules, yet Django's common-password list has it.
    password.fill("P@ssw0rd")
    expect(common).to_have_class(re.compile("password-rule--broken"))
    expect(personal).to_have_class(re.compile("checked"))
    expect(browser_page.locator("li[data-rule=sequential]")).to_have_class(re.compile("checked"))
    # The agent's last name (from MLMS, on the page).
    password.fill("Quinn#7kPz!w")
    expect(personal).to_have_class(re.compile("password-rule--broken"))
    expect(common).to_have_class(re.compile("checked"))
    # The username as it is typed.
    password.fill("Zed.agent#7k")
    expect(personal).to_have_class(re.compile("checked"))
    browser_page.locator("#id_username").fill("zed.agent")
    expect(personal).to_have_class(re.compile("password-rule--broken"))
    check_page(browser_page, language=language)


def test_spanish_registration_on_a_phone_names_the_broken_rules(phone_page, plan_year):
    page = phone_page
    page.goto(invitation_path("0012346"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Comience creando un perfil")
    check_page(page, language="es")
    fill_sign_up(page, username="pat.agente", password=BAD_PASSWORD, again="otra")
    submit(page)
    assert_each_broken_rule_is_shown(page, BAD_PASSWORD)
    expect(page.locator("#id_password_again_error")).to_be_visible()
    check_page(page, language="es")

    fill_sign_up(page, username="pat.agente", password=GOOD_PASSWORD, again=GOOD_PASSWORD)
    page.locator("label[for=id_accepts_terms]").click()
    submit(page)
    expect(page).to_have_url(re.compile(r"/accounts/register/done/$"))
    check_page(page, language="es")


def test_terms_pages_and_declining(page, phone_page, plan_year):
    user = make_agent_user(
        make_agent(zip_code="53703", licensed=["WI"], service_registered=False),
        username="dana.agent",
        accepted=("service",),
    )
    for browser_page, language in ((page, "en"), (phone_page, "es")):
        for document in ("service", "cms"):
            browser_page.goto(f"/accounts/terms/{document}/")
            check_page(browser_page, language=language)
        log_in_with_form(browser_page, user.username)
        expect(browser_page).to_have_url(re.compile(r"/accounts/terms/$"))
        check_page(browser_page, language=language)
        browser_page.locator("button[value=decline]").click()
        browser_page.wait_for_load_state()
        expect(browser_page.get_by_role("heading", level=1)).to_have_text(
            "Your registration is incomplete" if language == "en" else "Su registro está incompleto"
        )
        check_page(browser_page, language=language)


def log_in_with_form(page, username: str, password: str = AGENT_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    submit(page)


@pytest.mark.parametrize("language", ["en", "es"])
def test_login_and_recovery_pages(page, phone_page, plan_year, language):
    browser_page = page if language == "en" else phone_page
    user = make_agent_user(make_agent(zip_code="53703", licensed=["WI"]), username="lee.agent")

    browser_page.goto("/accounts/login/")
    check_page(browser_page, language=language)
    # A wrong password: the error summary says so and takes the focus.
    browser_page.locator("#id_username").fill(user.username)
    browser_page.locator("#id_password").fill("Wrong#Pass9")
    submit(browser_page)
    expect(browser_page.locator("#error-summary")).to_be_focused()
    check_page(browser_page, language=language)

    # Remember my username: a checkbox reachable by keyboard, with the shared-computer hint.
    remember = browser_page.locator("#id_remember_username")
    expect(remember).to_have_attribute("aria-describedby", "id_remember_username_helptext")
    remember.focus()
    browser_page.keyboard.press("Space")
    expect(remember).to_be_checked()

    browser_page.goto("/accounts/forgot-username/")
    check_page(browser_page, language=language)
    submit(browser_page)  # empty: the field says what is missing
    expect(browser_page.locator("#id_email")).to_have_attribute("aria-invalid", "true")
    check_page(browser_page, language=language)
    browser_page.locator("#id_email").fill(user.email)
    submit(browser_page)
    check_page(browser_page, language=language)

    browser_page.goto("/accounts/forgot-password/")
    check_page(browser_page, language=language)
    browser_page.locator("#id_username_or_email").fill(user.username)
    submit(browser_page)
    check_page(browser_page, language=language)
    reset_path = "/accounts/reset/" + token_from(sent_mail()[-1]) + "/"

    browser_page.goto(reset_path)
    check_page(browser_page, language=language)
    browser_page.locator("#id_password").fill(BAD_PASSWORD)
    browser_page.locator("#id_password_again").fill(BAD_PASSWORD)
    submit(browser_page)
    assert_each_broken_rule_is_shown(browser_page, BAD_PASSWORD)
    check_page(browser_page, language=language)
    browser_page.locator("#id_password").fill("New#Pass7wq")
    browser_page.locator("#id_password_again").fill("New#Pass7wq")
    submit(browser_page)
    expect(browser_page).to_have_url(re.compile(r"/accounts/login/$"))
    check_page(browser_page, language=language)

    # The used link explains itself.
    browser_page.goto(reset_path)
    forgive_status(browser_page, 410)
    check_page(browser_page, language=language)

    # Logged in with the new password, the agent changes it again from the profile.
    browser_page.goto("/accounts/login/")
    browser_page.locator("#id_username").fill(user.username)
    browser_page.locator("#id_password").fill("New#Pass7wq")
    submit(browser_page)
    browser_page.goto("/accounts/profile/")
    browser_page.locator("a[href='/accounts/password/']").click()
    browser_page.wait_for_load_state()
    check_page(browser_page, language=language)
    browser_page.locator("#id_current_password").fill("New#Pass7wq")
    browser_page.locator("#id_password").fill(BAD_PASSWORD)
    browser_page.locator("#id_password_again").fill(BAD_PASSWORD)
    submit(browser_page)
    assert_each_broken_rule_is_shown(browser_page, BAD_PASSWORD)
    check_page(browser_page, language=language)
    browser_page.locator("#id_current_password").fill("New#Pass7wq")
    browser_page.locator("#id_password").fill("Next#Pass8wq")
    browser_page.locator("#id_password_again").fill("Next#Pass8wq")
    submit(browser_page)
    expect(browser_page.locator(".usa-alert--success")).to_be_visible()
    check_page(browser_page, language=language)


@pytest.mark.parametrize("language", ["en", "es"])
def test_link_problem_fresh_link_and_lockout_pages(page, phone_page, plan_year, language):
    browser_page = page if language == "en" else phone_page
    browser_page.goto("/accounts/register/not-a-real-token/")
    forgive_status(browser_page, 404)
    check_page(browser_page, language=language)
    browser_page.locator("main form button[type=submit]").click()
    browser_page.wait_for_load_state()
    expect(browser_page).to_have_url(re.compile(r"/accounts/register/fresh-link/$"))
    check_page(browser_page, language=language)

    user = make_agent_user(make_agent(zip_code="53703", licensed=["WI"]), username="max.agent")
    for _attempt in range(5):
        log_in_with_form(browser_page, user.username, "Wrong#Pass9")
    expect(browser_page.locator("h1")).to_have_text(
        "Too many attempts" if language == "en" else "Demasiados intentos"
    )
    forgive_status(browser_page, 429)
    check_page(browser_page, language=language)
