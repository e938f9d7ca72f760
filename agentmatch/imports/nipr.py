"""NIPR PDB producer report (XML): state licenses and lines of authority per producer.

Streamed with iterparse, one PRODUCER element at a time, each removed from the tree once
read. The file is the truth for the producers it contains: a license or line of authority
we hold for such a producer but the file no longer lists is deleted. Licenses are kept by
NPN whether or not the roster has the agent yet: they apply from the moment it does.
"""

import io
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from agentmatch.agents.models import Agent
from agentmatch.core.states import normalize_state
from agentmatch.imports.base import (
    Context,
    Importer,
    Item,
    Outcome,
    Record,
    Rejected,
    RowError,
    UnreadableFile,
    parse_bool,
    parse_date,
    parse_npn,
)
from agentmatch.imports.models import ImportKind
from agentmatch.licensing.loa import is_health_line
from agentmatch.licensing.models import License, LineOfAuthority


@dataclass(frozen=True)
class LineData:
    name: str
    code: str
    is_active: bool
    is_health: bool
    issued_on: date | None


@dataclass(frozen=True)
class LicenseData:
    state: str
    license_number: str
    license_class: str
    is_resident: bool
    is_active: bool
    issued_on: date | None
    expires_on: date | None
    lines: tuple[LineData, ...]


LICENSE_FIELDS = (
    "license_number",
    "license_class",
    "is_resident",
    "is_active",
    "issued_on",
    "expires_on",
)
_RESIDENT = ("R", "RESIDENT")
LINE_FIELDS = ("code", "is_active", "is_health", "issued_on")


class _LineFeeder(io.RawIOBase):
    """Hands iterparse one line per read, so events can be tied to the line they are on."""

    def __init__(self, handle: io.BufferedReader, ctx: Context) -> None:
        self.handle, self.ctx = handle, ctx
        self.number = 0  # the line the parser is on
        self._line_start = True

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.handle.readline(max(size, 1 << 16))
        if data:
            self.ctx.position += len(data)
            self.number += self._line_start
            self._line_start = data.endswith(b"\n")
        return data


def _text(elem: ET.Element | None, name: str) -> str:
    if elem is None:
        return ""
    found = elem.find(name)
    return (found.text or "").strip() if found is not None else ""


def parse_producer(elem: ET.Element) -> tuple[str, str, tuple[LicenseData, ...]]:
    """Returns (npn, name, licenses); raises RowError naming the bad value."""
    bio = next(elem.iter("BIOGRAPHIC"), None)
    npn_text = _text(bio, "NPN") or _text(bio, "ID_ENTITY")
    if not npn_text:
        npn_text = next((e.text or "" for e in elem.iter("NPN")), "")
    npn, _key = parse_npn(npn_text)
    name = f"{_text(bio, 'NAME_FIRST')} {_text(bio, 'NAME_LAST')}".strip()
    if elem.find(".//PRODUCER_LICENSING") is None:
        # Without the section we cannot tell "no licenses" from "not reported": keep ours.
        raise RowError("no PRODUCER_LICENSING section; licenses left as they were")
    by_state: dict[str, list[ET.Element]] = defaultdict(list)
    for state_elem in elem.iterfind(".//LICENSE_INFORMATION/STATE"):
        raw_state = state_elem.get("name") or state_elem.get("NAME") or ""
        try:
            state = normalize_state(raw_state)
        except ValueError as exc:
            raise RowError(f"STATE name {exc}") from exc
        by_state[state].extend(state_elem.findall("LICENSE"))
    licenses = tuple(
        _merge_state(state, elems) for state, elems in sorted(by_state.items()) if elems
    )
    return npn, name, licenses


