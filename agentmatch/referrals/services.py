"""Every state change in a referral's life. Callers wrap each call in transaction.atomic().

Locking: the referral row is the lock for everything about one referral. Each function
locks the referral before touching its offers, and agents only after that (with SKIP
LOCKED), so accept, reject, expire, cancel and routing never deadlock with each other,
and a race resolves to exactly one winner through conditional updates.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Exists, OuterRef

from agentmatch.agents.models import Agent, AgentLanguage
from agentmatch.core.planning import opaque, opaque_each
from agentmatch.core.secrets import hash_secret, new_secret
from agentmatch.eligibility.agent_facts import refresh_availability
from agentmatch.eligibility.models import RoutingState
from agentmatch.notifications.messages import one_insert
from agentmatch.partners.models import PartnerKey
from agentmatch.referrals.claims import (
    claim_agent,
    claim_agent_and_write_offer,
    insert_referral_with_event,
)
from agentmatch.referrals.event_details import (
    ALL_OFFERED_OR_BUSY,
    NO_AGENT_AVAILABLE,
    NO_AGENT_FOR_STATE,
    NO_AGENT_SPEAKS,
    Params,
    in_english,
    policy_reason,
    recognise,
    skipped_code,
)
from agentmatch.referrals.intake import ContactRequest
from agentmatch.referrals.matching import find_candidates, pending_offer_limit
from agentmatch.referrals.messages import (
    notify_consumer_accepted,
    notify_consumer_unmatched,
    notify_new_offer,
    notify_referral_received,
)
from agentmatch.referrals.models import (
    ENDED_STATUSES,
    OPEN_STATUSES,
    ContactDisclosure,
    EventKind,
    Offer,
    OfferStatus,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from agentmatch.referrals.policies import (
    OFFERED_SHORT_WINDOW,
    Choice,
    Policy,
    Window,
    accepted_recently,
    active_policy,
    offer_window,
    wrap_up_last,
)
from agentmatch.referrals.problems import (
    CLOSED,
    NOT_FOUND,
    OfferConflict,
    is_offer_id,
    offer_problem,
)
from agentmatch.referrals.reference import new_reference_code


class ReferralClosed(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def event_row(
    referral: Referral,
    kind: str,
    now: datetime,
    *,
    offer: Offer | None = None,
    agent: Agent | None = None,
    code: str = "",
    params: Params | None = None,
    detail: str = "",
) -> ReferralEvent:
    """One event, not yet saved. Its detail is a code of event_details.CATALOG with
    parameters (`detail` then gets their English rendering); a caller that still passes
    English text has it read back into a code when it is a known sentence."""
    if not code and detail:
        code, params = recognise(detail)
    params = params or {}
    if code:
        detail = in_english(code, params)
    return ReferralEvent(
        referral=referral,
        kind=kind,
        at=now,
        offer=offer,
        agent=agent,
        code=code,
        params=params,
        detail=detail[:500],
    )


def _event(referral: Referral, kind: str, now: datetime, **fields: Any) -> None:
    """Writes one event: event_row's arguments."""
    event_row(referral, kind, now, **fields).save(force_insert=True)


def lock_referral(referral_id: int) -> Referral:
    return Referral.objects.select_for_update().get(pk=referral_id)


# --- Intake -----------------------------------------------------------------------------


def create_referral(
    *,
    request: ContactRequest,
    plan_year: int,
    now: datetime,
    token: str | None = None,
    page_language: str = "",
    partner_key: PartnerKey | None = None,
) -> tuple[Referral, str]:
    """Stores the request and makes its first offer. Returns the referral and its status
    token (a new random one unless `token` is given)."""
    token = token or new_secret()
    referral = Referral(
        # Unique by constraint: submit_request draws again in the rare case it is taken.
        reference_code=new_reference_code(),
        status=ReferralStatus.NEW,
        status_token_hash=hash_secret(token),
        plan_year=plan_year,
        first_name=request.first_name,
        last_name=request.last_name,
        phone=request.phone,
        email=request.email,
        zip_code=request.place.zip_code,
        city=request.place.city,
        state=request.place.state,
        latitude=request.place.latitude,
        longitude=request.place.longitude,
        language=request.language,
        consent_given_at=now,
        consent_wording_version=settings.CONSENT_WORDING_VERSION,
        consent_channel=request.consent_channel,
        page_language=page_language,
        partner_key=partner_key,
        created_at=now,
    )
    # The ZIP code is the consumer's: forgetting.anonymise_referral clears it from here.
    params = {"zip": referral.zip_code, "language": referral.language}
    if connection.vendor == "postgresql":
        insert_referral_with_event(
            referral=referral,
            event_code="request_received",
            event_params=params,
            event_detail=in_english("request_received", params),
        )
    else:
        referral.save(force_insert=True)
        _event(referral, EventKind.CREATED, now, code="request_received", params=params)
    with one_insert():
        notify_referral_received(referral=referral, token=token, now=now, first_time=True)
        offer_next(referral=referral, now=now)
    return referral, token


