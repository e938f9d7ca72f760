from agentmatch.referrals.actions.requests import RequestFields


def request_fields(phone: str) -> RequestFields:
    """A good request from a Madison, WI ZIP for `phone`, as the consumer sent it."""
    return RequestFields(
        first_name="Ana",
        last_name="Diaz",
        phone=phone,
        email="",
        zip_code="53703",
        language="en",
        consent=True,
    )
