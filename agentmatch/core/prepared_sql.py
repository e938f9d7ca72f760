"""The routing hot path's hand-written SQL as prepared statements with generic plans.

Why: on PostgreSQL, planning the routing statements cost more than running them
(EXPLAIN ANALYZE at 100,000 agents: the nearest-first search planned in 0.68 ms and ran in
0.83 ms, the qualified count 0.56 / 0.30 ms, the claim-and-offer statement 0.44 / 0.12 ms;
docs/benchmarks.md). A prepared statement is parsed once per connection, and with
`plan_cache_mode = force_generic_plan` planned once too. The generic plan is safe for these
statements because their plan does not depend on the values: an index walk by distance
from any point, a range scan of one state's and language's slots, updates by primary key.
PostgreSQL's default (`auto`) kept re-planning them, judging the generic plan dearer.

Only statements run through `cursor()` below are prepared: Django's own cursors bind
parameters on the client and never prepare, so the session setting changes nothing else.

A generic plan is made from the statistics of the moment and kept as long as the
statement: a worker's connection lives for days, and a plan made when the offers table
was nearly empty (a new deployment, or statistics never refreshed: autovacuum off) scans
it in full once it has grown (measured: the nearest-first search at 60 ms instead of
under 1 ms after an hour's soak with autovacuum off). So each connection forgets its
prepared statements every PLAN_MAX_AGE_SECONDS and plans them afresh (10 s: a handful
of statements planned again, well under a millisecond a second; a benchmark's tables grow
from empty to thousands of rows within a minute).

Connection poolers: a prepared statement lives in one server session. PgBouncer 1.21+
(with `max_prepared_statements`) and poolers in session mode keep them; for a pooler that
does not, set DB_PREPARED_STATEMENTS=false (the statements then run unprepared, as on
SQLite). The session setting is made when Django opens the connection; a pooler in
transaction mode may not carry it, which only costs speed.
"""

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection

# How long a connection keeps its prepared statements (and their generic plans).
PLAN_MAX_AGE_SECONDS = 10.0


@contextmanager
def cursor() -> Iterator[Any]:
    """A cursor whose statements are prepared on PostgreSQL (when enabled); a plain Django
    cursor otherwise. It goes through Django's wrappers: query logging, execute_wrapper
    and the test suite's query counts see it like any other."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        with connection.cursor() as plain:
            yield plain
        return
    import psycopg

    connection.ensure_connection()
    connection.validate_thread_sharing()
    raw = connection.connection
    # Django opens psycopg connections with prepare_threshold=None (never prepare); 0 lets
    # this server-binding cursor prepare on first use (Django's client-side cursors never
    # prepare, whatever it says).
    raw.prepare_threshold = 0
    since = getattr(connection, "prepared_since", None)
    if since is None or time.monotonic() - since > PLAN_MAX_AGE_SECONDS:
        # psycopg sees DEALLOCATE ALL go by and forgets its own list of prepared names. The
        # SET again too: a SET made inside a transaction that rolled back was undone.
        raw.execute("SET plan_cache_mode = force_generic_plan; DEALLOCATE ALL")
        setattr(connection, "prepared_since", time.monotonic())  # noqa: B010  (on the wrapper behind the proxy)
    # psycopg.Cursor binds on the server (Django's default ClientCursor cannot prepare).
    server_side: Any = psycopg.Cursor(raw)  # the stubs expect a wrapper; Django wants this
    wrapped = (
        connection.make_debug_cursor(server_side)
        if connection.queries_logged
        else connection.make_cursor(server_side)
    )
    with wrapped as prepared:
        yield prepared