# --- Routing ----------------------------------------------------------------------------


def _has_capacity(agent: Agent) -> bool:
    pending = Offer.objects.filter(agent=agent, status=OfferStatus.PENDING).count()
    return pending < pending_offer_limit()


def _reason(referral: Referral, choice: Choice, skipped: list[str], why: str) -> str:
    candidate = choice.candidate
    if choice.params:
        # Another policy than nearest chose: its sentence (the ZIP stays out of it).
        facts = {
            "state": referral.state,
            "language": referral.language,
            "distance_miles": candidate.distance_miles,
            **choice.params,
        }
        words = policy_reason(choice.code, facts, english=True)
        if words:
            return words + (" Agents skipped: " + "; ".join(skipped) + "." if skipped else "")
    radius = candidate.search_radius_miles
    within = (
        f" within a {radius:g}-mile search box" if radius is not None else f" in {referral.state}"
    )
    words = (
        f"Closest qualified agent ({candidate.distance_miles:.1f} miles from "
        f"{referral.zip_code}) of {candidate.qualified_agents}"
        f"{'+' if candidate.qualified_at_least else ''}{within}: routed for "
        f"{referral.state}, "
        f"speaks {referral.language}, {why}, no pending offer over the limit."
    )
    if candidate.rank > 1:
        words += " Closer agents skipped: " + "; ".join(skipped) + "."
    return words


def offer_next(
    *,
    referral: Referral,
    now: datetime,
    policy: Policy | str | None = None,
    position: int | None = None,
) -> Offer | None:
    """Offers the referral to the best qualified agent right now, or starts it waiting.

    The caller holds the referral's lock (or has just created it) and the referral has
    no pending offer. `policy` (a policies.Policy or its name) orders the qualified
    agents; None: the deployment's ROUTING_POLICY. `position`: the new offer's place in
    the referral's sequence when the caller knows it (the expired offer's plus one);
    None: counted.
    """
    if referral.status not in OPEN_STATUSES:
        return None
    chooser = active_policy(policy)
    skipped: list[str] = []  # in English, for the stored reason sentence
    skipped_codes: list[tuple[str, Params]] = []  # the same notes as event_details codes
    # By id, not position: an agent found unavailable drops out of the wider re-query.
    tried: set[int] = set()
    noted: set[int] = set()  # agents passed over for their wrap-up time, noted once
    # Counted once per decision, and only once there is an agent to offer it to.
    window: Window | None = None
    for limit in (chooser.pool, 50):
        candidates = find_candidates(referral=referral, limit=limit)
        # ROUTING_WRAP_UP_SECONDS: agents calling a consumer they just accepted go last.
        wrapping_up = accepted_recently([c.agent_id for c in candidates], now=now)
        passed: list[tuple[str, Params]] = []
        ordered = wrap_up_last(
            chooser.order(referral, candidates, now), wrapping_up, now=now, notes=passed
        )
        for choice in ordered:
            candidate = choice.candidate
            for code, params in passed:
                if params["agent"] not in noted:
                    noted.add(params["agent"])
                    skipped.append(f"agent {params['agent']} in wrap-up time")
                    skipped_codes.append((code, params))
            passed.clear()
            if candidate.agent_id in tried:
                continue
            tried.add(candidate.agent_id)
            due = candidate.availability_changes_at
            why = "available"
            if due is not None and due <= now:
                # Hours or an absence began or ended since the worker last looked: decide
                # from the agent's own settings now (rare, so the plain ORM path).
                stale = (
                    Agent.objects.select_for_update(skip_locked=True)
                    .filter(pk=candidate.agent_id)
                    .first()
                )
                if stale is None:
                    skipped.append(f"agent {candidate.agent_id} busy receiving another offer")
                    skipped_codes.append(("skipped_claimed", {"agent": candidate.agent_id}))
                    continue
                availability = refresh_availability(agent=stale, now=now)
                if not availability.is_available:
                    skipped.append(f"{stale.npn} no longer available ({availability.reason})")
                    skipped_codes.append(skipped_code(stale.npn, availability.reason))
                    continue
                why = availability.reason
            window = window or offer_window(referral)
            offer = _place_offer(
                referral=referral,
                choice=choice,
                window=window,
                now=now,
                reason=_reason(referral, choice, skipped, why),
                skipped=skipped,
                skipped_codes=skipped_codes,
                policy=chooser.name,
                position=position,
            )
            if offer is None:
                skipped.append(
                    f"agent {candidate.agent_id} busy with another offer or at the pending limit"
                )
                skipped_codes.append(("skipped_busy", {"agent": candidate.agent_id}))
                continue
            return offer
        if len(candidates) < limit:
            break
    _start_waiting(referral=referral, now=now)
    return None


