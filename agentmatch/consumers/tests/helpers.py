from typing import Any

from django.test import Client

GOOD: dict[str, str] = {
    "first_name": "Ana",
    "last_name": "Diaz",
    "phone": "(608) 555-0199",
    "email": "ana@example.com",
    "zip": "53703",
    "language": "es",
    "consent": "yes",
    "website": "",
}


def submit(client: Client, *, language: str = "", **changes: Any):  # type: ignore[no-untyped-def]
    """Posts the form with `changes` (None leaves a field out); `language`: the browser's."""
    data = {**GOOD, **changes}
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    return client.post("/", {k: v for k, v in data.items() if v is not None}, **headers)
