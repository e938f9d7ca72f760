"""A spatial index over the available routing slots, one per database (referrals/nearest/).

PostgreSQL: a GiST index on (state, language, the slot's point on the unit sphere as a 3-D
cube), walked nearest first by `<->`. It needs the contrib extensions cube (the point and
its distance) and btree_gist (state and language as GiST keys); both ship with
PostgreSQL and are trusted, so the database owner may create them (RDS and Cloud SQL
allow both). Going back drops the index and leaves the extensions, which other things may
use.

SQLite: an R*Tree (latitude, longitude, a number for the state and language) of the
available slots, kept in step with RoutingSlot by triggers. Django rebuilds a SQLite table
for some schema changes, which drops its triggers: a later migration that alters
RoutingSlot on SQLite must create them again (test_nearest_index.py checks they exist).

Each half does nothing on the other database.
"""

from django.db import migrations

POINT = (
    "cube(ARRAY[cos(radians(latitude)) * cos(radians(longitude)), "
    "cos(radians(latitude)) * sin(radians(longitude)), sin(radians(latitude))])"
)

POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS cube",
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    # CONCURRENTLY (outside a transaction, hence atomic = False): slots keep being
    # written while it builds. Should it fail, drop the invalid index and migrate again.
    f"""CREATE INDEX CONCURRENTLY IF NOT EXISTS routing_slot_nearest ON eligibility_routingslot
        USING gist (state, language, ({POINT})) WHERE is_available""",
]
POSTGRESQL_BACK = ["DROP INDEX CONCURRENTLY IF EXISTS routing_slot_nearest"]

# As referrals/nearest/sqlite.py KEY_SQL computes it for a search.
KEY = """(((((COALESCE(unicode(substr(NEW.state, 1, 1)), 64) - 64) * 27
    + COALESCE(unicode(substr(NEW.state, 2, 1)), 64) - 64) * 27
    + COALESCE(unicode(substr(NEW.language, 1, 1)), 96) - 96) * 27
    + COALESCE(unicode(substr(NEW.language, 2, 1)), 96) - 96) * 27
    + COALESCE(unicode(substr(NEW.language, 3, 1)), 96) - 96)"""
INDEXED = "NEW.is_available AND NEW.latitude IS NOT NULL AND NEW.longitude IS NOT NULL"
ADD = f"""INSERT INTO eligibility_routingslot_rtree
    SELECT NEW.id, NEW.latitude, NEW.latitude, NEW.longitude, NEW.longitude, {KEY}, {KEY}
    WHERE {INDEXED};"""

SQLITE = [
    """CREATE VIRTUAL TABLE eligibility_routingslot_rtree USING rtree(
        id, min_latitude, max_latitude, min_longitude, max_longitude, min_key, max_key)""",
    f"""CREATE TRIGGER eligibility_routingslot_rtree_insert
        AFTER INSERT ON eligibility_routingslot BEGIN {ADD} END""",
    f"""CREATE TRIGGER eligibility_routingslot_rtree_update
        AFTER UPDATE ON eligibility_routingslot BEGIN
        DELETE FROM eligibility_routingslot_rtree WHERE id = OLD.id; {ADD} END""",
    """CREATE TRIGGER eligibility_routingslot_rtree_delete
        AFTER DELETE ON eligibility_routingslot BEGIN
        DELETE FROM eligibility_routingslot_rtree WHERE id = OLD.id; END""",
    # The slots already there, as the insert trigger would have added them.
    f"""INSERT INTO eligibility_routingslot_rtree
        SELECT NEW.id, NEW.latitude, NEW.latitude, NEW.longitude, NEW.longitude, {KEY}, {KEY}
        FROM eligibility_routingslot NEW WHERE {INDEXED}""",
]
SQLITE_BACK = [
    "DROP TRIGGER IF EXISTS eligibility_routingslot_rtree_insert",
    "DROP TRIGGER IF EXISTS eligibility_routingslot_rtree_update",
    "DROP TRIGGER IF EXISTS eligibility_routingslot_rtree_delete",
    "DROP TABLE IF EXISTS eligibility_routingslot_rtree",
]


def run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def apply(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("eligibility", "0005_agent_status_events")]

    operations = [
        migrations.RunPython(run({"postgresql": POSTGRESQL}), run({"postgresql": POSTGRESQL_BACK})),
        # The table, its triggers and its rows together or not at all.
        migrations.RunPython(run({"sqlite": SQLITE}), run({"sqlite": SQLITE_BACK}), atomic=True),
    ]
