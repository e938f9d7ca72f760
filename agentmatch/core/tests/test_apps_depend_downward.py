"""Apps depend downward: an app imports only apps below it in LAYERS.

The order is the product's: shared helpers, plan years, agents and their licenses, the
outbox that delivers messages (notifications: infrastructure, told what to say by the apps
above it), who is eligible where, referrals and offers (with the messages about them), then
the agent's workspace (with the doors that answer offers), accounts and support, then the
outer doors. A new import that points up (or a cycle) fails here; KNOWN_UPWARD, where the
last ones were listed with their reason, is empty and can only stay so.
"""

import ast
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parents[2]

LAYERS: list[set[str]] = [
    {"core"},
    {"planyears"},
    {"agents", "licensing", "partners"},
    {"notifications"},
    {"eligibility"},
    {"referrals"},
    # webhooks reads referrals' and eligibility's events and tells partners about them.
    {"workspace", "accounts", "imports", "webhooks"},
    # retention composes the forgetting steps of referrals, notifications and workspace;
    # directory reads eligibility's listings and counts searches with referrals' limits.
    {"operations", "retention", "directory"},
    {"api", "consumers", "webapp", "demo", "observability"},
    # The routing lab drives the real doors' actions and reuses the demo's agents.
    {"lab"},
]
RANK = {app: level for level, apps in enumerate(LAYERS) for app in apps}

# (importing module, imported app): still pointing up, each to be moved in a later change.
# None today: an import that points up is mended (the code moves down or its caller up),
# never listed here.
KNOWN_UPWARD: dict[tuple[str, str], str] = {}


def upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in APP_ROOT.rglob("*.py"):
        parts = path.relative_to(APP_ROOT).parts
        if len(parts) < 2 or "tests" in parts or "migrations" in parts:
            continue
        app = parts[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                pieces = name.split(".")
                if pieces[0] != "agentmatch" or len(pieces) < 2 or pieces[1] == app:
                    continue
                if pieces[1] in RANK and RANK[pieces[1]] >= RANK[app]:
                    found.add(("/".join(parts), pieces[1]))
    return found


def test_every_app_has_a_layer() -> None:
    apps = {p.name for p in APP_ROOT.iterdir() if (p / "apps.py").exists()}
    assert apps - RANK.keys() == set()


def test_no_app_imports_an_app_at_or_above_its_layer() -> None:
    new = sorted(upward_imports() - KNOWN_UPWARD.keys())
    assert not new, "imports that point up (move the code down, or the caller up): " + str(new)


def test_the_known_upward_imports_are_all_still_there() -> None:
    # Once one is mended, take it off the list so it cannot come back.
    assert sorted(KNOWN_UPWARD.keys() - upward_imports()) == []
