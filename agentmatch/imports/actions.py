"""Importing a file: the action behind every import command.

Order of events for a readable file:
  1. in one durable transaction: stream the file in chunks, reject bad rows, write the
     rest; refresh RoutingState for the agents whose data changed (a roster row that
     creates an agent counts: its licenses, registration and training, kept by NPN from
     earlier imports, apply at once); record the ImportRun;
  2. after commit: offer waiting referrals to agents who gained a state, each in its own
     short transaction as the worker does, so a newly eligible agent gets work at once.
A file that cannot be read rolls back step 1 entirely and is recorded as a failed run.
Because every CMS fact is kept by NPN, the four files may come in any order.
"""

import os
from collections.abc import Callable
from datetime import datetime
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from agentmatch.agents.models import Agent
from agentmatch.agents.ownership import GUARDED
from agentmatch.eligibility.services import refresh_routing_states
from agentmatch.imports.base import (
    CHUNK,
    Context,
    Importer,
    Item,
    Outcome,
    Record,
    Rejected,
    RejectSink,
    Skipped,
    UnreadableFile,
    sha256_of,
)
from agentmatch.imports.models import (
    ImportedKey,
    ImportKind,
    ImportRun,
    ImportStatus,
    ProfileConflict,
)
from agentmatch.imports.nipr import NiprImporter
from agentmatch.imports.rcl import RclImporter
from agentmatch.imports.report import ImportReport
from agentmatch.imports.roster import RosterImporter
from agentmatch.imports.rtl import RtlImporter
from agentmatch.planyears.services import NoCurrentPlanYear, current_plan_year
from agentmatch.referrals.models import Referral, ReferralStatus
from agentmatch.referrals.services import offer_waiting_referrals

IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.RCL: RclImporter,
    ImportKind.RTL: RtlImporter,
    ImportKind.NIPR: NiprImporter,
    ImportKind.ROSTER: RosterImporter,
}


def import_file(
    *,
    kind: str,
    path: str,
    now: datetime,
    plan_year: int | None = None,
    rejects_path: str | None = None,
    show_rejected: Callable[[str], object] | None = None,
    show_progress: bool = False,
    progress: Callable[[int, int], object] | None = None,
    on_rejected: Callable[[Rejected], object] | None = None,
    file_name: str | None = None,
) -> ImportReport:
    """Imports one file of this kind; raises UnreadableFile (after recording the failure).

    `progress(bytes_read, size)` is called after each chunk is written, `on_rejected` with
    each rejected row (a web upload keeps the first few); `file_name` is what the run
    records when `path` is a temporary copy."""
    importer = IMPORTERS[kind]()
    name = (file_name or path)[:500]
    sha = ""
    sink: RejectSink | None = None
    try:
        sha = sha256_of(path)
        sink = RejectSink(rejects_path, show_rejected, on_rejected)
        with transaction.atomic(durable=True):
            report = _import(
                importer, path, name, sha, plan_year, now, sink, show_progress, progress
            )
    except BaseException as exc:
        if sink is not None:
            sink.finish(keep=False)
        reason = str(exc) if isinstance(exc, UnreadableFile) else f"{type(exc).__name__}: {exc}"
        # After the rollback, in a transaction of its own: the attempt itself is auditable.
        with transaction.atomic(durable=True):
            failed = ImportRun.objects.create(
                kind=importer.kind,
                file_name=name,
                sha256=sha,
                plan_year=plan_year,
                started_at=now,
                finished_at=timezone.now(),
                status=ImportStatus.FAILED,
                failure_reason=reason,
            )
        if isinstance(exc, UnreadableFile):
            exc.run = failed
        raise
    sink.finish(keep=True)
    report.referrals_offered = _offer_waiting(report.gained_ids)
    return report