def _place_offer(
    *,
    referral: Referral,
    choice: Choice,
    now: datetime,
    reason: str,
    window: Window | None = None,
    skipped: list[str],
    skipped_codes: list[tuple[str, Params]] | None = None,
    policy: str = "nearest",
    position: int | None = None,
) -> Offer | None:
    """Claims the candidate and writes the offer; None if the agent is busy or full."""
    candidate = choice.candidate
    # A brand-new referral has no offers yet: spare the count on the intake path.
    if referral.status == ReferralStatus.NEW:
        position = 1
    elif position is None:
        position = Offer.objects.filter(referral=referral).count() + 1
    window = window or offer_window(referral)
    offer = Offer(
        referral=referral,
        agent_id=candidate.agent_id,
        position=position,
        rank=candidate.rank,
        distance_miles=round(candidate.distance_miles, 2),
        qualified_agents=candidate.qualified_agents,
        reason=reason,
        explanation={
            "state": referral.state,
            "language": referral.language,
            "distance_miles": round(candidate.distance_miles, 2),
            "rank": candidate.rank,
            "qualified_agents": candidate.qualified_agents,
            # The count stopped at its cap (nearest.sql.QUALIFIED_COUNT_CAP): "20+".
            "qualified_at_least": candidate.qualified_at_least,
            # The count covers a box reaching this far around the consumer (None: the state).
            "search_radius_miles": candidate.search_radius_miles,
            "agent_last_offered_at": (
                candidate.last_offered_at.isoformat() if candidate.last_offered_at else None
            ),
            "skipped": skipped,
            "skipped_codes": [[code, params] for code, params in skipped_codes or []],
            # Which policy chose, and why (event_details.policy_reason renders it).
            "policy": policy,
            "policy_code": choice.code,
            "policy_params": choice.params or {},
            # How long this offer lasts, and the queue pressure that set it (None: the
            # adaptive window is off, every offer lasts OFFER_WINDOW_SECONDS).
            "window_seconds": window.seconds,
            "pressure": window.pressure,
        },
        offered_at=now,
        expires_at=now + timedelta(seconds=window.seconds),
    )
    params: Params = {
        "position": position,
        "rank": candidate.rank,
        "distance_miles": round(candidate.distance_miles, 1),
        **(choice.params or {}),
    }
    code = choice.code
    if window.shortened:
        # The event says the window was cut, and why; the policy's own reason stays on the
        # offer (explanation policy_code and policy_params).
        code = OFFERED_SHORT_WINDOW
        params |= {
            "minutes": window.minutes,
            "waiting": window.waiting,
            "available": window.available,
        }
    # "{npn}" is filled in once the agent is claimed (by the database on PostgreSQL).
    detail = in_english(code, {**params, "npn": "{npn}"})
    if connection.vendor == "postgresql":
        # The intake hot path: claim, offer, referral status and event in one round trip.
        claimed, written = claim_agent_and_write_offer(
            offer=offer,
            ended_statuses=tuple(ENDED_STATUSES),
            offered_status=ReferralStatus.OFFERED,
            event_code=code,
            event_params=params,
            event_detail=detail,
        )
        if claimed is None:
            return None
        offer.agent = claimed.agent
        push_ids: list[int] | None = claimed.push_subscription_ids
    else:
        npn = claim_agent(agent_id=candidate.agent_id, now=now)
        if npn is None:
            return None
        push_ids = None
        offer.save(force_insert=True)
        written = (
            Referral.objects.filter(pk=referral.pk, status__in=opaque_each(OPEN_STATUSES)).update(
                status=ReferralStatus.OFFERED, waiting_since=None
            )
            == 1
        )
        if written:
            ReferralEvent.objects.create(
                referral=referral,
                kind=EventKind.OFFERED,
                at=now,
                offer=offer,
                agent_id=candidate.agent_id,
                code=code,
                params={**params, "npn": npn},
                detail=detail.replace("{npn}", npn),
            )
    if not written:
        raise ReferralClosed(f"referral {referral.public_id} closed while being offered")
    referral.status = ReferralStatus.OFFERED
    referral.waiting_since = None
    notify_new_offer(offer=offer, now=now, first_time=True, push_ids=push_ids)
    return offer


