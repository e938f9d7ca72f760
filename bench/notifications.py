"""Offer notifications end to end: from Offer.offered_at to the provider receiving it.

    python -m bench.notifications [--offers 300] [--rate 10] [--workers 1] [--keep]
    python -m bench.notifications --drain [--offers 1000] [--workers 1]

On a PostgreSQL bench database (bench_notify, created and dropped here) with agents who
chose "Email, Text & App Notification", referrals are created in this process through
create_referral at --rate per second. `python -m agentmatch worker` (--workers of them)
runs as subprocesses and delivers the outbox to real peers on loopback started here: an
SMTP server (aiosmtpd), a stub of Twilio's Messages API and a Web Push service that
checks VAPID and decrypts each payload. For every offer, latency per channel is the time
from offered_at to the peer receiving the message. Only 127.0.0.1 is contacted.
Ends with one SUMMARY line.

`--drain` measures throughput instead: the referrals are all made first, with no worker
running, then the workers start and empty the outbox. `messages_per_s` counts every
message the peers received (the consumers' too) between the first receipt and the last,
so the workers' start-up is not in it; `worker_cpu_ms_per_message` is the workers' CPU
(each worker and its lanes' process, where delivery runs)
over the whole run divided by the messages. pgbench `-N` runs just before, on the same
machine, and each figure is reported beside it.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from typing import Any

from bench.common import DATA_DIR, PG_SERVER, ROOT, machine, percentile, summary

DB = os.environ.get("BENCH_NOTIFY_DB", "bench_notify")
ZIPS = ["53703", "53711", "53704", "53705", "53713", "53714", "53715", "53716", "53717"]


def reset_database(*, create: bool) -> None:
    """Drops the bench database, and creates it empty again if asked."""
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{DB}"')


def setup_django() -> None:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DB}"
    os.environ["AGENTMATCH_DATA_DIR"] = str(DATA_DIR)
    os.environ["DJANGO_SETTINGS_MODULE"] = "agentmatch.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The stub push service listens on loopback.
    os.environ["PUSH_SERVICE_HOSTS"] = "127.0.0.1"
    import django

    django.setup()


def make_agents(count: int, push: Any) -> dict[str, Any]:
    """Agents near Madison, WI, each with email, a cell phone and one push subscription."""
    from django.db import transaction
    from django.utils import timezone

    from agentmatch.agents.models import Agent, ContactMethod
    from agentmatch.notifications.subscriptions import subscribe
    from agentmatch.testing import make_agent, plan_year_2026

    plan_year_2026()
    agents = {}
    for i in range(count):
        with transaction.atomic():
            agent = make_agent(zip_code=ZIPS[i % len(ZIPS)], licensed=["WI"])
            Agent.objects.filter(pk=agent.pk).update(contact_method=ContactMethod.EMAIL_TEXT_APP)
            endpoint, keys = push.new_endpoint()
            subscribe(
                agent=agent,
                endpoint=endpoint,
                p256dh=keys.p256dh,
                auth=keys.auth,
                user_agent="bench",
                now=timezone.now(),
            )
        agents[agent.pk] = agent
    return agents


def enqueue_if_missing(offer: Any, now: datetime) -> bool:
    """Until create_referral enqueues offer messages itself, the bench does (same channels)."""
    from agentmatch.notifications.models import Message

    if Message.objects.filter(offer=offer).exists():
        return False
    from agentmatch.referrals.messages import notify_new_offer

    notify_new_offer(offer=offer, now=now)
    return True


def create_referrals(count: int, rate: float) -> tuple[dict[int, float], int]:
    """Referrals at `rate` per second; returns offered_at (epoch s) per agent id."""
    from django.db import transaction
    from django.utils import timezone

    from agentmatch.planyears.services import current_plan_year, served_states
    from agentmatch.referrals.intake import validate_contact_request
    from agentmatch.referrals.services import create_referral

    plan_year = current_plan_year()
    states = served_states(plan_year)
    offered_at: dict[int, float] = {}
    enqueued_by_bench = 0
    start = time.monotonic()
    for i in range(count):
        time.sleep(max(0.0, start + i / rate - time.monotonic()))
        request = validate_contact_request(
            plan_year=plan_year,
            served_states=states,
            first_name="Bench",
            last_name=f"Consumer{i}",
            # One open request per phone; no bench agent has a 414 number.
            phone=f"414-555-{i % 10000:04d}",
            email="consumer@example.com",
            zip_code="53703",
            language="en",
            consent=True,
        )
        with transaction.atomic():
            now = timezone.now()
            referral, _token = create_referral(request=request, plan_year=plan_year.year, now=now)
            offer = referral.offers.filter(status="pending").first()
            if offer is None:
                continue
            enqueued_by_bench += enqueue_if_missing(offer, now)
        offered_at[offer.agent_id] = offer.offered_at.timestamp()
    return offered_at, enqueued_by_bench


def start_workers(count: int, env: dict[str, str]) -> list[subprocess.Popen]:
    log = (DATA_DIR / "notify-worker.log").open("w")
    return [
        subprocess.Popen(
            [sys.executable, "-m", "agentmatch", "worker"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        for _ in range(count)
    ]


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def lanes_pids(worker_pids: list[int]) -> list[int]:
    from bench.http_load import lanes_pids as found

    return found(worker_pids)


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (0 once it is gone)."""
    from bench.http_load import _cpu_seconds

    return _cpu_seconds(pid)


