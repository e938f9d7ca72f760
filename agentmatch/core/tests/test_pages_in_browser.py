"""The site frame (header, language switch, footer) in a real browser."""

from agentmatch.browser_testing import assert_accessible, assert_spanish


def test_front_page_is_accessible_and_switches_to_spanish(page):
    page.goto("/")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert_accessible(page)

    page.get_by_role("button", name="Español").click()
    page.wait_for_load_state()
    assert_spanish(page)
    assert_accessible(page)


def test_phone_layout_opens_the_menu_with_the_keyboard(phone_page):
    page = phone_page
    page.goto("/")
    assert_accessible(page)
    assert not page.locator(".usa-nav").is_visible()
    page.locator(".usa-menu-btn").focus()
    page.keyboard.press("Enter")
    assert page.locator(".usa-nav").is_visible()
    # USWDS traps focus in the open menu and Escape closes it.
    page.keyboard.press("Escape")
    assert not page.locator(".usa-nav").is_visible()
