"""The password checklist shows every rule the server applies: besides the tip sheet's eight,
"not a common password" and "does not contain your username, name or email"."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from agentmatch.accounts.passwords import common_passwords_for_browser, is_common
from agentmatch.accounts.tests.helpers import invite_and_send, sent_mail, sign_up_form, token_from
from agentmatch.testing import make_agent

pytestmark = pytest.mark.django_db

# Both pass the tip sheet's eight rules.
COMMON = "P@ssw0rd"
WITH_NAME = "Quinn#7kPz!w"  # the agent's last name


@pytest.fixture
def sign_up_path(plan_year) -> str:  # type: ignore[no-untyped-def]
    make_agent(
        zip_code="53703",
        licensed=["WI"],
        first_name="Pat",
        last_name="Quinn",
        service_registered=False,
    )
    invite_and_send(timezone.now())
    return f"/accounts/register/{token_from(sent_mail()[0])}/"


def checklist_line(html: str, code: str) -> str:
    start = html.index(f'data-rule="{code}"')
    return html[html.rindex("<li", 0, start) : html.index("</li>", start)]


def test_the_browsers_common_password_file_is_djangos_list_for_8_to_20_characters() -> None:
    static = Path(settings.BASE_DIR) / "agentmatch/accounts/static/accounts/common-passwords.txt"
    assert static.read_text().splitlines() == common_passwords_for_browser()
    assert is_common(COMMON) and COMMON.lower() in common_passwords_for_browser()


@pytest.mark.parametrize(
    ("language", "common", "personal"),
    [
        ("en", "Is not a commonly used password", "Does not contain your username, name or email"),
        (
            "es",
            "No es una contraseña de uso común",
            "No contiene su nombre de usuario, nombre ni correo electrónico",
        ),
    ],
)
def test_the_sign_up_checklist_has_the_common_and_personal_lines_with_the_agents_words(
    sign_up_path: str, client: Client, language: str, common: str, personal: str
) -> None:
    html = client.get(sign_up_path, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert common in checklist_line(html, "common")
    assert personal in checklist_line(html, "personal")
    # The words the live check looks for: the MLMS name and email, plus the typed username.
    assert "&quot;quinn&quot;" in html and 'data-personal-inputs="id_username"' in html
    assert "common-passwords.txt" in html


@pytest.mark.parametrize(("password", "broken"), [(COMMON, "common"), (WITH_NAME, "personal")])
def test_a_refused_password_marks_its_line_broken_and_not_the_others(
    sign_up_path: str, client: Client, password: str, broken: str
) -> None:
    response = client.post(sign_up_path, sign_up_form(password=password, password_again=password))
    html = response.content.decode()
    assert "password-rule--broken" in checklist_line(html, broken)
    other = {"common": "personal", "personal": "common"}[broken]
    assert "usa-checklist__item--checked" in checklist_line(html, other)
    assert "usa-checklist__item--checked" in checklist_line(html, "length")


def test_the_username_typed_on_the_sign_up_form_counts_as_a_personal_word(
    sign_up_path: str, client: Client
) -> None:
    password = "Mx.Agent#7kPz"
    form = sign_up_form(username="mx.agent", password=password, password_again=password)
    html = client.post(sign_up_path, form).content.decode()
    assert "password-rule--broken" in checklist_line(html, "personal")