def drain(
    args: argparse.Namespace, env: dict[str, str], peers: tuple[Any, Any, Any]
) -> dict[str, Any]:
    """Makes every referral first, then times the workers emptying the outbox."""
    from agentmatch.notifications.models import Message, MessageStatus
    from bench.pgbench import measure

    smtp, twilio, push = peers
    yardstick = measure(mode="simple-update", seconds=10)
    create_referrals(args.offers, rate=1e9)
    queued = Message.objects.filter(status=MessageStatus.PENDING).count()
    workers = start_workers(args.workers, env)
    deadline = time.monotonic() + 600
    cpu: dict[int, float] = {}
    try:
        while time.monotonic() < deadline:
            received = len(smtp.inbox.messages) + len(twilio.texts) + len(push.pushes)
            # Each worker and its lanes' process (the delivery runs there).
            family = [w.pid for w in workers] + lanes_pids([w.pid for w in workers])
            cpu = {pid: cpu_seconds(pid) or cpu.get(pid, 0.0) for pid in {*cpu, *family}}
            if received >= queued:
                break
            time.sleep(0.05)
    finally:
        stop_workers(workers)
    times = sorted(
        list(smtp.inbox.received_at)
        + [t.received_at for t in twilio.texts]
        + [p.received_at for p in push.pushes]
    )
    received = len(times)
    span = times[-1] - times[0] if received > 1 else 0.0
    rate = (received - 1) / span if span else 0.0
    return {
        "mode": "drain",
        "offers": args.offers,
        "workers": args.workers,
        "messages_queued": queued,
        "messages_received": received,
        "messages_not_sent": Message.objects.exclude(status=MessageStatus.SENT).count(),
        "drain_s": round(span, 2),
        "messages_per_s": round(rate, 1),
        "worker_cpu_ms_per_message": round(sum(cpu.values()) * 1000 / max(received, 1), 2),
        "pgbench_simple_update_tps": yardstick["tps"],
        "messages_per_s_per_pgbench_tps": round(rate / yardstick["tps"], 4),
    }


def latencies_ms(received: list[tuple[str, float]], offered: dict[str, float]) -> list[float]:
    """Receipt time minus offered_at, for every receipt addressed to an offered agent."""
    return [(at - offered[to]) * 1000 for to, at in received if to in offered]


