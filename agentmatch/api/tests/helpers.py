from typing import Any

from django.test import Client

# A good "Get Contacted" request for POST /api/v1/referrals (a Madison, WI ZIP).
REQUEST: dict[str, Any] = {
    "first_name": "Ana",
    "last_name": "Diaz",
    "phone": "(608) 555-0199",
    "email": "ana@example.com",
    "zip": "53703",
    "language": "es",
    "consent": True,
}


def post_referral(client: Client, body: dict[str, Any], **headers: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/referrals", body, content_type="application/json", **headers)
