"""The intake hot path in as few round trips as it takes.

Through the ORM, intake cost a dozen statements and most of its time in Python building
them. Here: one conditional UPDATE claims the agent (lock, room under the pending-offer
limit, last_offered_at stamp), and on PostgreSQL data-modifying CTEs write a row and its
event together. services.py calls these and keeps the plain ORM path for SQLite; the
test suite runs both.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

from agentmatch.agents.models import Agent
from agentmatch.core import prepared_sql
from agentmatch.referrals.matching import pending_offer_limit
from agentmatch.referrals.models import Offer, OfferStatus


def claim_agent(*, agent_id: int, now: datetime) -> str | None:
    """Locks the agent, checks they hold fewer pending offers than the limit, and stamps
    last_offered_at, all or nothing. Returns the agent's NPN, or None when another offer
    is being made to them right now or they already hold the most pending offers.
    The caller makes the offer in the same transaction."""
    agent, offer = Agent._meta.db_table, Offer._meta.db_table
    if connection.vendor == "postgresql":
        # Skip an agent another transaction is offering something to: never wait on them.
        target = f"(SELECT id FROM {agent} WHERE id = %(id)s FOR UPDATE SKIP LOCKED)"
    else:
        target = "%(id)s"  # SQLite: the IMMEDIATE transaction already holds the write lock
    sql = f"""
        UPDATE {agent} SET last_offered_at = %(now)s
        WHERE id = {target}
          AND (SELECT COUNT(*) FROM {offer}
               WHERE agent_id = %(id)s AND status = (SELECT %(pending)s)) < %(limit)s
        RETURNING npn"""
    params = {
        "id": agent_id,
        "now": connection.ops.adapt_datetimefield_value(now),
        "pending": OfferStatus.PENDING.value,
        "limit": pending_offer_limit(),
    }
    with prepared_sql.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class ClaimedAgent:
    """What the offer's messages need to know of the agent, read by the claim itself."""

    agent: Agent  # only id, npn, email, cell_phone and contact_method are loaded
    push_subscription_ids: list[int]


@dataclass(frozen=True)
class _InsertColumns:
    """A model's columns for a hand-written INSERT, and how to read one instance's values."""

    names: str  # the quoted column list
    placeholders: str  # as many "%s" as columns
    prepare: tuple[tuple[str, Callable[..., Any]], ...]  # (attname, field.get_db_prep_save)

    def values(self, instance: Any, db: BaseDatabaseWrapper) -> list[Any]:
        return [prep(getattr(instance, attname), db) for attname, prep in self.prepare]


