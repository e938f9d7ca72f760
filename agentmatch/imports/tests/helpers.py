"""Shared test helpers: fixture paths, running a command, snapshotting the domain tables."""

from io import StringIO
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management import call_command

FIXTURES = Path(__file__).parent / "fixtures"
DOMAIN_APPS = ("planyears", "agents", "licensing", "eligibility", "referrals")


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def run(command: str, path: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, path, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sign_up_everyone() -> None:
    """Every roster agent creates an account and accepts both Terms of Use."""
    from agentmatch.accounts.models import User
    from agentmatch.agents.models import Agent
    from agentmatch.testing import make_agent_user

    for agent in Agent.objects.exclude(pk__in=User.objects.values("agent")):
        make_agent_user(agent)


def import_everything() -> None:
    """The three files that, with the agents' own sign-up, make the fixture agents eligible."""
    run("import_roster", fixture("roster.csv"))
    sign_up_everyone()
    run("import_rcl", fixture("rcl.csv"))
    run("import_nipr", fixture("nipr.xml"))


def snapshot() -> dict[str, Any]:
    """Every row of every domain table (not the import log), to compare before and after."""
    state: dict[str, Any] = {}
    for label in DOMAIN_APPS:
        for model in apps.get_app_config(label).get_models():
            rows = model._default_manager.order_by("pk").values()
            state[model._meta.label] = [dict(r) for r in rows]
    return state


ROSTER_HEADER = "NPN,First Name,Last Name,ZIP,Languages,Display Option\n"


def write_roster(directory: Path, rows: list[str], name: str = "roster.csv") -> str:
    """A roster with the required columns only: the columns it lacks leave fields alone."""
    path = directory / name
    path.write_text(ROSTER_HEADER + "".join(f"{row}\n" for row in rows))
    return str(path)
