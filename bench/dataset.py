"""A synthetic but plausible population of agents, loaded in bulk (COPY on PostgreSQL).

Agents live at real ZIP centroids of the 30 served states, weighted by each state's ZIP
count (so TX and FL are dense, AK and WY sparse). Everything routing reads is realistic:
licenses with a health line, RCL and training rows, routing states derived the way the
rules do (display option 3 = home state only, 4 = none), languages and availability.
"""

import random
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.common import PG_DB, PG_SERVER, SQLITE_PATH

SEED = 20261125
PLAN_YEAR = 2026
# Besides English: Spanish is common (more so in TX and FL), the rest are rare.
OTHER_LANGUAGES = ["vi", "zh", "ko", "tl", "ar", "ht", "fr", "ru", "pt", "hmn"]
SPANISH_HEAVY = {"TX", "FL", "AZ"}
# Referrals of past months a running deployment holds (ended and anonymised), each with
# one or two settled offers. Why: PostgreSQL plans a statement for the size its tables
# have when it first runs on a connection, and keeps that plan (the foreign-key checks
# made at each COMMIT included) until the table's statistics change. Measured from
# empty tables, as the bench did until 2026-12, the checks that a new offer's, event's
# and message's referral and offer exist ran as sequential scans of the referrals and
# offers the run had written so far (perf: a quarter of the database's CPU per intake
# POST, and growing with the run), which no deployment past its first minutes sees.
HISTORY_REFERRALS = 100_000


def create_database(backend: str, *, keep: bool) -> None:
    """A fresh, empty bench database (or the existing one with --keep)."""
    if backend == "sqlite":
        if not keep:
            for suffix in ("", "-wal", "-shm"):
                SQLITE_PATH.with_name(SQLITE_PATH.name + suffix).unlink(missing_ok=True)
        return
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_DB]).fetchone()
        if exists and keep:
            return
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_DB}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def _rows(agents: int, now: datetime) -> dict[str, list[dict[str, Any]]]:
    from agentmatch.core.geo import zips_in_state
    from agentmatch.planyears.services import STATES_SERVED_2026

    rng = random.Random(SEED)
    states = [s.rstrip("*") for s in STATES_SERVED_2026]
    zips = {s: zips_in_state(s) for s in states}
    weights = [len(zips[s]) for s in states]
    out: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in ("agent", "language", "license", "line", "rcl", "training", "routing", "listing")
    }
    license_id = 0
    for pk in range(1, agents + 1):
        home = rng.choices(states, weights)[0]
        place = rng.choice(zips[home])
        npn = str(20_000_000 + pk)
        switch = rng.choices(["on", "off", "schedule"], [45, 25, 30])[0]
        available = switch == "on" or (switch == "schedule" and rng.random() < 0.5)
        out["agent"].append(
            {
                "id": pk,
                "npn": npn,
                "npn_key": npn,
                "first_name": f"Bench{pk}",
                "last_name": "Agent",
                "email": f"agent{pk}@example.com",
                "cell_phone": f"+1608555{pk % 10000:04d}",
                "business_street": "",
                "business_city": place.city,
                "business_zip": place.zip_code,
                "latitude": place.latitude,
                "longitude": place.longitude,
                "time_zone": place.time_zone,
                "home_state": home,
                "display_option": rng.choices([1, 2, 3, 4], [55, 25, 12, 8])[0],
                "contact_method": "email_text_app",
                "service_registration_completed_at": now,
                "availability_switch": switch,
                "is_available": available,
                "availability_checked_at": now,
                # Scheduled agents flip at their next hour boundary: keep it after the run,
                # so the worker's availability job does not run during a benchmark.
                "availability_changes_at": (
                    now + timedelta(hours=rng.uniform(2, 12)) if switch == "schedule" else None
                ),
                "last_offered_at": (
                    now - timedelta(minutes=rng.uniform(60, 43200)) if rng.random() < 0.3 else None
                ),
                "created_at": now,
                "updated_at": now,
            }
        )
        spanish = 0.45 if home in SPANISH_HEAVY else 0.15
        languages = {"en"} if rng.random() < 0.97 else set()
        if rng.random() < spanish or not languages:
            languages.add("es")
        if rng.random() < 0.06:
            languages.add(rng.choice(OTHER_LANGUAGES))
        for code in sorted(languages):
            out["language"].append({"agent_id": pk, "language": code})
        licensed = [home]
        if rng.random() < 0.3:
            licensed += rng.sample([s for s in states if s != home], rng.randint(1, 4))
        for state in licensed:
            license_id += 1
            out["license"].append(
                {
                    "id": license_id,
                    "npn_key": npn,
                    "state": state,
                    "license_number": f"{state}{npn}",
                    "license_class": "Producer",
                    "is_resident": state == home,
                    "is_active": True,
                    "issued_on": date(2020, 1, 1),
                    "expires_on": date(2028, 1, 1),
                }
            )
            out["line"].append(
                {
                    "license_id": license_id,
                    "name": "Accident & Health",
                    "code": "",
                    "is_active": True,
                    "is_health": True,
                    "issued_on": date(2020, 1, 1),
                }
            )
        # 90% finished CMS registration and training; the rest are in the roster only.
        if rng.random() < 0.9:
            out["rcl"].append(
                {
                    "plan_year": PLAN_YEAR,
                    "npn_key": npn,
                    "individual_completed_on": date(2025, 9, 1),
                    "individual_ends_on": None,
                    "shop_completed_on": None,
                    "shop_ends_on": None,
                    "npn_valid": True,
                }
            )
            out["training"].append(
                {"plan_year": PLAN_YEAR, "npn_key": npn, "completed_on": date(2025, 9, 15)}
            )
            option = out["agent"][-1]["display_option"]
            routed = [] if option == 4 else [home] if option == 3 else licensed
            for state in routed:
                out["routing"].append({"agent_id": pk, "state": state})
                # Nobody deselected a state or left the directory: listed where routed.
                out["listing"].append(
                    {
                        "agent_id": pk,
                        "state": state,
                        "latitude": place.latitude,
                        "longitude": place.longitude,
                    }
                )
    return out


