"""Scale-out, shown: two `agentmatch run` instances (a web server and a worker each) on one
PostgreSQL database, under concurrent load, end in a state where every request has one
referral, every offer and message happened once and nothing is left overdue.

What a deployment with several hosts does, on loopback: consumers post requests to both
web servers at once (some twice at the same moment, to both servers, with one
Idempotency-Key or one phone), agents answer through the API of either server (some
accept, some reject, some let offers lapse and come back), the offer window is 4 seconds
so offers expire and move on while intake is busy, and both workers deliver messages and
run the offer clock side by side. Then the test waits until nothing is open and checks
the database: the assertions are about states and event orders, never about timings.

The workers' periodic sweep of waiting referrals is turned off (WORKER_WAITING_SWEEP_SECONDS
far beyond the run): a waiting referral must be woken by the event that frees an agent, not
found half a minute later by the safety net.

PostgreSQL only: scale-out is several processes on one PostgreSQL server (row locks, SKIP
LOCKED); SQLite is the single-machine deployment.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Count, F

from agentmatch.agents.models import Agent
from agentmatch.core.tests.test_run_command import database_url, descendants, free_port
from agentmatch.notifications.models import AttemptOutcome, DeliveryAttempt, Message
from agentmatch.referrals.models import (
    OPEN_STATUSES,
    ContactDisclosure,
    EventKind,
    Offer,
    OfferStatus,
    Referral,
    ReferralEvent,
    ReferralStatus,
)
from agentmatch.testing import api_token_for, make_agent, plan_year_2026

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="scale-out is defined over PostgreSQL (several processes, row locks, SKIP "
        "LOCKED); run with DATABASE_URL=postgres://...",
    ),
    pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc"),
]

OFFER_WINDOW_SECONDS = 4
REQUESTS = 120  # single requests, plus the pairs below
IDEMPOTENT_PAIRS = 10  # one request sent to both servers at once with one Idempotency-Key
SAME_PHONE_PAIRS = 10  # two requests for one phone, one to each server, at once
CANCEL_EVERY = 10  # every 10th consumer cancels right after submitting
CONSUMER_THREADS = 6
ACCEPTERS, REJECTERS, LAPSERS = 6, 2, 4
POLL_SECONDS = 1.0
QUIET_TIMEOUT_SECONDS = 180  # only reached on a very busy machine
ZIPS = ["53703", "53704", "53705", "53711", "53713", "53714", "53715", "53716", "53717"]
# Fictional numbers (555-01xx) in five Wisconsin area codes: 500 distinct consumer phones.
PHONES = [f"+1{area}55501{n:02d}" for area in (414, 262, 715, 920, 608) for n in range(100)]


def server_env(tmp_path: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DATABASE_URL=database_url(),
        LOG_LEVEL="INFO",
        OFFER_WINDOW_SECONDS=str(OFFER_WINDOW_SECONDS),
        MAX_WAIT_SECONDS="600",
        WORKER_WAITING_SWEEP_SECONDS="3600",
        WORKER_IDLE_SLEEP_SECONDS="0.2",
        # `run` lowers the web processes' CPU priority below the worker's; on a test machine
        # shared with other work that slows every request of the test (correct, but slow).
        WEB_NICE="0",
        # A load balancer in front: each consumer has an address of their own, so the
        # production limits per address and per phone stay as they are.
        TRUSTED_PROXY_HOPS="1",
        # Each host's worker writes the texts it sends to a file of its own (start_instance).
        SMS_BACKEND="file",
        SITE_URL="http://127.0.0.1:8000",
    )


# --- Processes ---------------------------------------------------------------------------


@dataclass
class Instance:
    """One host's `agentmatch run`: gunicorn plus one worker."""

    base: str
    proc: subprocess.Popen[bytes]
    log: Path


def start_instance(tmp_path: Path, name: str, env: dict[str, str]) -> Instance:
    port = free_port()
    log = tmp_path / f"{name}.log"
    env = dict(env, SMS_FILE_PATH=str(tmp_path / f"{name}-sms.jsonl"))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "agentmatch", "run", "--host", "127.0.0.1",
             "--port", str(port), "--web-workers", "2", "--workers", "1"],
            env=env, stdout=out, stderr=subprocess.STDOUT, cwd=settings.BASE_DIR,
        )  # fmt: skip
    return Instance(base=f"http://127.0.0.1:{port}", proc=proc, log=log)


