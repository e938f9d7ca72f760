"""CMS Registration Termination List (RTL) CSV.

Columns: NPN, Status, Marketplaces, Effective Plan Year, Registration Completion Date,
Termination or Suspension Date. Each row is an event (T* terminated, S* suspended, R*
reinstated) kept as it is; the eligibility rules read the latest one in force.
"""

import re
from collections.abc import Iterator

from agentmatch.eligibility.models import RegistrationTermination
from agentmatch.imports.base import (
    Column,
    Context,
    Importer,
    Item,
    Outcome,
    Parsed,
    Record,
    Rejected,
    RowError,
    choose_plan_year,
    csv_items,
    parse_date,
    parse_npn,
    upsert_rows,
)
from agentmatch.imports.models import ImportKind

COLUMNS = (
    Column("npn", "NPN", ("national producer number",)),
    Column("status", "Status", ("status code",)),
    Column("marketplaces", "Marketplaces", ("marketplace",)),
    Column("plan_year", "Effective Plan Year", ("plan year",)),
    Column("completed_on", "Registration Completion Date", required=False),
    Column(
        "effective_on",
        "Termination or Suspension Date",
        ("termination date", "effective date", "termination suspension date"),
    ),
)

KEY_FIELDS = ("npn_key", "plan_year", "status", "marketplaces", "effective_on")
_STATUS = re.compile(r"^[TSR][0-9A-Z]{0,3}$")
_MARKETPLACES = {"individual": "Individual", "shop": "SHOP", "both": "Both"}


def parse_status(value: str) -> str:
    code = value.strip().upper()
    if not _STATUS.match(code):
        raise RowError(f"Status '{value}' is not a status code such as T3 or R1")
    return code


def parse_marketplaces(value: str) -> str:
    text = value.strip().lower()
    if text not in _MARKETPLACES:
        raise RowError(f"Marketplaces '{value}' is not Individual, SHOP or Both")
    return _MARKETPLACES[text]


class RtlImporter(Importer):
    kind = ImportKind.RTL
    key_label = "NPN, plan year, status, marketplaces and date"
    kept_as = "termination rows"

    def items(self, path: str, ctx: Context) -> Iterator[Item]:
        def parse(v: dict[str, str]) -> Parsed:
            _npn, key = parse_npn(v["npn"])
            status = parse_status(v["status"])
            marketplaces = parse_marketplaces(v["marketplaces"])
            year = choose_plan_year(v["plan_year"], ctx)
            if year is None:
                return None
            effective_on = parse_date(v["effective_on"], "Termination or Suspension Date")
            completed_on = parse_date(v.get("completed_on", ""), "Registration Completion Date")
            data = (key, year, status, marketplaces, effective_on, completed_on)
            return f"{key}:{year}:{status}:{marketplaces}:{effective_on}", key, data

        return csv_items(path, COLUMNS, ctx, parse)

    def apply(self, records: list[Record], ctx: Context) -> list[Outcome | Rejected]:
        rows = [(r.data[:5], {"registration_completed_on": r.data[5]}) for r in records]
        return list(upsert_rows(RegistrationTermination, rows, KEY_FIELDS))