@cache
def _insert_columns(model: type[Model]) -> _InsertColumns:
    """Built once per process: the column list is the same for every insert, and building
    it (quote_name and the proxy for each of 30 columns) cost as much as dumping the values."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    db = connections[DEFAULT_DB_ALIAS]
    return _InsertColumns(
        names=", ".join(db.ops.quote_name(str(f.column)) for f in fields),
        placeholders=", ".join(["%s"] * len(fields)),
        prepare=tuple((f.attname, f.get_db_prep_save) for f in fields),
    )


@cache
def _claim_and_offer_sql(ended_statuses: int) -> str:
    """The claim-and-offer statement for `ended_statuses` statuses: the same text on every
    call, so it is built once (per number of statuses).

    Two conditions are spelled so that the planner cannot match them to a partial index:
    statistics taken while no offer was pending and no request open (a quiet night, a
    new deployment) make it believe such an index is empty, and read every pending offer
    or open request through it (nearest/sql.py says more). The agent's pending offers
    are counted with the status as `(SELECT %s)`, a value the planner cannot read, so by
    offers_by_agent; the referral moves only if its status is NOT IN the ended ones
    (the same thing: referral_status_known allows no others), so by its primary key."""
    from agentmatch.notifications.models import PushSubscription
    from agentmatch.referrals.models import Referral, ReferralEvent

    agent_table = Agent._meta.db_table
    offer = _insert_columns(Offer)
    statuses = ", ".join(["%s"] * ended_statuses)
    return f"""
        WITH c AS (
            UPDATE {agent_table} SET last_offered_at = %s
            WHERE id = (SELECT id FROM {agent_table} WHERE id = %s FOR UPDATE SKIP LOCKED)
              AND (SELECT COUNT(*) FROM {Offer._meta.db_table}
                   WHERE agent_id = %s AND status = (SELECT %s)) < %s
            RETURNING id, npn, email, cell_phone, contact_method
        ), o AS (
            INSERT INTO {Offer._meta.db_table} ({offer.names})
            SELECT {offer.placeholders} FROM c RETURNING id
        ), r AS (
            UPDATE {Referral._meta.db_table} SET status = %s, waiting_since = NULL
            WHERE id = %s AND status NOT IN ({statuses}) AND EXISTS (SELECT 1 FROM c)
            RETURNING id
        ), e AS (
            INSERT INTO {ReferralEvent._meta.db_table}
                (referral_id, kind, at, offer_id, agent_id, code, params, detail)
            SELECT r.id, %s, %s, o.id, c.id, %s, %s::jsonb || jsonb_build_object('npn', c.npn),
                   %s || c.npn || %s
            FROM c, o, r
            RETURNING offer_id
        )
        SELECT c.id, c.npn, c.email, c.cell_phone, c.contact_method,
               ARRAY(SELECT p.id FROM {PushSubscription._meta.db_table} p
                     WHERE p.agent_id = c.id ORDER BY p.id),
               (SELECT offer_id FROM e)
        FROM (SELECT 1) AS one LEFT JOIN c ON TRUE"""


_CLAIMED_COLUMNS = ["id", "npn", "email", "cell_phone", "contact_method"]


def claim_agent_and_write_offer(
    *,
    offer: Offer,
    ended_statuses: tuple[str, ...],
    offered_status: str,
    event_code: str,
    event_params: dict[str, Any],
    event_detail: str,
) -> tuple[ClaimedAgent | None, bool]:
    """PostgreSQL: claim_agent(), then the offer, the referral's move to offered and the
    offered event, all in one statement (data-modifying CTEs run once, in order of need).

    Returns (agent, written): (None, False) when the agent is busy or full (nothing
    written); (agent, False) when the referral closed meanwhile (the caller rolls back);
    (agent, True) on success. `event_detail` may hold "{npn}", filled in by the database,
    which also adds the NPN to `event_params`.
    The same statement returns the agent's contact columns and push subscriptions, so
    enqueueing the offer's messages reads nothing more.
    """
    from agentmatch.referrals.models import EventKind

    db = connections[DEFAULT_DB_ALIAS]  # once, not through the proxy for every value
    before, _, after = event_detail.partition("{npn}")
    offered_at = db.ops.adapt_datetimefield_value(offer.offered_at)
    params = [
        offered_at,
        offer.agent_id,
        offer.agent_id,
        OfferStatus.PENDING.value,
        pending_offer_limit(),
        *_insert_columns(Offer).values(offer, db),
        offered_status,
        offer.referral_id,
        *ended_statuses,
        EventKind.OFFERED.value,
        offered_at,
        event_code,
        json.dumps(event_params),
        before,
        after,
    ]
    with prepared_sql.cursor() as cursor:
        cursor.execute(_claim_and_offer_sql(len(ended_statuses)), params)
        agent_id, *contact, push_ids, offer_id = cursor.fetchone()
    if agent_id is None:
        return None, False
    claimed = ClaimedAgent(
        agent=Agent.from_db(db.alias, _CLAIMED_COLUMNS, [agent_id, *contact]),
        push_subscription_ids=list(push_ids),
    )
    if offer_id is None:
        return claimed, False
    offer.pk = offer_id
    offer._state.adding = False
    return claimed, True


@cache
def _referral_with_event_sql() -> str:
    """The intake's insert of a referral and its created event: built once."""
    from agentmatch.referrals.models import Referral, ReferralEvent

    referral = _insert_columns(Referral)
    return f"""
        WITH r AS (
            INSERT INTO {Referral._meta.db_table} ({referral.names})
            VALUES ({referral.placeholders}) RETURNING id
        )
        INSERT INTO {ReferralEvent._meta.db_table} (referral_id, kind, at, code, params, detail)
        SELECT r.id, %s, %s, %s, %s::jsonb, %s FROM r
        RETURNING referral_id"""


def insert_referral_with_event(
    *, referral: Any, event_code: str, event_params: dict[str, Any], event_detail: str
) -> None:
    """PostgreSQL: inserts a new referral and its created event in one statement."""
    from agentmatch.referrals.models import EventKind, Referral

    db = connections[DEFAULT_DB_ALIAS]
    params = [
        *_insert_columns(Referral).values(referral, db),
        EventKind.CREATED.value,
        db.ops.adapt_datetimefield_value(referral.created_at),
        event_code,
        json.dumps(event_params),
        event_detail,
    ]
    with prepared_sql.cursor() as cursor:
        cursor.execute(_referral_with_event_sql(), params)
        referral.pk = cursor.fetchone()[0]
    referral._state.adding = False
