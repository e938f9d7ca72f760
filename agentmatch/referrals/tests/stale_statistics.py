"""A deployment whose planner statistics saw nothing live, for the tests of the plans
(PostgreSQL only): thousands of ended requests with their settled offers, analysed; then
live rows the statistics never saw; then every statement a flow ran, explained.

Why: pending offers and open requests are a sliver of their tables, and statistics taken
while there were none make the partial indexes on them (`one_pending_offer_per_referral`,
`one_open_request_per_phone`) look empty. A plan that reads such an index from end to end,
with no key to look up, reads every live row, once per row of whatever it is joined to
(core/planning.py).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import connection

from agentmatch.agents.models import Agent
from agentmatch.eligibility.models import RoutingSlot
from agentmatch.referrals.models import Offer, OfferStatus, Referral

# Partial indexes over live rows only.
LIVE_ROW_INDEXES = ("one_pending_offer_per_referral", "one_open_request_per_phone")


def a_past_analysed_with_nothing_live(referrals: int = 20_000) -> None:
    """`referrals` ended requests, each with an expired offer to one of the agents there
    are, then ANALYZE: at this size no plan reads a whole table for want of rows."""
    referral_table, offer_table = Referral._meta.db_table, Offer._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {referral_table} (public_id, status, status_token_hash, plan_year, "
            "first_name, last_name, phone, email, zip_code, city, state, latitude, longitude, "
            "county, language, consent_given_at, consent_wording_version, consent_channel, "
            "created_at, ended_at, end_reason, page_language) "
            "SELECT gen_random_uuid(), 'unmatched', 'x', 2026, '', '', '', '', '53703', "
            "'Madison', 'WI', 43.07, -89.4, '', 'en', now(), '1', 'web', now(), now(), '', 'en' "
            "FROM generate_series(1, %s)",
            [referrals],
        )
        cursor.execute(
            f"INSERT INTO {offer_table} (status, position, rank, distance_miles, "
            "qualified_agents, reason, explanation, offered_at, expires_at, responded_at, "
            "agent_id, referral_id) "
            "SELECT 'expired', 1, 1, 1, 1, '', '{}', now(), now() + interval '15 minutes', "
            f"now(), a.ids[1 + r.id % cardinality(a.ids)], r.id FROM {referral_table} r, "
            f"(SELECT array_agg(id) AS ids FROM {Agent._meta.db_table}) a"
        )
        for model in (Offer, Referral, Agent, RoutingSlot):
            cursor.execute(f"ANALYZE {model._meta.db_table}")


def offers_pending_elsewhere(agents: list[Agent], *, now: datetime) -> list[Referral]:
    """An open request offered to each of `agents`, pending for an hour: live rows the
    statistics did not see."""
    waiting = Referral.objects.bulk_create(
        Referral(
            status="offered",
            status_token_hash="x",
            plan_year=2026,
            first_name="Busy",
            last_name="Elsewhere",
            phone=f"+1608556{n:04d}",
            zip_code="53703",
            city="Madison",
            state="WI",
            latitude=43.07,
            longitude=-89.4,
            language="en",
            consent_given_at=now,
            created_at=now,
        )
        for n in range(len(agents))
    )
    Offer.objects.bulk_create(
        Offer(
            referral=referral,
            agent=agent,
            status=OfferStatus.PENDING,
            position=1,
            rank=1,
            distance_miles=1.0,
            qualified_agents=1,
            offered_at=now,
            expires_at=now + timedelta(hours=1),
        )
        for referral, agent in zip(waiting, agents, strict=True)
    )
    return waiting


@contextmanager
def statements_run() -> Iterator[list[tuple[str, Any]]]:
    """Every statement run inside, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def capture(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        yield statements


def plan_of(sql: str, params: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(line for (line,) in cursor.fetchall())


def whole_reads(plan: str) -> list[str]:
    """The scans in `plan` that read all of a live-row index (no key to look up) or all of
    the referrals or offers (a sequential scan: the whole history)."""
    lines = plan.splitlines()
    whole = [
        line.strip()
        for line in lines
        if any(f"Seq Scan on {m._meta.db_table} " in line for m in (Referral, Offer))
    ]
    for n, line in enumerate(lines):
        if not any(f"using {index} on" in line for index in LIVE_ROW_INDEXES):
            continue
        # The node's own details follow it, indented deeper, up to the next node.
        depth = len(line) - len(line.lstrip())
        details = []
        for below in lines[n + 1 :]:
            if "->" in below or len(below) - len(below.lstrip()) <= depth:
                break
            details.append(below)
        if not any(re.match(r"\s*Index Cond:", d) for d in details):
            whole.append(line.strip())
    return whole
