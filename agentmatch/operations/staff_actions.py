"""What an administrator does to support staff's logins (/ops/staff/), one action each.

Each action opens its own durable transaction, locks every staff row in one order
(accounts.staff_accounts.lock_staff), checks its rules on those rows as they now are,
makes the change through accounts' steps and writes its ControlChange row. The rules that
keep someone able to manage the service hold under the lock: the acting administrator
must still be an active administrator, cannot deactivate or demote themselves, and the
last active administrator is never deactivated or demoted. Agents' accounts are never
touched here. StaffAccountError leaves nothing half-written.
"""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from agentmatch.accounts import staff_accounts
from agentmatch.accounts.models import Role, User
from agentmatch.accounts.staff_accounts import StaffAccountError
from agentmatch.operations.models import ControlChange, ControlKind


def _audit(*, operator: User, kind: str, subject: User, detail: dict[str, Any], now: datetime):  # type: ignore[no-untyped-def]
    ControlChange.objects.create(
        operator=operator, kind=kind, subject=subject.username[:200], detail=detail, at=now
    )


def _locked(*, operator: User, user_id: int | None = None) -> tuple[list[User], User | None]:
    """The staff rows, locked; refuses unless the operator is still an active administrator."""
    staff = staff_accounts.lock_staff()
    me = next((row for row in staff if row.pk == operator.pk), None)
    if me is None or not me.is_active or me.role != Role.ADMINISTRATOR:
        raise StaffAccountError(
            "not_administrator", _("Only an active administrator can change staff accounts.")
        )
    if user_id is None:
        return staff, None
    target = next((row for row in staff if row.pk == user_id), None)
    if target is None:
        raise StaffAccountError("not_found", _("There is no such operator or administrator."))
    return staff, target


def _keep_an_administrator(
    *, staff: list[User], operator: User, target: User, yourself: str
) -> None:
    if target.pk == operator.pk:
        raise StaffAccountError("yourself", yourself)
    others = [
        row
        for row in staff
        if row.is_active and row.role == Role.ADMINISTRATOR and row.pk != target.pk
    ]
    if target.is_active and target.role == Role.ADMINISTRATOR and not others:
        raise StaffAccountError(
            "last_administrator",
            _("%(username)s is the last active administrator: make someone else one first.")
            % {"username": target.username},
        )


def create_staff_account(
    *, operator: User, username: str, email: str, role: str, now: datetime
) -> User:
    """A new operator or administrator; they get an emailed link to choose a password."""
    new = staff_accounts.check_new_staff(username=username, email=email, role=role)
    try:
        with transaction.atomic(durable=True):
            _locked(operator=operator)
            user = staff_accounts.create_staff_user(new=new, now=now)
            staff_accounts.send_password_link(user=user, now=now, welcome=True)
            _audit(
                operator=operator,
                kind=ControlKind.OPERATOR_CREATED,
                subject=user,
                detail={"role": user.role, "email": user.email},
                now=now,
            )
    except IntegrityError as exc:
        # An agent signed up with exactly this username in the same moment.
        raise StaffAccountError(
            "username_taken",
            _("The username %(username)s is already taken.") % {"username": new.username},
            "username",
        ) from exc
    return user


def change_role(*, operator: User, user_id: int, role: str, now: datetime) -> User:
    """Operator to administrator or back (nobody demotes themselves or the last one)."""
    if role not in staff_accounts.STAFF_ROLES:
        raise StaffAccountError("bad_role", _("Choose operator or administrator."), "role")
    with transaction.atomic(durable=True):
        staff, target = _locked(operator=operator, user_id=user_id)
        assert target is not None
        if target.role == role:
            return target
        if role == Role.OPERATOR:
            _keep_an_administrator(
                staff=staff,
                operator=operator,
                target=target,
                yourself=_("You cannot make yourself an operator: ask another administrator."),
            )
        before = target.role
        staff_accounts.set_role(user=target, role=role)
        _audit(
            operator=operator,
            kind=ControlKind.OPERATOR_ROLE,
            subject=target,
            detail={"from": before, "to": role},
            now=now,
        )
    return target


def deactivate_staff_account(*, operator: User, user_id: int, now: datetime) -> User:
    """No more logins, signed out of every browser at once; the audit trail stays."""
    with transaction.atomic(durable=True):
        staff, target = _locked(operator=operator, user_id=user_id)
        assert target is not None
        if not target.is_active:
            return target
        _keep_an_administrator(
            staff=staff,
            operator=operator,
            target=target,
            yourself=_("You cannot deactivate your own account: ask another administrator."),
        )
        devices = staff_accounts.deactivate(user=target, now=now)
        _audit(
            operator=operator,
            kind=ControlKind.OPERATOR_DEACTIVATED,
            subject=target,
            detail={"role": target.role, "devices_signed_out": devices},
            now=now,
        )
    return target


def reactivate_staff_account(*, operator: User, user_id: int, now: datetime) -> User:
    with transaction.atomic(durable=True):
        target = _locked(operator=operator, user_id=user_id)[1]
        assert target is not None
        if target.is_active:
            return target
        staff_accounts.reactivate(user=target)
        _audit(
            operator=operator,
            kind=ControlKind.OPERATOR_REACTIVATED,
            subject=target,
            detail={"role": target.role},
            now=now,
        )
    return target


def send_staff_password_link(*, operator: User, user_id: int, now: datetime) -> User:
    """Emails the person a one-time link to choose a new password (never the password)."""
    with transaction.atomic(durable=True):
        target = _locked(operator=operator, user_id=user_id)[1]
        assert target is not None
        if not target.is_active:
            raise StaffAccountError(
                "inactive",
                _("%(username)s is deactivated: reactivate the account first.")
                % {"username": target.username},
            )
        staff_accounts.send_password_link(user=target, now=now, welcome=False)
        _audit(
            operator=operator,
            kind=ControlKind.OPERATOR_PASSWORD_RESET,
            subject=target,
            detail={"email": target.email},
            now=now,
        )
    return target
