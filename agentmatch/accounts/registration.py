"""Sign-up from an invitation link, and completing registration with the CMS terms.

An agent's registration is complete (and referrals may be offered) only when the account
exists and both Terms of Use are accepted: the service's at sign-up, the CMS Agents and
Brokers terms at first login. `complete_registration_if_ready` is the one place that
sets Agent.service_registration_completed_at.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agentmatch.accounts.emails import send_account_email
from agentmatch.accounts.invitations import Invitation, use_invitation
from agentmatch.accounts.models import Role, TermsAcceptance, TermsDocument, User
from agentmatch.accounts.terms import accept_terms, accepted_all, current_version
from agentmatch.agents.contact import (
    ContactDetails,
    ContactError,
    clean_contact,
    wants_texts,
)
from agentmatch.agents.models import Agent
from agentmatch.eligibility.agent_facts import update_contact
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.notifications.messages import send_test_text
from agentmatch.notifications.rendering import agent_language
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year


class RegistrationError(ValueError):
    """Field errors, all at once, so the form can show each next to its field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class SignUp:
    cell_phone: str
    contact_method: str
    zip_code: str
    username: str
    password: str
    password_again: str
    accepts_terms: bool


def check_sign_up(*, agent: Agent, sign_up: SignUp) -> None:
    """Every problem with the form, by field; raises RegistrationError if any."""
    errors: dict[str, list[str]] = {}
    try:
        clean_contact(ContactDetails(sign_up.cell_phone, sign_up.contact_method, sign_up.zip_code))
    except ContactError as exc:
        errors.setdefault(exc.field, []).append(exc.message)
    username = sign_up.username.strip()
    if not username:
        errors.setdefault("username", []).append(_("Choose a username."))
    elif len(username) > 150:
        errors.setdefault("username", []).append(_("Use 150 characters or fewer."))
    elif User.objects.filter(username__iexact=username).exists():
        errors.setdefault("username", []).append(_("This username is taken; choose another."))
    probe = User(
        username=username,
        first_name=agent.first_name,
        last_name=agent.last_name,
        email=agent.email,
    )
    try:
        validate_password(sign_up.password, user=probe)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    if sign_up.password != sign_up.password_again:
        errors.setdefault("password_again", []).append(_("The two passwords do not match."))
    if not sign_up.accepts_terms:
        errors.setdefault("accepts_terms", []).append(
            _("You must read and agree to the Terms of Use to sign up.")
        )
    if errors:
        raise RegistrationError(errors)


def register_agent(*, invitation: Invitation, sign_up: SignUp, now: datetime) -> User:
    """Creates the account from a valid invitation. Call inside transaction.atomic()."""
    agent = invitation.agent
    check_sign_up(agent=agent, sign_up=sign_up)
    use_invitation(invitation=invitation, now=now)
    update_contact(
        agent=agent,
        details=ContactDetails(sign_up.cell_phone, sign_up.contact_method, sign_up.zip_code),
        now=now,
    )
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=sign_up.username.strip(),
                password=sign_up.password,
                email=agent.email,
                first_name=agent.first_name,
                last_name=agent.last_name,
                role=Role.AGENT,
                agent=agent,
            )
    except IntegrityError as exc:
        raise RegistrationError(
            {"username": [_("This username is taken; choose another.")]}
        ) from exc
    accept_terms(user=user, document=TermsDocument.SERVICE, now=now)
    # Queued in this transaction: they go out if and only if the account exists.
    send_account_email(
        to=agent.email,
        template="registration_confirmed",
        context={"agent": agent, "username": user.username},
        language=agent_language(agent),
        now=now,
        agent=agent,
        dedupe_key=f"registration_confirmed:{user.pk}",
    )
    if wants_texts(agent):
        send_test_text(agent=agent, now=now, event=f"test_text:{user.pk}")
    return user


def complete_registration_if_ready(*, user: User, now: datetime) -> bool:
    """Marks the agent's registration complete once both terms are accepted."""
    if user.agent is None or not accepted_all(user=user):
        return False
    agent = user.agent
    updated = Agent.objects.filter(
        pk=agent.pk, service_registration_completed_at__isnull=True
    ).update(service_registration_completed_at=now)
    if updated:
        agent.service_registration_completed_at = now
        try:
            plan_year = current_plan_year()
        except NoCurrentPlanYear:
            return True
        refresh_routing_states(agents=[agent], plan_year=plan_year, today=now.date())
        from agentmatch.referrals.services import offer_waiting_referrals

        offer_waiting_referrals(now=now, agent=agent)
    return True


def accept_cms_terms(*, user: User, now: datetime) -> None:
    accept_terms(user=user, document=TermsDocument.CMS, now=now)
    complete_registration_if_ready(user=user, now=now)


def register_in_bulk(*, agents: list[Agent], now: datetime) -> list[User]:
    """Accounts with both terms accepted for many agents at once (demo data, load tests).

    Passwords are unusable: these people log in after a password reset or with a
    password set by whoever loads them.
    """
    User.objects.bulk_create(
        [
            User(
                username=agent.email or f"npn{agent.npn}",
                email=agent.email,
                first_name=agent.first_name,
                last_name=agent.last_name,
                role=Role.AGENT,
                agent=agent,
                password="!",  # Django's marker for an unusable password
            )
            for agent in agents
        ]
    )
    # Re-read: bulk_create does not return primary keys on every database.
    users = list(User.objects.filter(agent__in=agents))
    TermsAcceptance.objects.bulk_create(
        [
            TermsAcceptance(
                user=user, document=document, version=current_version(document), accepted_at=now
            )
            for user in users
            for document in TermsDocument.values
        ],
        ignore_conflicts=True,
    )
    Agent.objects.filter(pk__in=[a.pk for a in agents]).update(
        service_registration_completed_at=now
    )
    for agent in agents:
        agent.service_registration_completed_at = now
    return users