def why_nobody(referral: Referral) -> tuple[str, Params]:
    """Why no agent can take the referral now: a code of event_details and its params."""
    where = {"state": referral.state}
    routed = Agent.objects.filter(
        Exists(RoutingState.objects.filter(agent=OuterRef("pk"), state=referral.state))
    )
    if not routed.exists():
        return NO_AGENT_FOR_STATE, where
    speaking = routed.filter(
        Exists(AgentLanguage.objects.filter(agent=OuterRef("pk"), language=referral.language))
    )
    where_and_language = {**where, "language": referral.language}
    if not speaking.exists():
        return NO_AGENT_SPEAKS, where_and_language
    if not speaking.filter(is_available=True).exists():
        return NO_AGENT_AVAILABLE, where_and_language
    return ALL_OFFERED_OR_BUSY, {}


def _start_waiting(*, referral: Referral, now: datetime) -> None:
    if referral.status == ReferralStatus.WAITING:
        return
    deadline = referral.wait_expires_at or now + timedelta(seconds=settings.MAX_WAIT_SECONDS)
    reason, params = why_nobody(referral)
    if deadline <= now:
        _end_after_max_wait(referral=referral, now=now, reason=reason, params=params)
        return
    updated = Referral.objects.filter(pk=referral.pk, status__in=opaque_each(OPEN_STATUSES)).update(
        status=ReferralStatus.WAITING, waiting_since=now, wait_expires_at=deadline
    )
    if updated == 1:
        referral.status = ReferralStatus.WAITING
        referral.waiting_since, referral.wait_expires_at = now, deadline
        _event(referral, EventKind.WAITING, now, code=reason, params=params)


def offer_waiting_referrals(
    *,
    now: datetime,
    agent: Agent | None = None,
    batch: int = 100,
    policy: Policy | str | None = None,
) -> int:
    """Offers waiting referrals, oldest first, now that someone may be free to take them.

    With `agent`, only referrals that agent could take (their states and languages), and
    only while they still have room for another offer. Returns how many were offered.
    """
    waiting = Referral.objects.filter(status=opaque(ReferralStatus.WAITING))  # waiting_queue
    if agent is not None:
        if not agent.is_available:
            return 0
        # As lists, not subqueries: a semi-join loses the queue's order, and the planner
        # then read and sorted every referral.
        waiting = waiting.filter(
            state__in=list(
                RoutingState.objects.filter(agent=agent).values_list("state", flat=True)
            ),
            language__in=list(
                AgentLanguage.objects.filter(agent=agent).values_list("language", flat=True)
            ),
        )
    offered = 0
    for pk in waiting.order_by("created_at", "pk").values_list("pk", flat=True)[:batch]:
        if agent is not None and not _has_capacity(agent):
            break
        referral = (
            Referral.objects.select_for_update(skip_locked=True)
            .filter(pk=pk, status=opaque(ReferralStatus.WAITING))
            .first()
        )
        if (
            referral is not None
            and offer_next(referral=referral, now=now, policy=policy) is not None
        ):
            offered += 1
    return offered


# --- Agents' answers --------------------------------------------------------------------
# Steps of actions.offers.answer_offer (which owns the transaction, and which every door
# calls); they never commit on their own.


def _settle(*, offer_id: int, agent: Agent, now: datetime, status: str) -> Offer:
    offer = Offer.objects.filter(pk=offer_id).first() if is_offer_id(offer_id) else None
    if offer is None or offer.agent_id != agent.pk:
        raise OfferConflict(NOT_FOUND)
    lock_referral(offer.referral_id)
    updated = Offer.objects.filter(
        pk=offer_id, agent=agent, status=opaque(OfferStatus.PENDING), expires_at__gt=now
    ).update(status=status, responded_at=now)
    offer.refresh_from_db()
    if updated != 1:
        raise offer_problem(offer, agent_id=agent.pk, now=now) or OfferConflict(CLOSED)
    return offer


