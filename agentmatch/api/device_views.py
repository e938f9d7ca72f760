"""The agent app's login: username and password in, a per-device bearer token out."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from agentmatch.accounts import actions
from agentmatch.accounts.lockout import locked_out_json
from agentmatch.api.documentation import RETRY_AFTER, Refusal, documented, error_example
from agentmatch.api.schemas import ErrorOut, InputSchema
from agentmatch.core.json_errors import json_error

router = Router(tags=["agent app"])


class DeviceLoginIn(InputSchema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=4096)
    device_name: str = Field(
        default="Agent app",
        max_length=100,
        description="Shown to the agent in their list of devices, to revoke it by name",
    )


class DeviceTokenOut(Schema):
    token: str = Field(description="Secret: send as `Authorization: Bearer <token>`")
    expires_in_days: int = Field(description="Days the token works (see docs/api.md)")


# The example login: agentmatch/api/tests/test_openapi_client.py creates this account.
LOGIN_EXAMPLE = {
    "username": "rosa.martinez",
    "password": "Tr7#kPz!wQ2m",
    "device_name": "Rosa's phone",
}


@router.post(
    "/auth/token",
    response={201: DeviceTokenOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Log in from the agent app and get a token for this device",
    description=(
        "The username and password of the agent's AgentMatch account (the one of the "
        "web workspace). The token is shown once: "
        "store it in the device's secure storage. The agent sees and revokes their "
        "devices on their profile page."
    ),
    openapi_extra=documented(
        who="An agent with an account; limited per username and client address (django-axes).",
        effects=(
            "Issues a new device token (only its hash is stored) and records the login in "
            "the account's history."
        ),
        retry="Each call issues another token: retry only when no answer came.",
        body=LOGIN_EXAMPLE,
        status=201,
        answer={"token": "dvt_9b1f0c2e4d8a4f6bb1c3e5a7d9f0b2c4", "expires_in_days": 90},
        errors={
            401: Refusal(
                ("bad_credentials",),
                "`bad_credentials`: wrong username or password, or not an agent account",
                error_example(
                    None,
                    "bad_credentials",
                    "Wrong username or password, or not an agent account.",
                ),
            ),
            422: Refusal(
                ("control_characters",),
                "`control_characters`: in `username` or `device_name` (the field is named)",
                error_example(
                    "device_name",
                    "control_characters",
                    "The device name cannot contain control characters.",
                ),
            ),
            429: Refusal(
                ("locked_out",),
                "`locked_out`: too many wrong passwords for this username from this "
                "address, or from this address altogether; Retry-After says when to try again",
                error_example(
                    None,
                    "locked_out",
                    "Too many failed attempts: logging in is locked for a while. Try again later.",
                ),
                RETRY_AFTER,
            ),
        },
    ),
)
def device_login(request: HttpRequest, payload: DeviceLoginIn) -> Status | HttpResponse:
    try:
        issued = actions.log_in_device(
            request=request,
            username=payload.username,
            password=payload.password,
            device_name=payload.device_name,
            now=timezone.now(),
        )
    except actions.LockedOut as exc:
        return locked_out_json(retry_after=exc.retry_after)
    except actions.AccountError as exc:
        status = 401 if exc.code == "bad_credentials" else 422
        return json_error(status, exc.code, exc.message, exc.field)
    return Status(201, {"token": issued.token, "expires_in_days": issued.expires_in_days})
