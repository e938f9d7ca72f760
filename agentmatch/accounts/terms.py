"""Terms of Use acceptance: both documents are needed before any referral is offered."""

from datetime import datetime

from django.conf import settings

from agentmatch.accounts.models import TermsAcceptance, TermsDocument, User


def current_version(document: str) -> str:
    return settings.TERMS_VERSIONS[document]


def has_accepted(*, user: User, document: str) -> bool:
    return TermsAcceptance.objects.filter(
        user=user, document=document, version=current_version(document)
    ).exists()


def accept_terms(*, user: User, document: str, now: datetime) -> TermsAcceptance:
    acceptance, _ = TermsAcceptance.objects.get_or_create(
        user=user,
        document=document,
        version=current_version(document),
        defaults={"accepted_at": now},
    )
    return acceptance


def accepted_all(*, user: User) -> bool:
    return all(has_accepted(user=user, document=d) for d in TermsDocument.values)
