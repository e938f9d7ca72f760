"""What every importer shares: records, outcomes, value parsers, streaming CSV, upserts.

An importer streams `Record`s (one per CSV row or XML producer) and applies them in
chunks; actions.import_file drives it inside one transaction. Bad values raise RowError
(the row is rejected with its line, the rest goes on); UnreadableFile stops the whole
file and changes nothing.
"""

import csv
import hashlib
import io
import os
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from django.db import models

from agentmatch.core.npn import normalize_npn, npn_key
from agentmatch.imports.models import ImportRun

CHUNK = 1000


class UnreadableFile(Exception):
    """The file as a whole cannot be imported (missing, wrong format, broken midway)."""

    code = "unreadable_file"
    field = "file"
    run: ImportRun | None = None  # the failed run import_file recorded

    @property
    def message(self) -> str:
        return str(self)


class RowError(ValueError):
    """One value of one row is wrong: the row is rejected, the import goes on."""


@dataclass(frozen=True)
class Record:
    line: int
    key: str  # what makes two lines "the same entry" in this file
    npn_key: str  # the agent it concerns
    data: Any
    raw: Sequence[str]

    @property
    def digest(self) -> str:
        # Normalised values, so "0012345" and "12345" with the same data are duplicates.
        return hashlib.blake2b(repr(self.data).encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    raw: Sequence[str]


@dataclass(frozen=True)
class Skipped:
    """A row for another plan year than the one asked for with --plan-year."""

    line: int


Item = Record | Rejected | Skipped


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class Context:
    now: datetime
    run: ImportRun
    plan_year: int | None = None  # --plan-year
    default_plan_year: int | None = None  # current plan year, when the file has none
    position: int = 0  # bytes read so far, for the progress bar
    notes: list[str] = field(default_factory=list)


class Importer(ABC):
    kind: str
    key_label: str  # for "conflicts with line N (same ...)"
    kept_as: str  # what is kept for an NPN without an agent yet, for the summary

    @abstractmethod
    def items(self, path: str, ctx: Context) -> Iterator[Item]:
        """Streams the file; raises UnreadableFile when it cannot go on."""

    @abstractmethod
    def apply(self, records: list[Record], ctx: Context) -> list[Outcome | Rejected]:
        """Writes a chunk of records (keys unique within it); one outcome per record."""


# --- Values -----------------------------------------------------------------------------


def parse_npn(value: str) -> tuple[str, str]:
    """Returns (npn, npn_key)."""
    try:
        npn = normalize_npn(value)
    except ValueError as exc:
        raise RowError(f"NPN {exc}") from exc
    return npn, npn_key(npn)


_DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")


def parse_date(value: str, label: str) -> date | None:
    text = (value or "").strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(f"{label} '{text}' is not a date (M/D/YYYY)")


_TRUE = {"y", "yes", "true", "t", "1"}
_FALSE = {"n", "no", "false", "f", "0", ""}


def parse_bool(value: str, label: str) -> bool:
    text = (value or "").strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise RowError(f"{label} '{value.strip()}' is not Y/N, Yes/No or TRUE/FALSE")


def parse_year(value: str, label: str = "plan year") -> int:
    text = (value or "").strip()
    if not (text.isdigit() and 2014 <= int(text) <= 2100):
        raise RowError(f"{label} '{text}' is not a plan year such as 2026")
    return int(text)


def choose_plan_year(value: str | None, ctx: Context) -> int | None:
    """The row's plan year; None when --plan-year asks for another year (skip the row)."""
    if value is not None and value.strip():
        year = parse_year(value)
        return None if ctx.plan_year is not None and year != ctx.plan_year else year
    fallback = ctx.plan_year or ctx.default_plan_year
    if fallback is None:
        raise RowError("plan year is blank and no --plan-year was given")
    return fallback


# --- CSV --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str  # the field name importers use
    label: str  # the header as documented, for messages
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, header: str) -> bool:
        key = header_key(header)
        return key == header_key(self.label) or key in {header_key(a) for a in self.aliases}


def header_key(text: str) -> str:
    """'NPN Valid (Current Plan Year Only)', 'npn_valid_current_plan_year_only' -> same key."""
    out = "".join(ch if ch.isalnum() else " " for ch in text.lower().replace("&", " and "))
    return " ".join(out.split())


class _Lines:
    """Binary lines decoded one at a time, so a bad byte is reported with its line."""

    def __init__(self, handle: io.BufferedReader, ctx: Context) -> None:
        self.handle, self.ctx, self.number = handle, ctx, 0

    def __iter__(self) -> Iterator[str]:
        for raw in self.handle:
            self.number += 1
            self.ctx.position += len(raw)
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UnreadableFile(
                    f"line {self.number}: not UTF-8 text (byte 0x{raw[exc.start]:02x} "
                    f"at column {exc.start + 1})"
                ) from exc
            yield text.removeprefix("\ufeff") if self.number == 1 else text


@dataclass(frozen=True)
class CsvRow:
    line: int
    values: dict[str, str]
    raw: list[str]
    error: str = ""


