"""Creates a support (operator) or administrator login.

    agentmatch create_operator USERNAME EMAIL [--administrator]

The password is read from OPERATOR_PASSWORD when set (for scripts), otherwise asked for
twice at the terminal; it never appears on the command line or in shell history.
"""

import getpass
import os
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from agentmatch.accounts.models import Role, User

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
        username = options["username"].strip()
        email = options["email"].strip()
        role = Role.ADMINISTRATOR if options["administrator"] else Role.OPERATOR
        if not username:
            raise CommandError("The username is empty.")
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"'{email}' is not an email address.") from exc
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"A user named '{username}' already exists.")

        user = User(username=username, email=email, role=role)
        password = self._password()
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from exc
        user.set_password(password)
        with transaction.atomic():
            user.save()
        self.stdout.write(f"Created {role.label.lower()} '{username}' <{email}>.")

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
