"""Fail early, with a clear message, when the PostgreSQL used by the tests is down."""

import sys

import psycopg

url = sys.argv[1].replace("postgres://", "postgresql://", 1)
# Connect to the maintenance database: the test database is created by the test run.
base = url.rsplit("/", 1)[0] + "/postgres"
try:
    psycopg.connect(base, connect_timeout=5).close()
except psycopg.Error as exc:
    sys.exit(
        f"PostgreSQL is not reachable at {base}: {exc}\n"
        "Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`) "
        "or set POSTGRES_TEST_URL."
    )
