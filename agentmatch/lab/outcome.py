"""What a day of routing came to, in plain numbers: the records the report reads.

A simulated day (lab/simulator.py) and a live date range (the routing_report command) are
read into the same records, so their figures compare one for one. Records hold positions
(the request's index, the agent's NPN), never database ids, and never a consumer's name,
phone or email.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class OfferRecord:
    agent: str  # NPN
    offered_at: float  # seconds since the day began
    distance_miles: float
    status: str  # the offer's final status (accepted, rejected, expired, ...)


@dataclass(frozen=True)
class ReferralRecord:
    index: int
    state: str
    language: str
    created_at: float  # seconds since the day began
    status: str  # final
    accepted_at: float | None
    ended_at: float | None  # accepted, unmatched or canceled; None if still open
    distance_miles: float | None  # to the agent who accepted
    offers: tuple[OfferRecord, ...]


@dataclass(frozen=True)
class Outcome:
    """Everything the report needs, in plain numbers: comparable between runs."""

    scenario: str
    seed: int
    policy: str
    agents: tuple[str, ...]  # every simulated agent's NPN
    referrals: tuple[ReferralRecord, ...]
    refused: int  # requests the intake refused (counted, not stored)
    late_answers: int  # answers that met a closed offer (OfferConflict)
    swept: int = 0  # offers the worker's sweep of waiting referrals made (the safety net)
    # Agents who could be offered a referral at some moment of the day (switch on or within
    # their hours, not away): the "eligible agents" the fairness target counts. Empty: all.
    available_agents: tuple[str, ...] = ()