def _import(
    importer: Importer,
    path: str,
    name: str,
    sha: str,
    plan_year: int | None,
    now: datetime,
    sink: RejectSink,
    show_progress: bool,
    progress: Callable[[int, int], object] | None,
) -> ImportReport:
    run = ImportRun.objects.create(
        kind=importer.kind, file_name=name, sha256=sha, plan_year=plan_year, started_at=now
    )
    try:
        current = current_plan_year()
    except NoCurrentPlanYear:
        current = None
    ctx = Context(
        now=now,
        run=run,
        plan_year=plan_year,
        default_plan_year=current.year if current else None,
    )
    size = os.path.getsize(path)
    with tqdm(
        total=size, unit="B", unit_scale=True, desc=importer.kind, disable=not show_progress
    ) as bar:
        items = importer.items(path, ctx)
        while chunk := list(islice(items, CHUNK)):
            _apply_chunk(importer, chunk, ctx, sink)
            bar.update(ctx.position - bar.n)
            if progress is not None:
                progress(min(ctx.position, size), size)

    report = ImportReport(run, kept_as=importer.kept_as)
    conflicts = ProfileConflict.objects.filter(import_run=run)
    report.conflict_agents = conflicts.values("agent").distinct().count()
    found = set(conflicts.values_list("field", flat=True))
    report.conflict_fields = tuple(f.label for f in GUARDED if f.name in found)
    run.npns_without_agent = (
        ImportedKey.objects.filter(run=run)
        .exclude(npn_key__in=Agent.objects.values("npn_key"))
        .values("npn_key")
        .distinct()
        .count()
    )
    changed = ImportedKey.objects.filter(run=run, changed=True).values("npn_key")
    affected = Agent.objects.filter(npn_key__in=changed).order_by("pk")
    if current is not None:
        report.routing_refreshed = True
        report.agents_refreshed = affected.count()
        report.gained_ids = refresh_routing_states(
            agents=affected.iterator(chunk_size=2000), plan_year=current, today=now.date()
        )
        report.agents_gained = len(report.gained_ids)
    ImportedKey.objects.filter(run=run).delete()
    run.status = ImportStatus.SUCCEEDED
    run.finished_at = timezone.now()
    run.save()
    return report


_KeyRow = tuple[int, str, str, str, int, bool]  # run_id, key, npn_key, digest, line, changed


def _apply_chunk(importer: Importer, chunk: list[Item], ctx: Context, sink: RejectSink) -> None:
    run = ctx.run
    rejects: list[Rejected] = []
    records = [item for item in chunk if isinstance(item, Record)]
    seen = {
        key: (digest, line)
        for key, digest, line in ImportedKey.objects.filter(
            run=run, key__in={r.key for r in records}
        ).values_list("key", "digest", "line")
    }
    fresh: list[Record] = []
    for item in chunk:
        run.rows_read += 1
        if isinstance(item, Rejected):
            rejects.append(item)
        elif isinstance(item, Skipped):
            run.skipped += 1
        elif (previous := seen.get(item.key)) is None:
            seen[item.key] = (item.digest, item.line)
            fresh.append(item)
        elif previous[0] == item.digest:
            run.duplicates += 1  # the same entry again: counted once
        else:
            reason = (
                f"conflicts with line {previous[1]} (same {importer.key_label}, "
                "different values); the earlier line was kept"
            )
            rejects.append(Rejected(item.line, reason, item.raw))

    outcomes = importer.apply(fresh, ctx) if fresh else []
    keys: list[_KeyRow] = []
    for record, outcome in zip(fresh, outcomes, strict=True):
        if isinstance(outcome, Rejected):
            rejects.append(outcome)
            continue
        setattr(run, outcome.value, getattr(run, outcome.value) + 1)
        changed = outcome in (Outcome.CREATED, Outcome.UPDATED)
        keys.append((run.pk, record.key, record.npn_key, record.digest, record.line, changed))
    _remember_keys(keys)
    for rejected in sorted(rejects, key=lambda r: r.line):  # in file order, whatever the cause
        run.rejected += 1
        sink.add(rejected)


def _remember_keys(rows: list[_KeyRow]) -> None:
    # A plain executemany: bulk_create's per-object overhead was half the import's time.
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in ("run_id", "key", "npn_key", "digest", "line", "changed"))
    table = quote(ImportedKey._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _offer_waiting(agent_ids: set[int]) -> int:
    if not agent_ids or not Referral.objects.filter(status=ReferralStatus.WAITING).exists():
        return 0
    offered = 0
    for agent_id in sorted(agent_ids):
        # The real clock, not the import's `now`: a large file may have taken minutes.
        with transaction.atomic():
            agent = Agent.objects.filter(pk=agent_id).first()
            if agent is not None:
                offered += offer_waiting_referrals(now=timezone.now(), agent=agent)
    return offered
