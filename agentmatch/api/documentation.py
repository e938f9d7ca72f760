"""What each operation tells a client author, in one shape: who may call it, its side
effects, whether a retry is safe, an example body and answer, and per error status the
`code` values it can answer (`x-error-codes`) with an example.

`documented(...)` builds an operation's `openapi_extra`; `agentmatch.api.openapi` turns the
who/effects/retry notes into the description's closing paragraphs and adds the statuses
every operation shares. agentmatch/api/tests/test_openapi_quality.py fails when an
operation lacks any of it.
"""

from dataclasses import dataclass
from typing import Any

JSON = "application/json"


def error_example(field: str | None, code: str, message: str) -> dict[str, Any]:
    return {"error": {"field": field, "code": code, "message": message}}


@dataclass(frozen=True)
class Refusal:
    """One error status of an operation: the codes it answers, what they mean, an example."""

    codes: tuple[str, ...]
    description: str
    example: dict[str, Any] | None = None
    headers: dict[str, Any] | None = None

    def response(self) -> dict[str, Any]:
        example = self.example or error_example(None, self.codes[0], self.description)
        answer: dict[str, Any] = {
            "description": self.description,
            "x-error-codes": list(self.codes),
            "content": {JSON: {"example": example}},
        }
        if self.headers:
            answer["headers"] = self.headers
        return answer


RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 0},
    }
}


def documented(
    *,
    who: str,
    effects: str,
    retry: str,
    body: Any = None,
    bodies: dict[str, Any] | None = None,
    answer: Any = None,
    status: int = 200,
    errors: dict[int, Refusal] | None = None,
) -> dict[str, Any]:
    """An operation's `openapi_extra`.

    who: who may call it; effects: what it changes ("None." for a read); retry: whether
    repeating the same request is safe and what it then does; body or bodies (by name): an
    example request body; answer: an example answer of `status`; errors: per status.
    """
    extra: dict[str, Any] = {"x-who": who, "x-side-effects": effects, "x-retry": retry}
    if body is not None:
        extra["requestBody"] = {"content": {JSON: {"example": body}}}
    if bodies is not None:
        named = {name: {"value": value} for name, value in bodies.items()}
        extra["requestBody"] = {"content": {JSON: {"examples": named}}}
    responses: dict[int, Any] = {}
    if answer is not None:
        responses[status] = {"content": {JSON: {"example": answer}}}
    for error_status, refusal in (errors or {}).items():
        responses[error_status] = refusal.response()
    if responses:
        extra["responses"] = responses
    return extra


AGENT = "An agent, with a device token of theirs (`Authorization: Bearer`, POST /auth/token)."
ANYONE = "Anyone; limited per client address (429 with Retry-After)."
READ_ONLY = "None: it reads."
SAFE = "Safe to repeat: it changes nothing."
