"""Every page's footer carries the CMS note of the tip sheets and, in USWDS's identifier, the
About, Accessibility statement, Privacy Policy and Terms of Use links (004's footer has the
last two), in English and in Spanish (issue 10, CMS wording; issue 12)."""

from collections.abc import Callable

import pytest
from django.test import Client

from agentmatch.testing import make_agent, make_agent_user, make_operator

LINK = '<a class="usa-identifier__required-link usa-link"'
FOOTER = {
    "en": [
        "This is a Centers for Medicare & Medicaid Services (CMS)-contracted service.",
        "AgentMatch referrals are not provided by CMS or the Marketplace",
        "do not constitute an endorsement by the Department of Health & Human Services or "
        "the U.S. Government of the individual agents or brokers.",
        "free for consumers and agents",
        f'{LINK} href="/about/">About AgentMatch</a>',
        f'{LINK} href="/accessibility/">Accessibility statement</a>',
        f'{LINK} href="/privacy/">Privacy Policy</a>',
        f'{LINK} href="/accounts/terms/service/">Terms of Use</a>',
    ],
    "es": [
        "Este es un servicio contratado por los Centros de Servicios de Medicare y Medicaid "
        "(CMS, por sus siglas en inglés).",
        "Los referidos de AgentMatch no son proporcionados por los CMS ni por el Mercado",
        "no constituyen un aval por parte del Departamento de Salud y Servicios Humanos o del "
        "Gobierno de Estados Unidos de los agentes o corredores individuales.",
        "gratuito para los consumidores y los agentes",
        f'{LINK} href="/about/">Acerca de AgentMatch</a>',
        f'{LINK} href="/accessibility/">Declaración de accesibilidad</a>',
        f'{LINK} href="/privacy/">Política de privacidad</a>',
        f'{LINK} href="/accounts/terms/service/">Condiciones de uso</a>',
    ],
}


def page_in(client: Client, path: str, language: str) -> str:
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def footer_of(html: str) -> str:
    return html[html.index("<footer") : html.index("</footer>")]


def log_in_agent(client: Client) -> None:
    client.force_login(make_agent_user(make_agent(zip_code="53703", licensed=["WI"])))


def log_in_operator(client: Client) -> None:
    client.force_login(make_operator())


# Who reads the page -> (how they get there, a page of theirs).
READERS: dict[str, tuple[Callable[[Client], None], str]] = {
    "consumer": (lambda client: None, "/"),
    "agent": (log_in_agent, "/workspace/"),
    "operator": (log_in_operator, "/ops/"),
}


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("reader", READERS)
def test_every_readers_page_carries_the_cms_note_and_the_identifiers_links(
    plan_year, client, reader, language
):
    log_in, path = READERS[reader]
    log_in(client)
    footer = footer_of(page_in(client, path, language))
    for text in FOOTER[language]:
        assert text in footer


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_privacy_policy_says_what_is_kept_and_why(db, client, language):
    html = page_in(client, "/privacy/", language)
    words = {
        "en": ["What we keep", "Why", "How long we keep it", "up to 10 years"],
        "es": ["Qué guardamos", "Para qué", "Cuánto tiempo lo guardamos", "hasta 10 años"],
    }
    for text in words[language]:
        assert text in html


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_terms_of_use_linked_from_the_footer_open_without_logging_in(db, client, language):
    html = page_in(client, "/accounts/terms/service/", language)
    assert {"en": "AgentMatch Terms of Use", "es": "Condiciones de uso de AgentMatch"}[
        language
    ] in html