def csv_rows(path: str, columns: Sequence[Column], ctx: Context) -> Iterator[CsvRow]:
    """Yields each data row with its values by column name; skips blank lines."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise UnreadableFile(f"cannot open the file ({exc.strerror})") from exc
    try:
        lines = _Lines(handle, ctx)
        reader = csv.reader(iter(lines))
        try:
            header = next(reader, None)
            if header is None:
                raise UnreadableFile("the file is empty: expected a header row")
            index = _map_header(header, columns)
            needed = max((index[c.name] for c in columns if c.required), default=0) + 1
            while True:
                start = lines.number + 1
                row = next(reader, None)
                if row is None:
                    return
                if not any(v.strip() for v in row):
                    continue
                if len(row) < needed:
                    error = f"only {len(row)} fields where the header has {len(header)}"
                    yield CsvRow(start, {}, row, error)
                elif any(v.strip() for v in row[len(header) :]):
                    yield CsvRow(start, {}, row, "more fields than the header has columns")
                else:
                    values = {n: (row[i].strip() if i < len(row) else "") for n, i in index.items()}
                    yield CsvRow(start, values, row)
        except csv.Error as exc:
            raise UnreadableFile(f"line {lines.number}: not valid CSV ({exc})") from exc
    finally:
        handle.close()


Parsed = tuple[str, str, Any] | None  # (key, npn_key, data), or None to skip the row


def csv_items(
    path: str,
    columns: Sequence[Column],
    ctx: Context,
    parse: Callable[[dict[str, str]], Parsed],
) -> Iterator[Item]:
    """Turns CSV rows into records with `parse`; a RowError rejects just that row."""
    for row in csv_rows(path, columns, ctx):
        if row.error:
            yield Rejected(row.line, row.error, row.raw)
            continue
        try:
            parsed = parse(row.values)
        except RowError as exc:
            yield Rejected(row.line, str(exc), row.raw)
            continue
        if parsed is None:
            yield Skipped(row.line)
        else:
            key, agent_key, data = parsed
            yield Record(row.line, key, agent_key, data, row.raw)


def _map_header(header: list[str], columns: Sequence[Column]) -> dict[str, int]:
    index: dict[str, int] = {}
    for column in columns:
        for i, text in enumerate(header):
            if column.matches(text):
                index[column.name] = i
                break
    missing = [c.label for c in columns if c.required and c.name not in index]
    if missing:
        found = ", ".join(repr(h.strip()) for h in header[:12])[:300]
        raise UnreadableFile(
            f"line 1: missing required column(s) {', '.join(repr(m) for m in missing)} "
            f"(found {found or 'nothing'}); is this the right kind of file?"
        )
    return index


# --- Writing ----------------------------------------------------------------------------


def upsert_rows(
    model: type[models.Model],
    rows: list[tuple[tuple[Any, ...], dict[str, Any]]],
    key_fields: tuple[str, ...],
) -> list[Outcome]:
    """Creates or updates rows (key values, other values) of a model that has `npn_key`.

    One SELECT for the chunk, then bulk writes of only what differs, so re-importing the
    same file writes nothing. Updates go by primary key, which also works for keys that
    contain NULLs (a unique constraint does not see NULLs as equal).
    """
    keys = {dict(zip(key_fields, k, strict=True))["npn_key"] for k, _ in rows}
    existing = {
        tuple(getattr(obj, f) for f in key_fields): obj
        for obj in model._default_manager.filter(npn_key__in=keys)
    }
    outcomes: list[Outcome] = []
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    value_fields: set[str] = set()
    for key, values in rows:
        obj = existing.get(key)
        if obj is None:
            to_create.append(model(**dict(zip(key_fields, key, strict=True)), **values))
            outcomes.append(Outcome.CREATED)
            continue
        diff = {f: v for f, v in values.items() if getattr(obj, f) != v}
        if diff:
            for f, v in diff.items():
                setattr(obj, f, v)
            value_fields.update(diff)
            to_update.append(obj)
            outcomes.append(Outcome.UPDATED)
        else:
            outcomes.append(Outcome.UNCHANGED)
    model._default_manager.bulk_create(to_create, batch_size=CHUNK)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(value_fields), batch_size=CHUNK)
    return outcomes


class RejectSink:
    """Rejected rows: the first few to stderr, all of them to --rejects FILE if asked.

    The file is written to a temporary name and only moved into place when the import
    succeeds, so a failed import never leaves a half-written rejects file behind.
    """

    SHOW = 20

    def __init__(
        self,
        path: str | None,
        show: Callable[[str], object] | None,
        keep: Callable[[Rejected], object] | None = None,
    ) -> None:
        self.path, self.show, self.keep, self.count = path, show, keep, 0
        self._tmp: Any = None
        self._writer: Any = None
        if path:
            directory = os.path.dirname(os.path.abspath(path))
            try:
                self._tmp = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in finish
                    "w", newline="", encoding="utf-8", dir=directory, delete=False, suffix=".tmp"
                )
            except OSError as exc:
                raise UnreadableFile(f"cannot write the rejects file {path} ({exc})") from exc
            self._writer = csv.writer(self._tmp)
            self._writer.writerow(["line", "reason", "raw"])

    def add(self, rejected: Rejected) -> None:
        self.count += 1
        if self.keep is not None:
            self.keep(rejected)
        if self.count <= self.SHOW and self.show is not None:
            self.show(f"line {rejected.line}: rejected: {rejected.reason}")
        if self._writer is not None:
            raw = io.StringIO()
            csv.writer(raw, lineterminator="").writerow(rejected.raw)
            self._writer.writerow([rejected.line, rejected.reason, raw.getvalue()])

    def finish(self, *, keep: bool) -> None:
        if self.count > self.SHOW and self.show is not None:
            more = f" (all in {self.path})" if self.path and keep else ""
            self.show(f"... and {self.count - self.SHOW} more rejected rows{more}")
        if self._tmp is None:
            return
        self._tmp.close()
        if keep and self.path:
            os.replace(self._tmp.name, self.path)
        else:
            os.unlink(self._tmp.name)


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while block := handle.read(1 << 20):
                digest.update(block)
    except OSError as exc:
        raise UnreadableFile(f"cannot read the file ({exc.strerror})") from exc
    return digest.hexdigest()
