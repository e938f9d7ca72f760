"""Creates a support (operator) or administrator login.

    agentmatch create_operator USERNAME EMAIL [--administrator]

The password is read from OPERATOR_PASSWORD when set (for scripts), otherwise asked for
twice at the terminal; it never appears on the command line or in shell history.
The first administrator comes from here; administrators then add everyone else on the
web (/ops/staff/), where the new person chooses their own password from an emailed link.
"""

import getpass
import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from agentmatch.accounts.actions import AccountError, create_support_account
from agentmatch.accounts.models import Role

PASSWORD_ENV = "OPERATOR_PASSWORD"


class Command(BaseCommand):
    help = "Create an operator (support) login, or an administrator with --administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument(
            "--administrator", action="store_true", help="may also manage operator accounts"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = create_support_account(
                username=options["username"],
                email=options["email"],
                password=self._password(),
                administrator=options["administrator"],
                now=timezone.now(),
            )
        except AccountError as exc:
            raise CommandError(exc.message) from exc
        role = Role(user.role).label.lower()
        self.stdout.write(f"Created {role} '{user.username}' <{user.email}>.")

    def _password(self) -> str:
        from_env = os.environ.get(PASSWORD_ENV)
        if from_env is not None:
            return from_env
        if not sys.stdin.isatty():
            raise CommandError(f"No terminal to ask for the password: set {PASSWORD_ENV}.")
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("The passwords do not match.")
        return first
