"""Builders for tests and demo data: named personas with everything routing needs.

`make_agent(...)` creates an agent who, unless told otherwise, is eligible everywhere they
are licensed (RCL valid, trained, health license, registered with us) and switched on.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.utils import timezone

from agentmatch.agents.models import Agent, AvailabilitySwitch, DisplayOption
from agentmatch.agents.profile import ProfileData
from agentmatch.agents.services import set_deselected_states
from agentmatch.core.phones import display_phone
from agentmatch.eligibility.agent_facts import save_profile, set_availability
from agentmatch.eligibility.models import RegistrationCompletion, TrainingCompletion
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.licensing.loa import is_health_line
from agentmatch.licensing.models import License, LineOfAuthority
from agentmatch.planyears.models import PlanYear
from agentmatch.planyears.services import STATES_SERVED_2026, define_plan_year

_counter = iter(range(10_000_000, 99_999_999))


def plan_year_2026() -> PlanYear:
    return define_plan_year(year=2026, states=STATES_SERVED_2026, make_current=True)


def give_license(
    agent: Agent,
    state: str,
    *,
    lines: Iterable[str] = ("Accident & Health",),
    active: bool = True,
    expires_on: date | None = None,
    resident: bool = False,
) -> License:
    lic, _ = License.objects.update_or_create(
        npn_key=agent.npn_key,
        state=state,
        defaults={
            "license_number": f"{state}{agent.npn}",
            "is_active": active,
            "is_resident": resident,
            "expires_on": expires_on or date.today() + timedelta(days=700),
        },
    )
    for name in lines:
        LineOfAuthority.objects.update_or_create(
            license=lic,
            name=name,
            defaults={"is_active": True, "is_health": is_health_line(name)},
        )
    return lic


def make_agent(
    *,
    zip_code: str,
    licensed: Iterable[str] = (),
    languages: Iterable[str] = ("en",),
    npn: str | None = None,
    first_name: str = "Alex",
    last_name: str = "Agent",
    display_option: int = DisplayOption.ALL_STATES,
    home_state: str = "",
    registered: bool = True,
    rcl_valid: bool = True,
    trained: bool = True,
    service_registered: bool = True,
    deselected: Iterable[str] = (),
    switch: str = AvailabilitySwitch.ON,
    contact_method: str | None = None,
    plan_year: int = 2026,
    now: datetime | None = None,
) -> Agent:
    now = now or timezone.now()
    npn = npn or str(next(_counter))
    agent = save_profile(
        data=ProfileData(
            npn=npn,
            first_name=first_name,
            last_name=last_name,
            email=f"agent{npn}@example.com",
            cell_phone=f"+1608555{int(npn) % 10000:04d}",
            business_zip=zip_code,
            home_state=home_state,
            languages=tuple(languages),
            display_option=display_option,
            contact_method=contact_method,
        ),
        now=now,
    ).agent
    licensed = list(licensed)
    for state in licensed:
        give_license(agent, state, resident=state == agent.home_state)
    if registered:
        RegistrationCompletion.objects.update_or_create(
            plan_year=plan_year,
            npn_key=agent.npn_key,
            defaults={"npn_valid": rcl_valid, "individual_completed_on": date(plan_year - 1, 9, 1)},
        )
    if trained:
        TrainingCompletion.objects.update_or_create(
            plan_year=plan_year,
            npn_key=agent.npn_key,
            defaults={"completed_on": date(plan_year - 1, 9, 15)},
        )
    if service_registered:
        Agent.objects.filter(pk=agent.pk).update(service_registration_completed_at=now)
        agent.service_registration_completed_at = now
    set_deselected_states(agent=agent, states=deselected)
    refresh_routing_states(
        agents=[agent], plan_year=PlanYear.objects.get(year=plan_year), today=now.date()
    )
    set_availability(agent=agent, switch=switch, now=now)
    return agent


def api_token_for(agent: Agent) -> str:
    """A device token for the agent's account (created, with both terms, if missing)."""
    from agentmatch.accounts.devices import issue_device_token
    from agentmatch.accounts.models import User

    user = User.objects.filter(agent=agent).first() or make_agent_user(agent)
    return issue_device_token(user=user, name="Test device", now=timezone.now())


