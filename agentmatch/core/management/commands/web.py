"""`agentmatch web`: the web server alone (gunicorn), as a container or a systemd unit runs it.

`run` supervises the web server and workers together on one machine; a deployment starts
each kind on its own (`web`, `worker`, `migrate`) so they restart and scale apart. This
command runs the system checks (no start on a weak SECRET_KEY), then replaces itself with
gunicorn (exec): the container runtime or systemd signals gunicorn's arbiter directly, and
SIGTERM lets it finish the requests in flight. Same gunicorn settings as `run`.
"""

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from agentmatch.core.management.commands.run import (
    add_web_arguments,
    bind_address,
    check_port_free,
    child_environment,
    gunicorn_argv,
)


class Command(BaseCommand):
    help = "Run the web server (gunicorn) alone, in the foreground; SIGTERM stops it gracefully."

    def add_arguments(self, parser: Any) -> None:
        add_web_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be 1 to 65535, not {port}")
        if options["web_workers"] < 1 or options["web_threads"] < 1:
            raise CommandError("--web-workers and --web-threads must be at least 1")
        check_port_free(host, port)
        argv = gunicorn_argv(
            bind_address(host, port), workers=options["web_workers"], threads=options["web_threads"]
        )
        sys.stdout.flush()
        sys.stderr.flush()
        os.execve(sys.executable, argv, child_environment(os.environ))