def _merge_state(state: str, elems: list[ET.Element]) -> LicenseData:
    """One License per state: NIPR may list several (e.g. producer and adjuster)."""
    parsed = []
    for lic in elems:
        where = f"{state} LICENSE {_text(lic, 'LICENSE_NUM') or '(no number)'}"
        try:
            active = parse_bool(_text(lic, "ACTIVE"), "ACTIVE")
            issued = parse_date(_text(lic, "DATE_ISSUE_LICENSE_ORIG"), "DATE_ISSUE_LICENSE_ORIG")
            expires = parse_date(_text(lic, "DATE_EXPIRE_LICENSE"), "DATE_EXPIRE_LICENSE")
            lines = []
            for detail in lic.iterfind("DETAILS/DETAIL"):
                line_name = (_text(detail, "LOA") or _text(detail, "LOA_CODE"))[:200]
                if not line_name:
                    continue
                when = parse_date(_text(detail, "AUTHORITY_ISSUE_DATE"), "AUTHORITY_ISSUE_DATE")
                # Only "Active" counts: an unexpected status must not make anyone eligible.
                line_active = active and _text(detail, "STATUS").lower() == "active"
                lines.append((line_name, _text(detail, "LOA_CODE")[:20], line_active, when))
        except RowError as exc:
            raise RowError(f"{where}: {exc}") from exc
        parsed.append((lic, active, issued, expires, lines))

    merged: dict[str, LineData] = {}
    for _lic, _active, _issued, _expires, lines in parsed:
        for line_name, code, line_active, when in lines:
            old = merged.get(line_name)
            if old is not None:
                line_active = line_active or old.is_active
                code = old.code or code
                when = min((d for d in (old.issued_on, when) if d), default=None)
            merged[line_name] = LineData(
                line_name, code, line_active, is_health_line(line_name), when
            )
    # The license shown is the first active one with an active line, else the first.
    primary = next((p for p in parsed if p[1] and any(ln[2] for ln in p[4])), None)
    primary = primary or next((p for p in parsed if p[1]), parsed[0])
    lic, active, issued, expires, _lines = primary
    return LicenseData(
        state=state,
        license_number=_text(lic, "LICENSE_NUM")[:40],
        license_class=(_text(lic, "LICENSE_CLASS") or _text(lic, "LICENSE_CLASS_CODE"))[:100],
        is_resident=any(_text(p[0], "RESIDENCY_STATUS").upper() in _RESIDENT for p in parsed),
        is_active=any(p[1] for p in parsed),
        issued_on=issued,
        expires_on=expires,
        lines=tuple(merged[name] for name in sorted(merged)),
    )


class NiprImporter(Importer):
    kind = ImportKind.NIPR
    key_label = "NPN"
    kept_as = "licenses"

    def items(self, path: str, ctx: Context) -> Iterator[Item]:
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed in the finally below
        except OSError as exc:
            raise UnreadableFile(f"cannot open the file ({exc.strerror})") from exc
        feeder = _LineFeeder(handle, ctx)
        stack: list[ET.Element] = []
        start_line = 0
        try:
            for event, elem in ET.iterparse(feeder, events=("start", "end")):
                if event == "start":
                    elem.tag = elem.tag.rsplit("}", 1)[-1]  # ignore any namespace
                    if not stack and elem.tag != "PDB":
                        raise UnreadableFile(
                            f"line {feeder.number}: the root element is <{elem.tag}>, "
                            "expected <PDB> (a NIPR PDB producer report)"
                        )
                    if elem.tag == "PRODUCER":
                        start_line = feeder.number
                    stack.append(elem)
                    continue
                stack.pop()
                if elem.tag != "PRODUCER":
                    continue
                yield self._item(elem, start_line)
                if stack:
                    stack[-1].remove(elem)  # constant memory: drop what we have read
        except ET.ParseError as exc:
            line, column = exc.position
            message = str(exc).split(":")[0]
            raise UnreadableFile(
                f"line {line}: not well-formed XML ({message} at column {column + 1})"
            ) from exc
        finally:
            handle.close()

    def _item(self, elem: ET.Element, line: int) -> Item:
        bio = next(elem.iter("BIOGRAPHIC"), None)
        raw = [_text(bio, "NPN") or _text(bio, "ID_ENTITY"), _text(bio, "NAME_LAST")]
        try:
            npn, _name, licenses = parse_producer(elem)
        except RowError as exc:
            return Rejected(line, f"PRODUCER: {exc}", raw)
        _npn, key = parse_npn(npn)
        return Record(line, key, key, licenses, raw)

    def apply(self, records: list[Record], ctx: Context) -> list[Outcome | Rejected]:
        keys = [r.npn_key for r in records]
        held: dict[str, dict[str, License]] = defaultdict(dict)
        for lic in License.objects.filter(npn_key__in=keys):
            held[lic.npn_key][lic.state] = lic
        held_lines: dict[int, dict[str, LineOfAuthority]] = defaultdict(dict)
        for line in LineOfAuthority.objects.filter(license__npn_key__in=keys):
            held_lines[line.license_id][line.name] = line
        # Only agents without a home state learn it from here (see _Writer.sync_producer).
        homeless = set(
            Agent.objects.filter(npn_key__in=keys, home_state="").values_list("npn_key", flat=True)
        )

        writer = _Writer()
        outcomes: list[Outcome | Rejected] = []
        for record in records:
            had_any = bool(held.get(record.npn_key))
            changed = writer.sync_producer(
                record.npn_key, record.data, held.get(record.npn_key, {}), held_lines
            )
            if record.npn_key in homeless:
                changed |= _set_home_state(record.npn_key, record.data)
            if not changed:
                outcomes.append(Outcome.UNCHANGED)
            else:
                outcomes.append(Outcome.UPDATED if had_any else Outcome.CREATED)
        writer.flush()
        return outcomes


