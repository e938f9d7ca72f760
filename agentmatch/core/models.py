"""The one table of core: each worker process says it is alive (see core/heartbeat.py)."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """One row per running worker process, updated at most every WORKER_HEARTBEAT_SECONDS.

    `/readyz` and `/metrics` read it: a worker that is stuck (a hung provider call, a
    lock it waits on) or gone stops moving `last_loop_at`, whatever its process says.
    A worker that stops cleanly deletes its row; rows of workers that died are deleted by
    the others an hour later (`heartbeat.STALE_AFTER`).
    """

    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    # When the worker last finished a whole loop (every item job run, sweeps when due).
    last_loop_at = models.DateTimeField()
    # {job name: ISO time its last run finished}: one JSON value, so the heartbeat stays
    # one UPDATE of one row however many jobs the apps register.
    jobs = models.JSONField(default=dict)
    # The lanes the process runs, comma-separated, "main" (the offer clock) first when it
    # is one of them (`agentmatch worker` runs the other lanes in a child process with a
    # row of its own). Rows written by a release before lanes had processes ran them all.
    lanes = models.CharField(max_length=200, default="main", db_default="main")

    class Meta:
        indexes = [models.Index(fields=["last_loop_at"], name="heartbeats_by_loop")]

    def __str__(self) -> str:
        return f"worker {self.hostname}:{self.pid}"
