"""CMS Registration Completion List (RCL) CSV, from data.healthcare.gov.

Columns: NPN, Applicable Plan Year, Individual Registration Completion Date, Individual
Marketplace End Date, Shop Registration Completion Date, Shop End Date, NPN Valid (Current
Plan Year Only). Headers come in Title Case, snake_case or with "SHOP" capitals; NPNs
often lost their leading zeros in a spreadsheet, so rows are matched on npn_key.
"""

from collections.abc import Iterator

from agentmatch.eligibility.models import RegistrationCompletion
from agentmatch.imports.base import (
    Column,
    Context,
    Importer,
    Item,
    Outcome,
    Parsed,
    Record,
    Rejected,
    choose_plan_year,
    csv_items,
    parse_bool,
    parse_date,
    parse_npn,
    upsert_rows,
)
from agentmatch.imports.models import ImportKind

COLUMNS = (
    Column("npn", "NPN", ("national producer number",)),
    Column("plan_year", "Applicable Plan Year", ("plan year",), required=False),
    Column("individual_completed_on", "Individual Registration Completion Date"),
    Column(
        "individual_ends_on",
        "Individual Marketplace End Date",
        ("individual end date",),
        required=False,
    ),
    Column("shop_completed_on", "Shop Registration Completion Date", required=False),
    Column("shop_ends_on", "Shop End Date", ("shop marketplace end date",), required=False),
    Column("npn_valid", "NPN Valid (Current Plan Year Only)", ("npn valid",)),
)

VALUE_FIELDS = (
    "individual_completed_on",
    "individual_ends_on",
    "shop_completed_on",
    "shop_ends_on",
    "npn_valid",
)


class RclImporter(Importer):
    kind = ImportKind.RCL
    key_label = "NPN and plan year"
    kept_as = "registration rows"

    def items(self, path: str, ctx: Context) -> Iterator[Item]:
        def parse(v: dict[str, str]) -> Parsed:
            _npn, key = parse_npn(v["npn"])
            year = choose_plan_year(v.get("plan_year"), ctx)
            if year is None:
                return None
            data = (
                year,
                key,
                parse_date(v["individual_completed_on"], "Individual Registration Completion Date"),
                parse_date(v.get("individual_ends_on", ""), "Individual Marketplace End Date"),
                parse_date(v.get("shop_completed_on", ""), "Shop Registration Completion Date"),
                parse_date(v.get("shop_ends_on", ""), "Shop End Date"),
                parse_bool(v["npn_valid"], "NPN Valid"),
            )
            return f"{year}:{key}", key, data

        return csv_items(path, COLUMNS, ctx, parse)

    def apply(self, records: list[Record], ctx: Context) -> list[Outcome | Rejected]:
        rows = [(r.data[:2], dict(zip(VALUE_FIELDS, r.data[2:], strict=True))) for r in records]
        return list(upsert_rows(RegistrationCompletion, rows, ("plan_year", "npn_key")))