def accept_offer(*, offer_id: int, agent: Agent, now: datetime, channel: str = "api") -> Offer:
    """The agent takes the referral: event, audited disclosure, the consumer is told."""
    offer = _settle(offer_id=offer_id, agent=agent, now=now, status=OfferStatus.ACCEPTED)
    updated = Referral.objects.filter(
        pk=offer.referral_id, status=opaque(ReferralStatus.OFFERED)
    ).update(status=ReferralStatus.ACCEPTED, ended_at=now)
    if updated != 1:
        # The constraint one_accepted_offer_per_referral makes this unreachable in practice;
        # raising rolls the offer back with the caller's transaction.
        raise OfferConflict(CLOSED)
    referral = offer.referral
    _event(referral, EventKind.ACCEPTED, now, offer=offer, agent=agent)
    disclose_contact(referral=referral, agent=agent, now=now, channel=channel, context="accept")
    notify_consumer_accepted(offer=offer, now=now)
    # The accepted offer no longer counts against the agent's pending limit: a referral
    # waiting for them comes before the next new one (found by test_scale_out, where
    # waiting referrals otherwise sat until the periodic sweep while accepters were free).
    agent.refresh_from_db(fields=["is_available"])
    offer_waiting_referrals(now=now, agent=agent)
    return offer


def reject_offer(
    *, offer_id: int, agent: Agent, now: datetime, detail: str = "", code: str = ""
) -> Offer:
    """The agent declines: the referral moves on, and the agent may take a waiting one.
    `code` (or a known English `detail`) says why when it was not the agent's own answer."""
    offer = _settle(offer_id=offer_id, agent=agent, now=now, status=OfferStatus.REJECTED)
    referral = Referral.objects.get(pk=offer.referral_id)
    _event(referral, EventKind.REJECTED, now, offer=offer, agent=agent, code=code, detail=detail)
    offer_next(referral=referral, now=now)
    offer_waiting_referrals(now=now, agent=agent)
    return offer


# --- Endings ----------------------------------------------------------------------------


def end_unmatched(
    *,
    referral: Referral,
    now: datetime,
    reason: str = "",
    code: str = "",
    params: Params | None = None,
) -> None:
    """Ends the referral unmatched, saying why with `code` and `params` (event_details);
    `reason` is English text for callers without a code. `end_reason` keeps English."""
    if code:
        reason = in_english(code, params)
    updated = Referral.objects.filter(
        pk=referral.pk,
        status__in=opaque_each(OPEN_STATUSES),
    ).update(status=ReferralStatus.UNMATCHED, ended_at=now, end_reason=reason[:300])
    if updated == 1:
        referral.status = ReferralStatus.UNMATCHED
        _event(referral, EventKind.UNMATCHED, now, code=code, params=params, detail=reason)
        notify_consumer_unmatched(referral=referral, now=now)


def _end_after_max_wait(*, referral: Referral, now: datetime, reason: str, params: Params) -> None:
    end_unmatched(
        referral=referral, now=now, code="max_wait_reached", params={"reason": reason, **params}
    )


def give_up_waiting(*, referral: Referral, now: datetime) -> bool:
    """Ends a waiting referral whose maximum wait has passed. Caller holds its lock."""
    if referral.status != ReferralStatus.WAITING or referral.wait_expires_at is None:
        return False
    if referral.wait_expires_at > now:
        return False
    reason, params = why_nobody(referral)
    _end_after_max_wait(referral=referral, now=now, reason=reason, params=params)
    return True


def cancel_referral(*, referral_id: int, now: datetime) -> Referral:
    referral = lock_referral(referral_id)
    if referral.status not in OPEN_STATUSES:
        raise ReferralClosed(f"This request is already {referral.get_status_display().lower()}.")
    freed = list(
        Agent.objects.filter(offers__referral=referral, offers__status=OfferStatus.PENDING)
    )
    Offer.objects.filter(referral=referral, status=OfferStatus.PENDING).update(
        status=OfferStatus.CANCELED, responded_at=now
    )
    Referral.objects.filter(pk=referral.pk, status__in=opaque_each(OPEN_STATUSES)).update(
        status=ReferralStatus.CANCELED,
        ended_at=now,
        end_reason=in_english("canceled_by_consumer"),
    )
    referral.refresh_from_db()
    _event(referral, EventKind.CANCELED, now, code="canceled_by_consumer")
    for agent in freed:
        offer_waiting_referrals(now=now, agent=agent)
    return referral


# --- Privacy ----------------------------------------------------------------------------


def disclose_contact(
    *, referral: Referral, agent: Agent, now: datetime, channel: str, context: str
) -> None:
    """Records that `agent` was shown the consumer's contact details (minimum necessary)."""
    ContactDisclosure.objects.create(
        referral=referral, agent=agent, at=now, channel=channel, context=context
    )