def _set_home_state(key: str, licenses: tuple[LicenseData, ...]) -> bool:
    """The resident state is the home state of an agent who has none (the roster's wins)."""
    resident = next((lic.state for lic in licenses if lic.is_resident), "")
    if not resident:
        return False
    return bool(Agent.objects.filter(npn_key=key, home_state="").update(home_state=resident))


class _Writer:
    """Collects a chunk's license and line changes and writes them in bulk."""

    def __init__(self) -> None:
        self.new_licenses: list[tuple[License, tuple[LineData, ...]]] = []
        self.changed_licenses: list[License] = []
        self.new_lines: list[LineOfAuthority] = []
        self.changed_lines: list[LineOfAuthority] = []
        self.stale_license_ids: list[int] = []
        self.stale_line_ids: list[int] = []

    def sync_producer(
        self,
        key: str,
        licenses: tuple[LicenseData, ...],
        held: dict[str, License],
        held_lines: dict[int, dict[str, LineOfAuthority]],
    ) -> bool:
        """Makes the producer's licenses those of the file; True if anything differs."""
        changed = False
        wanted = {lic.state for lic in licenses}
        for state, stale in held.items():
            if state not in wanted:
                self.stale_license_ids.append(stale.pk)
                changed = True
        for data in licenses:
            values = {f: getattr(data, f) for f in LICENSE_FIELDS}
            lic = held.get(data.state)
            if lic is None:
                lic = License(npn_key=key, state=data.state, **values)
                self.new_licenses.append((lic, data.lines))
                changed = True
                continue
            if any(getattr(lic, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(lic, f, v)
                self.changed_licenses.append(lic)
                changed = True
            changed |= self._sync_lines(lic, data.lines, held_lines.get(lic.pk, {}))
        return changed

    def _sync_lines(
        self, lic: License, lines: tuple[LineData, ...], have: dict[str, LineOfAuthority]
    ) -> bool:
        changed = False
        names = {line.name for line in lines}
        for name, stale in have.items():
            if name not in names:
                self.stale_line_ids.append(stale.pk)
                changed = True
        for data in lines:
            values = {f: getattr(data, f) for f in LINE_FIELDS}
            line = have.get(data.name)
            if line is None:
                self.new_lines.append(LineOfAuthority(license=lic, name=data.name, **values))
                changed = True
            elif any(getattr(line, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(line, f, v)
                self.changed_lines.append(line)
                changed = True
        return changed

    def flush(self) -> None:
        if self.stale_license_ids:
            License.objects.filter(pk__in=self.stale_license_ids).delete()
        if self.stale_line_ids:
            LineOfAuthority.objects.filter(pk__in=self.stale_line_ids).delete()
        created = License.objects.bulk_create([lic for lic, _ in self.new_licenses])
        for lic, lines in zip(created, (lines for _, lines in self.new_licenses), strict=True):
            # PostgreSQL and SQLite >= 3.35 return the new primary keys from bulk_create.
            assert lic.pk is not None
            self._sync_lines(lic, lines, {})
        if self.changed_licenses:
            License.objects.bulk_update(self.changed_licenses, list(LICENSE_FIELDS))
        LineOfAuthority.objects.bulk_create(self.new_lines)
        if self.changed_lines:
            LineOfAuthority.objects.bulk_update(self.changed_lines, list(LINE_FIELDS))
