"""Migrations run before the new code starts, while the old code still serves: so a
migration must leave a schema the previous release can use (expand), and a column or
table goes away only in a later release, once no running code reads it (contract).
docs/deploy.md, "Migrations", explains the rule; this test holds it for every migration
after the first release, and checks the models need no migration nobody wrote."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.models import NOT_PROVIDED

# The schema of the first release: migrations up to these numbers predate the rule.
FIRST_RELEASE = {
    "accounts": 5, "agents": 7, "consumers": 2, "eligibility": 3, "imports": 3,
    "licensing": 2, "notifications": 4, "operations": 2, "partners": 1, "planyears": 1,
    "referrals": 5, "workspace": 1,
}  # fmt: skip

# (app, migration name): a contract step, allowed once the release before it stopped using
# what it removes; say which release that was.
CONTRACTS: dict[tuple[str, str], str] = {}

# The old code would fail on these: it reads or writes what they remove or rename.
BREAKING = (
    migrations.RemoveField,
    migrations.DeleteModel,
    migrations.RenameField,
    migrations.RenameModel,
    migrations.AlterModelTable,
)


def problems_of(app: str, name: str, operations: list[object]) -> list[str]:
    found = []
    for op in operations:
        if isinstance(op, migrations.SeparateDatabaseAndState):
            found += problems_of(app, name, op.database_operations)
            continue
        if isinstance(op, BREAKING):
            found.append(f"{app}.{name}: {type(op).__name__} breaks the running release")
        elif isinstance(op, migrations.AddField):
            field = op.field
            if not (field.null or field.many_to_many) and field.db_default is NOT_PROVIDED:
                found.append(
                    f"{app}.{name}: {op.model_name}.{op.name} is NOT NULL without db_default: "
                    "the running release's inserts would fail"
                )
    return found


def test_migrations_after_the_first_release_expand_and_contract_only_in_later_releases():
    loader = MigrationLoader(None, ignore_no_migrations=True)
    problems = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if not migration.__module__.startswith("agentmatch."):
            continue  # Django's and django-axes' own
        number = int(name.split("_", 1)[0]) if name[:4].isdigit() else 0
        if number <= FIRST_RELEASE.get(app, 0) or (app, name) in CONTRACTS:
            continue
        problems += problems_of(app, name, migration.operations)
    assert problems == [], "\n".join(problems)


def test_the_rule_catches_a_dropped_column_and_a_not_null_column_without_a_database_default():
    from django.db import models

    ops = [
        migrations.RemoveField(model_name="agent", name="zip_code"),
        migrations.AddField("agent", "tier", models.IntegerField(default=1)),
        migrations.AddField("agent", "rank", models.IntegerField(db_default=1)),
        migrations.AddField("agent", "note", models.TextField(null=True)),
    ]
    assert problems_of("agents", "0099_x", ops) == [
        "agents.0099_x: RemoveField breaks the running release",
        "agents.0099_x: agent.tier is NOT NULL without db_default: "
        "the running release's inserts would fail",
    ]


@pytest.mark.django_db
def test_the_models_need_no_migration_that_was_not_written():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
