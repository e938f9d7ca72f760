"""The `agentmatch` command: Django's manage.py, with hyphenated command names.

`agentmatch why-not 0012345 WI` runs the `why_not` management command.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "agentmatch.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "agentmatch"
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