def _models() -> dict[str, Any]:
    from agentmatch.agents.models import Agent, AgentLanguage
    from agentmatch.eligibility.models import (
        DirectoryListing,
        RegistrationCompletion,
        RoutingState,
        TrainingCompletion,
    )
    from agentmatch.licensing.models import License, LineOfAuthority

    return {
        "agent": Agent,
        "language": AgentLanguage,
        "license": License,
        "line": LineOfAuthority,
        "rcl": RegistrationCompletion,
        "training": TrainingCompletion,
        "routing": RoutingState,
        "listing": DirectoryListing,
    }


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _copy(model: Any, rows: list[dict[str, Any]]) -> None:
    from django.db import connection

    columns = list(rows[0])
    # COPY leaves unlisted columns to the database's own defaults; NOT NULL fields whose
    # default only the ORM fills in (a Python default, or "" for a blank text field) would
    # be NULL, so add them here and the dataset keeps loading when a model gains one.
    extra = {
        f.column: f.get_default()
        for f in model._meta.concrete_fields
        if f.column not in columns
        and not (f.null or f.primary_key or f.has_db_default())
        and f.get_default() is not None
    }
    columns += list(extra)
    rows = [{**extra, **row} for row in rows]
    sql = f'COPY "{model._meta.db_table}" ({", ".join(columns)}) FROM STDIN'
    connection.ensure_connection()
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def populate(*, agents: int) -> dict[str, float]:
    """Loads the population unless it is already there; returns counts and seconds."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from agentmatch.agents.models import Agent
    from agentmatch.eligibility.routing_table import rebuild_all_slots
    from agentmatch.testing import plan_year_2026

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    plan_year_2026()
    have = Agent.objects.count()
    if have == agents:
        return {"agents": have, "load_seconds": 0.0, "reused": 1}
    if have:
        raise SystemExit(f"bench database holds {have} agents, not {agents}: drop it first")
    rows = _rows(agents, datetime.now(UTC))
    models = _models()
    with transaction.atomic():
        for key, model in models.items():
            if connection.vendor == "postgresql":
                _copy(model, rows[key])
            else:
                for chunk in _chunks(rows[key], 5000):
                    model.objects.bulk_create([model(**row) for row in chunk])
    with transaction.atomic():
        rebuild_all_slots()  # the routing index, as the app's own writes keep it
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in models.values():
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f'(SELECT COALESCE(MAX(id), 1) FROM "{table}"))'
                )
            # Index-only scans need the visibility map that VACUUM writes after a bulk load.
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    snapshot()
    figures: dict[str, float] = {k: len(v) for k, v in rows.items()}
    figures["load_seconds"] = round(time.perf_counter() - started, 1)
    figures["reused"] = 0
    return figures


_SNAPSHOT = "bench_agent_snapshot"
_MUTABLE = ("is_available", "availability_switch", "last_offered_at")


def snapshot() -> None:
    """Remembers what routing changes on agents, so every run starts from the same state."""
    from django.db import connection

    from agentmatch.agents.models import Agent

    table = Agent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_SNAPSHOT}")
        cursor.execute(
            f'CREATE TABLE {_SNAPSHOT} AS SELECT id, {", ".join(_MUTABLE)} FROM "{table}"'
        )


def reset() -> None:
    """Deletes every referral and puts agents back as loaded (offers change them); on
    PostgreSQL, then writes the deployment's past again (history) and analyses."""
    from django.db import connection, transaction

    from agentmatch.agents.models import Agent
    from agentmatch.eligibility.models import RoutingSlot
    from agentmatch.notifications.models import Message
    from agentmatch.referrals.models import Offer, Referral

    table = Agent._meta.db_table
    changed = " OR ".join(f'"{table}".{c} IS NOT s.{c}' for c in _MUTABLE)
    if connection.vendor == "postgresql":
        changed = changed.replace(" IS NOT ", " IS DISTINCT FROM ")
    with transaction.atomic(), connection.cursor() as cursor:
        # Everything a referral or a message left behind (offers, events, links,
        # disclosures, delivery attempts, reminders ...): CASCADE follows the foreign keys,
        # so a table added later is emptied too.
        if connection.vendor == "postgresql":
            cursor.execute(
                f'TRUNCATE "{Referral._meta.db_table}", "{Message._meta.db_table}" CASCADE'
            )
        else:
            Message.objects.all().delete()
            Referral.objects.all().delete()
        # Missed offers pause agents (none is paused as loaded); lifted first, since the
        # constraint pause_remembers_the_mode ties the pause to the switch restored next.
        Agent.objects.filter(paused_after_missed_offer_at__isnull=False).update(
            paused_after_missed_offer_at=None, mode_before_pause=""
        )
        cursor.execute(
            f'UPDATE "{table}" SET {", ".join(f"{c} = s.{c}" for c in _MUTABLE)} '
            f'FROM {_SNAPSHOT} s WHERE "{table}".id = s.id AND ({changed})'
        )
        slots = RoutingSlot._meta.db_table
        cursor.execute(
            f'UPDATE "{slots}" SET is_available = a.is_available FROM "{table}" a '
            f'WHERE a.id = "{slots}".agent_id AND "{slots}".is_available <> a.is_available'
        )
    if connection.vendor == "postgresql":
        with transaction.atomic():
            history()
        with connection.cursor() as cursor:
            for model in (Agent, Offer, Referral, RoutingSlot):
                cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')


