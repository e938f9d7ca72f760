"""What an import did, in numbers and in the lines the import commands print.

Every line must be true: "Nothing changed" only when nothing was written, and rows kept
for NPNs the roster has not added yet are said to be kept, not dropped.
"""

from dataclasses import dataclass, field

from agentmatch.imports.models import ImportRun


def count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


@dataclass
class ImportReport:
    run: ImportRun
    kept_as: str = ""  # what the importer keeps for an NPN without an agent ("licenses")
    routing_refreshed: bool = False  # False when no plan year is current
    agents_refreshed: int = 0
    agents_gained: int = 0
    referrals_offered: int = 0
    gained_ids: set[int] = field(default_factory=set)
    conflict_agents: int = 0  # agents whose roster row differs from what they set here
    conflict_fields: tuple[str, ...] = ()  # their labels, in agents/ownership.py order

    @property
    def changed_anything(self) -> bool:
        return bool(self.run.created or self.run.updated)

    def summary(self) -> str:
        r = self.run
        counts = [
            f"{r.created} created",
            f"{r.updated} updated",
            f"{r.unchanged} unchanged",
            f"{r.rejected} rejected",
        ]
        if r.duplicates:
            counts.append(count(r.duplicates, "duplicate row", "duplicate rows") + " counted once")
        if r.skipped:
            counts.append(f"{r.skipped} skipped (other plan year)")
        lines = [
            f"{r.get_kind_display()} import of {r.file_name} (sha256 {r.sha256[:12]}): "
            f"{count(r.rows_read, 'row', 'rows')} read: {', '.join(counts)}."
        ]
        if r.npns_without_agent:
            has = count(r.npns_without_agent, "NPN has", "NPNs have")
            lines.append(
                f"{has} no agent yet: their {self.kept_as} are kept and apply "
                "when the roster adds them."
            )
        if self.conflict_agents:
            lines.append(
                f"{count(self.conflict_agents, 'agent', 'agents')}: MLMS differs from what "
                f"the agent set here ({', '.join(self.conflict_fields)}); kept the agent's."
            )
        if not self.changed_anything:
            lines.append(self._nothing_changed())
        if self.routing_refreshed:
            lines.append(
                f"Routing refreshed for {count(self.agents_refreshed, 'agent', 'agents')}; "
                f"{self.agents_gained} gained a state; "
                f"{count(self.referrals_offered, 'waiting referral', 'waiting referrals')} "
                "offered."
            )
        else:
            lines.append("No plan year is marked current: routing was not refreshed.")
        return "\n".join(lines)

    def _nothing_changed(self) -> str:
        r = self.run
        if r.unchanged and r.rejected:
            return "Nothing changed: the rows accepted were already imported."
        if r.unchanged:
            return "Nothing changed: the data in this file was already imported."
        if r.rejected:
            return "Nothing changed: no row of this file could be imported."
        return "Nothing changed: the file has no rows to import."