def make_referral(
    *,
    zip_code: str = "53703",
    language: str = "en",
    first_name: str = "Ana",
    last_name: str = "Consumer",
    phone: str | None = None,
    now: datetime | None = None,
):  # type: ignore[no-untyped-def]
    """A consumer's request, created and routed the way the API does it.

    The phone is 608-555-0100, or the next number up that has no open request (a phone
    has one open request at a time)."""
    from django.db import transaction

    from agentmatch.planyears.services import current_plan_year, served_states
    from agentmatch.referrals.intake import validate_contact_request
    from agentmatch.referrals.models import OPEN_STATUSES, Referral
    from agentmatch.referrals.services import create_referral

    if phone is None:
        taken = set(
            Referral.objects.filter(status__in=OPEN_STATUSES).values_list("phone", flat=True)
        )
        phone = next(p for n in range(100, 10_000) if (p := f"+1608555{n:04d}") not in taken)

    plan_year = current_plan_year()
    request = validate_contact_request(
        plan_year=plan_year,
        served_states=served_states(plan_year),
        first_name=first_name,
        last_name=last_name,
        phone=phone,
        email="consumer@example.com",
        zip_code=zip_code,
        language=language,
        consent=True,
    )
    with transaction.atomic():
        referral, _token = create_referral(
            request=request, plan_year=plan_year.year, now=now or timezone.now()
        )
    return referral


def phone_forms(phone: str) -> list[str]:
    """Every way a page or a log line could spell a consumer's number (`+16085550100`).

    Tests that check a number is hidden look for these, not for a short piece such as
    "608": three digits turn up by chance in a timestamp's microseconds or an id."""
    digits = phone.removeprefix("+1")
    area, exchange, line = digits[:3], digits[3:6], digits[6:]
    return [
        phone,
        digits,
        display_phone(phone),  # as the pages write it: (608) 555-0100
        f"{area}-{exchange}-{line}",
        f"{area}.{exchange}.{line}",
        f"{exchange}-{line}",
    ]


AGENT_PASSWORD = "Tr7#kPz!wQ2m"


def make_agent_user(
    agent: Agent | None = None,
    *,
    username: str | None = None,
    password: str = AGENT_PASSWORD,
    accepted: Iterable[str] = ("service", "cms"),
    now: datetime | None = None,
    **agent_options,  # type: ignore[no-untyped-def]
):  # type: ignore[no-untyped-def]
    """An agent with an account who accepted the given Terms of Use (both by default)."""
    from agentmatch.accounts.models import Role, User
    from agentmatch.accounts.registration import complete_registration_if_ready
    from agentmatch.accounts.terms import accept_terms

    now = now or timezone.now()
    if agent is None:
        agent_options.setdefault("service_registered", False)
        agent = make_agent(
            zip_code=agent_options.pop("zip_code", "53703"), now=now, **agent_options
        )
    user = User.objects.create_user(
        username=username or f"agent{agent.npn}",
        password=password,
        email=agent.email,
        first_name=agent.first_name,
        last_name=agent.last_name,
        role=Role.AGENT,
        agent=agent,
    )
    for document in accepted:
        accept_terms(user=user, document=document, now=now)
    complete_registration_if_ready(user=user, now=now)
    agent.refresh_from_db()
    return user


def make_operator(*, username: str = "olivia.operator", role: str = "operator"):  # type: ignore[no-untyped-def]
    from agentmatch.accounts.models import User

    return User.objects.create_user(
        username=username, password=AGENT_PASSWORD, email=f"{username}@example.com", role=role
    )


def make_partner(*, name: str = "Badger Agency", prefix: str = "badger", details: bool = False):  # type: ignore[no-untyped-def]
    """A partner with an API key (its secret unknown: the tests that need it make a real
    one with partners.keys); `details`: allowed consumers' details in webhooks."""
    from agentmatch.partners.models import PartnerKey

    return PartnerKey.objects.create(
        name=name,
        prefix=prefix,
        secret_hash="0" * 64,
        requests_per_hour=100,
        created_at=timezone.now(),
        may_receive_consumer_details=details,
    )


def render_outbox() -> None:
    """Gives every outbox message its words, as the delivery worker does before sending."""
    from agentmatch.notifications.models import Message
    from agentmatch.notifications.rendering import needs_rendering, render_message

    for message in Message.objects.filter(status="pending").order_by("pk"):
        if needs_rendering(message):
            message.save(update_fields=render_message(message))


def at_the_same_moment(count: int, target):  # type: ignore[no-untyped-def]
    """Runs target(i) for i in range(count) in threads released together, each with its
    own database connection; returns each result, or the exception it raised."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(count)
    results: list = [None] * count

    def runner(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = target(i)
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
