"""`agentmatch make_secret_key`: a random SECRET_KEY stored in SECRET_KEY_FILE, once.

`make run` calls it, so a local demo needs no setup and still never runs on the public
development key. The file (data/secret_key by default) is readable by its owner only; an
existing one is kept, so sessions and links survive restarts. A SECRET_KEY in the
environment wins over the file.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from agentmatch.core.deployment import write_secret_key


class Command(BaseCommand):
    help = "Store a random SECRET_KEY in SECRET_KEY_FILE (data/secret_key) unless one is there."
    # It is what makes the checks pass: it must run before them.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.SECRET_KEY_FILE
        if write_secret_key(path):
            self.stdout.write(f"Wrote a new random secret key to {path} (mode 0600).")
        elif options["verbosity"] > 1:
            self.stdout.write(f"Keeping the secret key in {path}.")