def wait_until_healthy(instance: Instance) -> None:
    # Generous: on a busy 2-CPU machine a gunicorn process's first answer can take 20 s.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert instance.proc.poll() is None, f"run exited:\n{instance.log.read_text()}"
        try:
            if call(instance.base, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"/healthz never answered:\n{instance.log.read_text()}")


def stop(instance: Instance) -> None:
    if instance.proc.poll() is None:
        instance.proc.send_signal(signal.SIGTERM)
        try:
            instance.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            instance.proc.kill()
            instance.proc.wait()


# --- HTTP --------------------------------------------------------------------------------


def call(
    base: str,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        base + path,
        data=data,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        raw = exc.read()
        try:
            return exc.code, json.loads(raw)
        except ValueError:
            return exc.code, {"raw": raw[:200].decode(errors="replace")}
    except (TimeoutError, urllib.error.URLError, ConnectionError) as exc:
        # No answer at all (status 0): a problem for a consumer, a retry for an agent.
        return 0, {"error": repr(exc)}


@dataclass
class Tally:
    """What the clients saw, shared by their threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    per_server: Counter[str] = field(default_factory=Counter)
    created: dict[str, str] = field(default_factory=dict)  # referral id -> phone
    pairs: list[tuple[str, list[tuple[int, dict[str, Any]]]]] = field(default_factory=list)
    accepted: list[int] = field(default_factory=list)  # offer ids an accept answered 200
    problems: list[str] = field(default_factory=list)

    def saw(self, what: str, base: str, status: int, body: dict[str, Any]) -> None:
        with self.lock:
            self.statuses[(what, status)] += 1
            self.per_server[base] += 1
            if status >= 500 or (status == 0 and what not in ("offers", "back", "profile")):
                self.problems.append(f"{what} on {base}: {status} {body}")


def error_code(body: dict[str, Any]) -> str | None:
    """The `code` of the API's error shape, {"error": {"code": ..., "message": ...}}."""
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def consumer_body(n: int, phone: str) -> dict[str, Any]:
    return {
        "first_name": "Consumer",
        "last_name": f"N{n}",
        "phone": phone,
        "email": f"consumer{n}@example.com",
        "zip": ZIPS[n % len(ZIPS)],
        "language": "en",
        "consent": True,
    }


def address(n: int) -> dict[str, str]:
    return {"X-Forwarded-For": f"10.{n // 250}.{n % 250}.{1 + n % 200}"}


def submit(tally: Tally, bases: list[str], n: int, phone: str) -> None:
    base = bases[n % 2]
    status, body = call(base, "POST", "/api/v1/referrals", consumer_body(n, phone), address(n))
    tally.saw("submit", base, status, body)
    if status != 201:
        with tally.lock:
            tally.problems.append(f"request {n} refused: {status} {body}")
        return
    with tally.lock:
        tally.created[body["id"]] = phone
    if n % CANCEL_EVERY == 0:
        # The consumer changes their mind at once, on the other server.
        other = bases[(n + 1) % 2]
        status, answer = call(
            other,
            "POST",
            f"/api/v1/referrals/{body['id']}/cancel",
            headers={"X-Status-Token": body["status_token"]},
        )
        tally.saw("cancel", other, status, answer)
        if status not in (200, 409):
            with tally.lock:
                tally.problems.append(f"cancel {n}: {status} {answer}")


def submit_pair(tally: Tally, bases: list[str], n: int, phone: str, key: str | None) -> None:
    """The same consumer's request reaches both servers at the same moment."""
    barrier = threading.Barrier(2)
    answers: list[tuple[int, dict[str, Any]]] = [(0, {}), (0, {})]

    def one(i: int) -> None:
        headers = address(n) | ({"Idempotency-Key": key} if key else {})
        barrier.wait(timeout=10)
        answers[i] = call(bases[i], "POST", "/api/v1/referrals", consumer_body(n, phone), headers)
        tally.saw("pair", bases[i], *answers[i])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with tally.lock:
        tally.pairs.append(("idempotent" if key else "same phone", answers))
        for status, body in answers:
            if status == 201:
                tally.created[body["id"]] = phone


@dataclass
class AgentClient:
    token: str
    role: str  # "accept", "reject" or "lapse"
    n: int


def agent_loop(
    tally: Tally, bases: list[str], me: AgentClient, stop: threading.Event, away: threading.Event
) -> None:
    """Polls pending offers through either server and answers them as its role says.

    Lapsers never answer. Everyone comes back ("on") when a missed offer paused them,
    lapsers only until `away` is set.
    """
    auth = {"Authorization": f"Bearer {me.token}"}
    turn = me.n
    last_back = 0.0
    while not stop.is_set():
        turn += 1
        base = bases[turn % 2]
        status, offers = call(base, "GET", "/api/v1/agent/offers", headers=auth)
        tally.saw("offers", base, status, offers if isinstance(offers, dict) else {})
        missed = False
        if status == 200 and me.role != "lapse":
            for offer in offers:  # type: ignore[union-attr]
                turn += 1
                base = bases[turn % 2]
                status, body = call(
                    base, "POST", f"/api/v1/offers/{offer['id']}/{me.role}", {}, auth
                )
                tally.saw(me.role, base, status, body)
                if status == 200 and me.role == "accept":
                    with tally.lock:
                        tally.accepted.append(offer["id"])
                elif status == 409 and error_code(body) == "expired":
                    missed = True
                elif status != 200:
                    with tally.lock:
                        tally.problems.append(f"{me.role} {offer['id']}: {status} {body}")
        may_come_back = me.role != "lapse" or not away.is_set()
        if may_come_back and (missed or time.monotonic() - last_back > 3):
            # "I'm back" when a missed offer paused them (an offer can expire unseen
            # when the machine is slow).
            last_back = time.monotonic()
            status, profile = call(base, "GET", "/api/v1/agent/profile", headers=auth)
            tally.saw("profile", base, status, profile)
            if status == 200 and profile["availability"]["paused_after_missed_offer_at"]:
                status, body = call(
                    base, "PUT", "/api/v1/agent/availability", {"switch": "on"}, auth
                )
                tally.saw("back", base, status, body)
        stop.wait(POLL_SECONDS)


# --- The database afterwards --------------------------------------------------------------


def open_work() -> dict[str, int]:
    return {
        "open referrals": Referral.objects.filter(status__in=OPEN_STATUSES).count(),
        "pending offers": Offer.objects.filter(status=OfferStatus.PENDING).count(),
        "pending messages": Message.objects.filter(status="pending").count(),
    }


def wait_for_quiet(instances: list[Instance], timeout: float) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while True:
        for i in instances:
            assert i.proc.poll() is None, f"an instance stopped:\n{i.log.read_text()[-3000:]}"
        left = open_work()
        if not any(left.values()) or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


def most_pending_at_once(events: list[tuple[int, str]], closes: set[str]) -> int:
    """Replays (offer id, event kind) in commit-consistent order; the highest count of
    offers pending together. A referral's cancel (offer None) closes all of its offers."""
    pending: set[int] = set()
    most = 0
    for offer_id, kind in events:
        if kind == EventKind.OFFERED:
            pending.add(offer_id)
            most = max(most, len(pending))
        elif kind == EventKind.CANCELED:
            pending.clear()
        elif kind in closes:
            pending.discard(offer_id)
    return most


def start_agents(
    tally: Tally, bases: list[str], agents: list[AgentClient]
) -> tuple[threading.Event, threading.Event, list[threading.Thread]]:
    stop, away = threading.Event(), threading.Event()
    threads = [
        threading.Thread(target=agent_loop, args=(tally, bases, a, stop, away), daemon=True)
        for a in agents
    ]
    for t in threads:
        t.start()
    return stop, away, threads


def consumers_submit(tally: Tally, bases: list[str]) -> None:
    """Every consumer's request, from CONSUMER_THREADS threads at once."""
    work: list[Callable[[], None]] = []
    for n, phone in enumerate(PHONES[: REQUESTS + IDEMPOTENT_PAIRS + SAME_PHONE_PAIRS]):
        if n < REQUESTS:
            work.append(lambda n=n, p=phone: submit(tally, bases, n, p))
        elif n < REQUESTS + IDEMPOTENT_PAIRS:
            work.append(lambda n=n, p=phone: submit_pair(tally, bases, n, p, f"key-{n}"))
        else:
            work.append(lambda n=n, p=phone: submit_pair(tally, bases, n, p, None))
    # The pairs spread among the single requests, so they meet a busy system.
    order = sorted(range(len(work)), key=lambda i: (i * 7919) % len(work))
    with ThreadPoolExecutor(CONSUMER_THREADS) as pool:
        for future in [pool.submit(work[i]) for i in order]:
            future.result()


# --- The test ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_web_servers_and_two_workers_route_every_request_once_and_leave_nothing_overdue(
    tmp_path,
):
    plan_year_2026()
    roles = ["accept"] * ACCEPTERS + ["reject"] * REJECTERS + ["lapse"] * LAPSERS
    agents = []
    for n, role in enumerate(roles):
        agent = make_agent(
            zip_code=ZIPS[n % len(ZIPS)],
            licensed=["WI"],
            first_name=role.title(),
            last_name=f"A{n}",
        )
        agents.append(AgentClient(token=api_token_for(agent), role=role, n=n))

    env = server_env(tmp_path)
    instances = [start_instance(tmp_path, f"host{i}", env) for i in range(2)]
    tally = Tally()
    try:
        for instance in instances:
            wait_until_healthy(instance)
        workers = [
            pid
            for i in instances
            for pid, cmd in descendants(i.proc.pid).items()
            if cmd.strip().endswith("agentmatch worker")  # not its lanes' child
        ]
        assert len(workers) == 2, "one worker per instance"
        print(f"{time.strftime('%X')} both instances healthy", flush=True)
        bases = [i.base for i in instances]
        started = time.monotonic()
        stop_agents, away, agent_threads = start_agents(tally, bases, agents)
        try:
            consumers_submit(tally, bases)
            intake_seconds = time.monotonic() - started
            away.set()  # intake is over: the lapsers stop coming back
            print(f"{time.strftime('%X')} intake done: {open_work()}", flush=True)
            # The others keep answering until nothing is left to do.
            left = wait_for_quiet(instances, QUIET_TIMEOUT_SECONDS)
        finally:
            stop_agents.set()
            for t in agent_threads:
                t.join(timeout=35)
    finally:
        for instance in instances:
            stop(instance)
    print(
        f"{len(tally.created)} referrals, {Offer.objects.count()} offers "
        f"({Offer.objects.filter(status=OfferStatus.EXPIRED).count()} expired), "
        f"{Message.objects.count()} messages "
        f"({Message.objects.filter(status='sent').count()} sent); "
        f"intake {intake_seconds:.1f} s, then quiet after "
        f"{time.monotonic() - started - intake_seconds:.1f} s; left {left}; {dict(tally.statuses)}"
    )

    # Nothing failed on any door, and both servers carried load.
    assert tally.problems == [], tally.problems[:20]
    assert all(tally.per_server[b] > 50 for b in bases), tally.per_server
    # Both workers delivered: each host's worker writes the texts it sent to its own file
    # (a few expiries could all fall to one worker; hundreds of texts cannot).
    files = [tmp_path / f"host{i}-sms.jsonl" for i in range(len(instances))]
    texts_per_host = [
        [json.loads(line) for line in f.read_text().splitlines()] if f.exists() else []
        for f in files
    ]
    assert all(texts_per_host), [len(t) for t in texts_per_host]

    # Nothing overdue: no referral still open, no offer pending, no message unsent.
    assert left == {"open referrals": 0, "pending offers": 0, "pending messages": 0}, (
        f"still open {QUIET_TIMEOUT_SECONDS} s after intake ended: {left}; waiting referrals "
        f"while agents sat free: {waiting_with_free_agents()}"
    )

    # Every request has exactly one referral.
    referrals = {str(r.public_id): r for r in Referral.objects.all()}
    assert set(referrals) == set(tally.created)
    assert len(referrals) == REQUESTS + IDEMPOTENT_PAIRS + SAME_PHONE_PAIRS
    for kind, answers in tally.pairs:
        statuses = sorted(status for status, _ in answers)
        if kind == "idempotent":
            assert statuses == [201, 201] and answers[0][1]["id"] == answers[1][1]["id"]
        else:
            assert statuses == [201, 409] and {error_code(b) for _, b in answers} >= {
                "already_open"
            }
    assert Counter(r.phone for r in referrals.values()).most_common(1)[0][1] == 1

    # Each referral ended once: accepted by one agent, canceled, or (only if every agent
    # let it go) unmatched.
    ends = Counter(r.status for r in referrals.values())
    assert ends[ReferralStatus.ACCEPTED] > 0 and ends[ReferralStatus.CANCELED] > 0, ends
    for r in referrals.values():
        if r.status == ReferralStatus.UNMATCHED:
            assert Offer.objects.filter(referral=r).count() == len(roles), r
    accepted = Offer.objects.filter(status=OfferStatus.ACCEPTED)
    assert accepted.count() == ends[ReferralStatus.ACCEPTED]
    assert sorted(tally.accepted) == sorted(accepted.values_list("pk", flat=True))
    once = Count("pk")
    for model, filters in (
        (ReferralEvent, {"kind": EventKind.ACCEPTED}),
        (ContactDisclosure, {"context": "accept"}),
    ):
        per_referral = model.objects.filter(**filters).values("referral").annotate(n=once)
        assert {row["n"] for row in per_referral} == {1}
        assert per_referral.count() == ends[ReferralStatus.ACCEPTED]

    # Offers: never twice to one agent (the constraint), positions 1..n, and replaying the
    # events in order never shows two pending offers on one referral, nor an agent over
    # the pending-offer limit.
    assert not Offer.objects.values("referral", "agent").annotate(n=once).filter(n__gt=1)
    for r in referrals.values():
        positions = list(r.offers.order_by("position").values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1)), r
    closes = {EventKind.ACCEPTED, EventKind.REJECTED, EventKind.EXPIRED}
    by_referral: dict[int, list[tuple[int, str]]] = defaultdict(list)
    by_agent: dict[int, list[tuple[int, str]]] = defaultdict(list)
    offer_agent = dict(Offer.objects.values_list("pk", "agent_id"))
    canceled_offers = defaultdict(list)
    for offer_id, referral_id in Offer.objects.filter(status=OfferStatus.CANCELED).values_list(
        "pk", "referral_id"
    ):
        canceled_offers[referral_id].append(offer_id)
    for referral_id, offer_id, kind in ReferralEvent.objects.order_by("pk").values_list(
        "referral_id", "offer_id", "kind"
    ):
        by_referral[referral_id].append((offer_id, kind))
        if offer_id is not None:
            by_agent[offer_agent[offer_id]].append((offer_id, kind))
        elif kind == EventKind.CANCELED:
            for canceled in canceled_offers[referral_id]:
                by_agent[offer_agent[canceled]].append((canceled, EventKind.REJECTED))
    assert max(most_pending_at_once(e, closes) for e in by_referral.values()) == 1
    limit = settings.MAX_PENDING_OFFERS_PER_AGENT
    assert max(most_pending_at_once(e, closes) for e in by_agent.values()) <= limit
    expired = Offer.objects.filter(status=OfferStatus.EXPIRED)
    assert expired.exists(), "no offer expired: the load did not exercise the clock"
    # An expired offer was ended after its deadline, never before.
    assert not expired.filter(responded_at__lt=F("expires_at"))

    # Every message went out once: none pending or failed, one successful attempt per sent
    # message, nothing sent twice for one event and recipient, and the text provider (the
    # two workers' files together) got each sent text exactly once.
    assert not Message.objects.exclude(status__in=["sent", "suppressed"]).exists()
    sent = Message.objects.filter(status="sent")
    attempts = Counter(
        DeliveryAttempt.objects.filter(outcome=AttemptOutcome.SENT).values_list(
            "message_id", flat=True
        )
    )
    assert set(attempts) == set(sent.values_list("pk", flat=True))
    assert set(attempts.values()) == {1}
    assert set(sent.values_list("attempts", flat=True)) == {1}
    assert not (
        sent.values("to", "kind", "referral", "offer", "channel").annotate(n=once).filter(n__gt=1)
    )
    lines = [line for texts in texts_per_host for line in texts]
    assert Counter(line["id"] for line in lines).most_common(1)[0][1] == 1
    assert {line["id"] for line in lines} == set(
        sent.filter(channel="sms").values_list("provider_id", flat=True)
    )
    for kind in ("consumer_received", "consumer_accepted"):
        per = sent.filter(kind=kind).values("referral", "channel").annotate(n=once)
        assert {row["n"] for row in per} == {1}
    assert sent.filter(kind="consumer_received").count() == 2 * len(referrals)
    assert sent.filter(kind="consumer_accepted").count() == 2 * ends[ReferralStatus.ACCEPTED]
    # The missed-offer message is about an offer no longer pending, so it is not tied to
    # it like an offer alert: its event, "offer_missed:<offer>", starts its dedupe key.
    missed = Message.objects.filter(kind="offer_missed").values_list("dedupe_key", flat=True)
    assert {int(key.split(":")[1]) for key in missed} == set(expired.values_list("pk", flat=True))


def waiting_with_free_agents() -> list[str]:
    """Waiting referrals that an available agent with room, never offered them, could take."""
    found = []
    for r in Referral.objects.filter(status=ReferralStatus.WAITING):
        free = (
            Agent.objects.filter(is_available=True)
            .exclude(offers__status=OfferStatus.PENDING)
            .exclude(offers__referral=r)
        )
        if free.exists():
            found.append(f"{r.public_id} waiting since {r.waiting_since}: {free.count()} free")
    return found
