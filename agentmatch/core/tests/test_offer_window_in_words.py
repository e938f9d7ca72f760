"""The pages that tell people how long an agent has to answer say the deployment's window:
Help On Demand's 15 minutes by default, "up to" it when windows shorten at busy times."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_the_about_page_says_the_offer_window(settings):
    page = Client().get("/about/").content.decode()
    assert "That agent has 15 minutes to accept." in page
    settings.OFFER_WINDOW_SECONDS = 600
    assert "That agent has 10 minutes to accept." in Client().get("/about/").content.decode()


@pytest.mark.django_db
def test_with_the_adaptive_window_the_pages_say_up_to_it_in_both_languages(settings):
    settings.ROUTING_ADAPTIVE_WINDOW = True
    english = Client().get("/about/").content.decode()
    assert "That agent has up to 15 minutes to accept (less when many people" in english
    spanish = Client().get("/about/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Ese agente tiene hasta 15 minutos para aceptar" in spanish


@pytest.mark.django_db
def test_a_window_of_seven_and_a_half_minutes_reads_with_the_pages_decimal_mark(settings):
    settings.OFFER_WINDOW_SECONDS = 450
    assert "has 7.5 minutes" in Client().get("/about/").content.decode()
    spanish = Client().get("/about/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "tiene 7,5 minutos" in spanish
