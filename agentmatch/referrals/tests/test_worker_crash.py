"""A worker killed mid-run and restarted loses nothing and double-assigns nothing."""

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from agentmatch.referrals.models import Offer, OfferStatus, Referral, ReferralStatus
from agentmatch.referrals.services import OfferConflict, accept_offer, cancel_referral
from agentmatch.testing import make_agent, make_referral, plan_year_2026

pytestmark = pytest.mark.django_db(transaction=True)

WISCONSIN = ["53711", "53202", "54601", "54301", "53590", "53511", "53081", "54481", "54701"]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def start_worker(tmp_path: Path) -> subprocess.Popen:
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        OFFER_WINDOW_SECONDS="1",
        MAX_WAIT_SECONDS="4",
        WORKER_IDLE_SLEEP_SECONDS="0.05",
        WORKER_WAITING_SWEEP_SECONDS="0.3",
        # Not what this test is about, and on a slow machine every offer of the first
        # round can expire before the test answers one: paused, all agents would be gone.
        PAUSE_AGENT_AFTER_MISSED_OFFER="false",
        LOG_LEVEL="WARNING",
    )
    log = (tmp_path / "worker.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "agentmatch", "worker"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=settings.BASE_DIR,
    )


def settled() -> bool:
    now = timezone.now()
    overdue_offers = Offer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=now)
    overdue_waits = Referral.objects.filter(status=ReferralStatus.WAITING, wait_expires_at__lte=now)
    return not overdue_offers.exists() and not overdue_waits.exists()


def test_worker_killed_mid_run_and_restarted_leaves_every_referral_in_a_valid_state(
    tmp_path, settings
):
    settings.OFFER_WINDOW_SECONDS = 1
    settings.MAX_WAIT_SECONDS = 4
    settings.PAUSE_AGENT_AFTER_MISSED_OFFER = False
    plan_year_2026()
    agents = [make_agent(zip_code=z, licensed=["WI"]) for z in WISCONSIN]
    referrals = [make_referral(zip_code="53703") for _ in range(30)]
    rng = random.Random(7)

    worker = start_worker(tmp_path)
    try:
        # At least 1.5 s of traffic, and until some agent has accepted (a loaded machine
        # may let the first offers expire before the worker has even started).
        started = time.monotonic()
        while time.monotonic() - started < 1.5 or (
            not Referral.objects.filter(status="accepted").exists()
            and time.monotonic() - started < 30
        ):
            # Agents answer and consumers cancel while the worker cascades offers.
            pending = list(Offer.objects.filter(status=OfferStatus.PENDING)[:3])
            for offer in pending:
                try:
                    with transaction.atomic():
                        accept_offer(offer_id=offer.pk, agent=offer.agent, now=timezone.now())
                except OfferConflict:
                    pass
            victim = rng.choice(referrals)
            try:
                with transaction.atomic():
                    cancel_referral(referral_id=victim.pk, now=timezone.now())
            except Exception:
                pass
            time.sleep(0.1)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

        # Nothing happens while no worker runs: offers sit past their window.
        time.sleep(1.2)
        worker = start_worker(tmp_path)
        give_up = time.monotonic() + 30
        # Judged while the worker runs: once it is stopped, more waits fall due.
        caught_up = settled()
        while not caught_up and time.monotonic() < give_up:
            time.sleep(0.2)
            caught_up = settled()
    finally:
        worker.terminate()
        worker.wait(timeout=10)

    assert caught_up, "restarted worker did not catch up"
    valid = {"accepted", "offered", "waiting", "unmatched", "canceled"}
    for referral in Referral.objects.all():
        assert referral.status in valid
        pending = referral.offers.filter(status=OfferStatus.PENDING).count()
        accepted = referral.offers.filter(status=OfferStatus.ACCEPTED).count()
        assert accepted <= 1 and pending <= 1
        assert (referral.status == "offered") == (pending == 1), referral
        assert (referral.status == "accepted") == (accepted == 1), referral
    assert Referral.objects.filter(status="accepted").exists()
    assert len(agents) == len(WISCONSIN)
