from typing import Any

from django.test import Client

from agentmatch.api.referral_views import INTAKE_EXAMPLE

# A good "Get Contacted" request for POST /api/v1/referrals (a Madison, WI ZIP): the
# OpenAPI document's intake example, so the tests send the request integrators read.
REQUEST: dict[str, Any] = dict(INTAKE_EXAMPLE)


def post_referral(client: Client, body: dict[str, Any], **headers: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/referrals", body, content_type="application/json", **headers)
