"""The nearest-first GiST index keyed by numbers for the state and language, not text.

Measured at 100,000 agents (docs/benchmarks.md, "Routing on numeric keys"): walking the
index of migration 0006, whose state and language are btree_gist text keys, cost about
0.7 ms for five agents, most of it comparing text ranges in each inner page's entries;
keyed by integers (cheap fixed-size comparisons), the same walk touches half the pages
and takes about 0.25 ms.

Each key is the characters' code points in base 2**21 (every code point is below 2**21,
ascii('') is 0 and no character is 0): a state has at most two characters and a language
three, so each string has its own number, and a search by key finds exactly the slots
the text would (referrals/nearest/postgresql.py spells the same expressions).

The planner keeps no statistics of a partial index's expressions, so without more it
guessed a state and language held 3 slots instead of thousands, and could sort them all
rather than walk the index: CREATE STATISTICS gives it the keys' real frequencies.

PostgreSQL only (SQLite's R*Tree of migration 0006 already holds a number). The new index
is built before the old one goes, both CONCURRENTLY: slots keep being written meanwhile.
During a rolling deploy the previous release's processes, which search by text, find the
same agents without an index of their own, only slower, until they are replaced.
"""

from django.db import migrations

POINT = (
    "cube(ARRAY[cos(radians(latitude)) * cos(radians(longitude)), "
    "cos(radians(latitude)) * sin(radians(longitude)), sin(radians(latitude))])"
)
STATE_KEY = "(ascii(substr(state, 1, 1))::int8 * 2097152 + ascii(substr(state, 2, 1)))"
LANGUAGE_KEY = (
    "((ascii(substr(language, 1, 1))::int8 * 2097152 + ascii(substr(language, 2, 1)))"
    " * 2097152 + ascii(substr(language, 3, 1)))"
)

FORWARD = [
    # Should a build fail, drop the invalid index and migrate again.
    f"""CREATE INDEX CONCURRENTLY IF NOT EXISTS routing_slot_nearest_by_key
        ON eligibility_routingslot USING gist ({STATE_KEY}, {LANGUAGE_KEY}, ({POINT}))
        WHERE is_available""",
    "DROP INDEX CONCURRENTLY IF EXISTS routing_slot_nearest",
    f"""CREATE STATISTICS IF NOT EXISTS routing_slot_keys ON ({STATE_KEY}), ({LANGUAGE_KEY})
        FROM eligibility_routingslot""",
    "ANALYZE eligibility_routingslot",
]
BACK = [
    "DROP STATISTICS IF EXISTS routing_slot_keys",
    f"""CREATE INDEX CONCURRENTLY IF NOT EXISTS routing_slot_nearest ON eligibility_routingslot
        USING gist (state, language, ({POINT})) WHERE is_available""",
    "DROP INDEX CONCURRENTLY IF EXISTS routing_slot_nearest_by_key",
]


def run(statements: list[str]):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    atomic = False  # CREATE and DROP INDEX CONCURRENTLY run outside a transaction
    dependencies = [("eligibility", "0006_routing_slot_nearest")]

    operations = [migrations.RunPython(run(FORWARD), run(BACK))]
