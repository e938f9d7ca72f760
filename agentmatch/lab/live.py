"""A live date range read into the routing lab's records, so a real day's figures compare
one for one with a simulated day's (the `routing_report` command).

What is read, and what stands in where the database keeps no history:

- referrals: those *created* in [since 00:00, until + 1 day 00:00) in the given zone
  (the operators' zone, as the dashboard counts days), with everything that happened to
  them whenever it happened (an offer answered after midnight still counts for its
  request's day). Indexed by their order of creation; times are seconds since the
  period's start. Only state, language, status and times are read: never a name, phone,
  email, ZIP code or place, so an anonymised referral counts like any other;
- offers: every offer of those referrals, with the agent's NPN, distance and status;
- agents (the "every agent, zeros included" of the per-agent figures): the routing index
  is materialised for the current plan year only and keeps no history, so this is the
  agents routed *now* (a RoutingState row) plus every agent offered in the period. For a
  period of an earlier plan year, or long ago, it may count agents who were not eligible
  then and miss ones who were (and were never offered);
- available_agents: no availability history is stored (Agent.is_available is the
  present moment; AgentChange records switch changes, not the hours and absences that
  resolve them), so: the agents offered in the period;
- policy: the policies the offers' explanations record, most used first and joined by
  "+" when mixed (e.g. "nearest+fair"); an offer from before policies were recorded
  counts as "nearest", the only policy then; "none" when the period has no offers;
- refused: the intake's refusals are not stored (IntakeCounter counts attempts per
  address or phone, refused or not), so 0;
- late_answers: an answer that met a closed offer rolls back and leaves no row, so 0;
- swept: offers record no trace of the worker's sweep, so 0.

Read while the service runs, a referral may change between the referrals' query and the
offers' query; the figures are then off by that referral's last step, never wrong rows.
Two queries in all, streamed in chunks, whatever the period's size.
"""

import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from agentmatch.eligibility.models import RoutingState
from agentmatch.lab.outcome import OfferRecord, Outcome, ReferralRecord
from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus

CHUNK = 2000
MAX_DAYS = 366
# The policy offers were made under before explanations recorded one.
UNRECORDED_POLICY = "nearest"
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PeriodError(ValueError):
    """A date range that cannot be read: the message says what to give instead."""


def parse_day(text: str, *, name: str) -> date:
    """`YYYY-MM-DD`, and nothing else (Python would also take 20261103 or 2026-W45-2)."""
    try:
        if _ISO_DAY.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise PeriodError(f"{name} must be a date like 2026-11-03 (YYYY-MM-DD), not {text!r}")


def parse_period(since: str, until: str | None) -> tuple[date, date]:
    """The first and last day asked for; the last defaults to the first."""
    first = parse_day(since, name="--since")
    last = first if until is None else parse_day(until, name="--until")
    if last < first:
        raise PeriodError(f"--until ({last}) is before --since ({first})")
    days = (last - first).days + 1
    if days > MAX_DAYS:
        raise PeriodError(f"the period is {days} days long: at most {MAX_DAYS}")
    return first, last


def period_bounds(since: date, until: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[since's midnight, the midnight after until) in `zone`, in UTC (so differences are
    real seconds, a day of a daylight-saving change having 23 or 25 hours)."""
    start = datetime.combine(since, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def scenario_name(since: date, until: date) -> str:
    return f"live {since.isoformat()}..{until.isoformat()}"


def _policy_name(policies: Counter[str]) -> str:
    if not policies:
        return "none"
    ranked = sorted(policies.items(), key=lambda item: (-item[1], item[0]))
    return "+".join(name for name, _count in ranked)


def read_period(since: date, until: date, zone: ZoneInfo) -> Outcome:
    """The referrals created from `since` to `until` (whole days in `zone`) and their
    offers, as the lab's records (see the module's docstring for what stands in for what
    the database does not keep). Reads only."""
    start, end = period_bounds(since, until, zone)

    def seconds(at: datetime | None) -> float | None:
        return None if at is None else round((at - start).total_seconds(), 3)

    referrals = list(
        Referral.objects.filter(created_at__gte=start, created_at__lt=end)
        .order_by("created_at", "pk")
        .values_list("pk", "state", "language", "created_at", "status", "ended_at")
        .iterator(chunk_size=CHUNK)
    )
    offers: dict[int, list[OfferRecord]] = {}
    accepted_at: dict[int, datetime | None] = {}
    policies: Counter[str] = Counter()
    for referral_id, npn, offered_at, miles, status, responded_at, policy in (
        Offer.objects.filter(referral__created_at__gte=start, referral__created_at__lt=end)
        .order_by("referral_id", "position", "pk")
        .values_list(
            "referral_id",
            "agent__npn",
            "offered_at",
            "distance_miles",
            "status",
            "responded_at",
            "explanation__policy",
        )
        .iterator(chunk_size=CHUNK)
    ):
        if status == OfferStatus.ACCEPTED:
            accepted_at[referral_id] = responded_at
        policies[policy if isinstance(policy, str) and policy else UNRECORDED_POLICY] += 1
        offers.setdefault(referral_id, []).append(
            OfferRecord(npn, seconds(offered_at) or 0.0, float(miles), str(status))
        )
    records = []
    for index, (pk, state, language, created_at, status, ended_at) in enumerate(referrals):
        own = tuple(offers.get(pk, ()))
        accepted = [o for o in own if o.status == OfferStatus.ACCEPTED]
        accepted_when = accepted_at.get(pk)
        # An accepted referral ends when it is accepted (its ended_at may be unset).
        ended = (accepted_when or ended_at) if status == ReferralStatus.ACCEPTED else ended_at
        records.append(
            ReferralRecord(
                index=index,
                state=state,
                language=language,
                created_at=seconds(created_at) or 0.0,
                status=str(status),
                accepted_at=seconds(accepted_when),
                ended_at=seconds(ended),
                distance_miles=accepted[0].distance_miles if accepted else None,
                offers=own,
            )
        )
    offered = {o.agent for r in records for o in r.offers}
    routed = set(
        RoutingState.objects.order_by()
        .values_list("agent__npn", flat=True)
        .distinct()
        .iterator(chunk_size=CHUNK)
    )
    return Outcome(
        scenario=scenario_name(since, until),
        seed=0,
        policy=_policy_name(policies),
        agents=tuple(sorted(routed | offered)),
        referrals=tuple(records),
        refused=0,
        late_answers=0,
        swept=0,
        available_agents=tuple(sorted(offered)),
    )