def latency_run(
    args: argparse.Namespace,
    env: dict[str, str],
    agents: dict[str, Any],
    peers: tuple[Any, Any, Any],
) -> dict[str, Any]:
    """Referrals at --rate with the workers running: offered_at to receipt, per channel."""
    from agentmatch.notifications.models import Message, MessageStatus

    smtp, twilio, push = peers
    workers = start_workers(args.workers, env)
    try:
        time.sleep(2)  # let the workers start and drain startup work
        offered_at, enqueued_by_bench = create_referrals(args.offers, args.rate)
        by_email = {a.email: offered_at[pk] for pk, a in agents.items() if pk in offered_at}
        by_phone = {a.cell_phone: offered_at[pk] for pk, a in agents.items() if pk in offered_at}
        by_path = {
            s.endpoint.removeprefix(push.base_url): offered_at[s.agent_id]
            for a in agents.values()
            for s in a.push_subscriptions.all()
            if s.agent_id in offered_at
        }
        deadline = time.monotonic() + 60
        expected = len(offered_at)

        def counts() -> tuple[int, int, int]:
            emails = sum(1 for m in smtp.inbox.messages if m["To"] in by_email)
            texts = sum(1 for t in twilio.texts if t.to in by_phone)
            pushes = sum(1 for p in push.pushes if p.path in by_path)
            return emails, texts, pushes

        while time.monotonic() < deadline and min(counts()) < expected:
            time.sleep(0.1)
        emails, texts, pushes = counts()
    finally:
        stop_workers(workers)
    email_ms = latencies_ms(
        [
            (str(m["To"]), at)
            for m, at in zip(smtp.inbox.messages, smtp.inbox.received_at, strict=True)
        ],
        by_email,
    )
    sms_ms = latencies_ms([(t.to, t.received_at) for t in twilio.texts], by_phone)
    push_ms = latencies_ms([(p.path, p.received_at) for p in push.pushes], by_path)
    figures: dict[str, Any] = {
        "offers": expected,
        "rate_per_s": args.rate,
        "workers": args.workers,
        "offer_messages_enqueued_by_bench": enqueued_by_bench,
        "emails_received": emails,
        "texts_received": texts,
        "pushes_received": pushes,
        # Each offered agent must get exactly one text and one push (and one offer email).
        "duplicates": (texts - len({t.to for t in twilio.texts if t.to in by_phone}))
        + (pushes - len({p.path for p in push.pushes if p.path in by_path}))
        + (emails - len({m["To"] for m in smtp.inbox.messages if m["To"] in by_email})),
        "push_rejected": len(push.rejected),
        "messages_not_sent": Message.objects.exclude(status=MessageStatus.SENT).count(),
    }
    for name, values in (("email", email_ms), ("sms", sms_ms), ("push", push_ms)):
        figures[f"{name}_p50_ms"] = round(percentile(values, 50), 1)
        figures[f"{name}_p99_ms"] = round(percentile(values, 99), 1)
        figures[f"{name}_max_ms"] = round(max(values), 1) if values else None
    figures["all_p99_ms"] = round(percentile(email_ms + sms_ms + push_ms, 99), 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--offers", type=int, default=300)
    parser.add_argument("--rate", type=float, default=10.0, help="referrals per second")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument(
        "--drain", action="store_true", help="throughput: fill the outbox, then empty it"
    )
    args = parser.parse_args()

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    reset_database(create=True)
    setup_django()
    from django.core.management import call_command

    from agentmatch.notifications.tests.stubs import PushServiceStub, SmtpServer, TwilioStub

    call_command("migrate", verbosity=0)
    smtp, twilio, push = SmtpServer(), TwilioStub(), PushServiceStub()
    smtp.start()
    twilio.start()
    push.start()
    try:
        agents = make_agents(args.offers, push)
        # Agents made here were "invited long ago": no invitation emails in the measurement.
        from bench.http_load import settle_invitations

        settle_invitations()
        env = {
            **os.environ,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            **{k: str(v) for k, v in twilio.settings().items()},
            **{k: v for k, v in push.settings().items() if isinstance(v, str)},
            "PUSH_SERVICE_HOSTS": "127.0.0.1",
        }
        if args.drain:
            figures = drain(args, env, (smtp, twilio, push))
        else:
            figures = latency_run(args, env, agents, (smtp, twilio, push))
    finally:
        smtp.stop()
        twilio.stop()
        push.stop()
    for key, value in {**machine(), **figures}.items():
        print(f"{key}: {value}")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        reset_database(create=False)
    summary("notifications", **figures)


if __name__ == "__main__":
    main()