def history(referrals: int = HISTORY_REFERRALS) -> None:
    """PostgreSQL: the past referrals and offers (HISTORY_REFERRALS) of a deployment
    serving these agents, written by one statement each in the database. Every one has
    ended and been anonymised (retention has run), its state an agent's home state, its
    language English or Spanish, its offers made to agents at random (one, or an expired
    one and then the last), within the last 15 months."""
    from django.db import connection

    from agentmatch.agents.models import Agent
    from agentmatch.referrals.models import Offer, Referral

    agents = Agent._meta.db_table
    referral_table = Referral._meta.db_table
    agent_count = Agent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")
        cursor.execute(
            f'INSERT INTO "{referral_table}" (public_id, reference_code, status, '
            "status_token_hash, plan_year, first_name, last_name, phone, email, zip_code, "
            "city, state, latitude, longitude, county, language, consent_given_at, "
            "consent_wording_version, consent_channel, created_at, ended_at, end_reason, "
            "page_language, anonymised_at) "
            "SELECT gen_random_uuid(), NULL, CASE WHEN r < 0.8 THEN 'accepted' "
            "WHEN r < 0.95 THEN 'unmatched' ELSE 'canceled' END, md5(n::text) || md5(r::text), "
            "%s, '', '', '', '', '', '', a.home_state, NULL, NULL, 'History', "
            "CASE WHEN r < 0.2 THEN 'es' ELSE 'en' END, t, '2026-1', 'web', t, "
            "t + interval '20 minutes', '', 'en', t + interval '90 days' "
            "FROM (SELECT n, random() AS r, now() - interval '455 days' * (1 - n::float / %s) "
            f"  AS t, 1 + (n * 7919) %% %s AS agent FROM generate_series(1, %s) n) g "
            f'JOIN "{agents}" a ON a.id = g.agent',
            [PLAN_YEAR, referrals, agent_count, referrals],
        )
        # Half of them were offered twice: first to an agent who let it expire.
        cursor.execute(
            f'INSERT INTO "{Offer._meta.db_table}" (status, position, rank, distance_miles, '
            "qualified_agents, reason, explanation, offered_at, expires_at, responded_at, "
            "agent_id, referral_id) "
            "SELECT CASE WHEN p < last THEN 'expired' WHEN status = 'accepted' "
            "THEN 'accepted' ELSE 'expired' END, p, p, 1 + p * 3.5, 12, 'history', '{}', "
            "created_at + (p - 1) * interval '15 minutes', "
            "created_at + p * interval '15 minutes', created_at + p * interval '15 minutes', "
            "1 + (id * 104729 + p) %% %s, id "
            "FROM (SELECT id, status, created_at, 1 + (id %% 2) AS last "
            f'FROM "{referral_table}") r CROSS JOIN LATERAL generate_series(1, last) p',
            [agent_count],
        )
