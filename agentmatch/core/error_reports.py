"""Error reports to Sentry (or a service speaking its protocol), only when SENTRY_DSN is set.

Nothing a log line may not hold leaves in a report either: no default PII (client
addresses, cookies, user details), no request bodies, no local variables of stack frames
(they hold phones and tokens), and `scrub_event` runs the log redaction
(core/logging.redact) over every string of the event and its breadcrumbs, with the value
of any field named like a secret (token, key, password, Authorization, Cookie...)
replaced whole. Performance tracing stays off.
"""

from typing import TYPE_CHECKING, Any, cast

from agentmatch.core.logging import REDACTED, is_secret_name, redact

if TYPE_CHECKING:  # the SDK itself is imported only when a DSN is set
    from sentry_sdk.types import Breadcrumb, BreadcrumbHint, Event, Hint


def init(dsn: str, *, environment: str, **options: Any) -> bool:
    """Starts the SDK (from settings.py) if `dsn` is set; returns whether it did.
    `options` go to sentry_sdk.init as they are (tests give a transport that keeps events)."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration()],
        # send_default_pii is left at its default, False (sentry-sdk 2.75 deprecates the
        # option itself in favour of data_collection, whose default follows it).
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        **options,
    )
    return True


def scrub(value: Any) -> Any:
    """`value` (an event or any part of one) with every string redacted and the values of
    secret-named fields cut."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {
            key: REDACTED if isinstance(key, str) and is_secret_name(key) else scrub(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        # Headers come as [name, value] pairs too.
        if len(value) == 2 and isinstance(value[0], str) and is_secret_name(value[0]):
            return [value[0], REDACTED]
        return [scrub(item) for item in value]
    return value


def scrub_event(event: "Event", hint: "Hint") -> "Event":
    """Sentry's before_send: the event as it may leave. The request's body and cookies are
    dropped outright (a consumer's form holds their phone and name)."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("data", None)
        request.pop("cookies", None)
    return cast("Event", scrub(event))


def scrub_breadcrumb(crumb: "Breadcrumb", hint: "BreadcrumbHint") -> "Breadcrumb":
    """Sentry's before_breadcrumb: log messages become breadcrumbs before our log filter
    runs, so they are redacted here."""
    return cast("Breadcrumb", scrub(crumb))
