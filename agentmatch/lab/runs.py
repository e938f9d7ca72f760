"""A run's folder: what `simulate` writes there, and reading a run back to compare it.

Each run's folder holds report.md, figures.json, the charts (lab/charts.py) and
outcome.json: the Outcome records themselves (positions and NPNs, no consumer's name,
phone or email: an Outcome holds none), so any later version of the figures or a
comparison can be computed again from them without rerunning the day.
"""

import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

from agentmatch.lab.charts import series, write_charts
from agentmatch.lab.outcome import OfferRecord, Outcome, ReferralRecord
from agentmatch.lab.report import Figures, figures, to_json, to_markdown

OUTCOME_FILE = "outcome.json"
FORMAT = "agentmatch-lab-outcome/1"


class RunError(ValueError):
    """A run folder or its outcome.json that cannot be read; the message says which."""


def outcome_to_json(outcome: Outcome) -> str:
    # One referral a line: a 20,000-request day stays readable with `grep` and `diff`.
    head = {"format": FORMAT} | {
        f.name: getattr(outcome, f.name) for f in fields(outcome) if f.name != "referrals"
    }
    referrals = ",\n".join(json.dumps(asdict(r)) for r in outcome.referrals)
    return json.dumps(head)[:-1] + f', "referrals": [\n{referrals}\n]}}\n'


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key} must be a number, not {value!r}")
    return value


def _optional_number(value: Any, key: str) -> float | None:
    return None if value is None else _number(value, key)


def _whole(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{key} must be a whole number, not {value!r}")
    return value


def _text(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{key} must be text, not {value!r}")
    return value


def _texts(value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list, not {value!r}")
    return tuple(_text(v, key) for v in value)


def _offer(data: dict[str, Any]) -> OfferRecord:
    return OfferRecord(
        agent=_text(data["agent"], "offer.agent"),
        offered_at=_number(data["offered_at"], "offer.offered_at"),
        distance_miles=_number(data["distance_miles"], "offer.distance_miles"),
        status=_text(data["status"], "offer.status"),
    )


def _referral(data: dict[str, Any]) -> ReferralRecord:
    return ReferralRecord(
        index=_whole(data["index"], "referral.index"),
        state=_text(data["state"], "referral.state"),
        language=_text(data["language"], "referral.language"),
        created_at=_number(data["created_at"], "referral.created_at"),
        status=_text(data["status"], "referral.status"),
        accepted_at=_optional_number(data["accepted_at"], "referral.accepted_at"),
        ended_at=_optional_number(data["ended_at"], "referral.ended_at"),
        distance_miles=_optional_number(data["distance_miles"], "referral.distance_miles"),
        offers=tuple(_offer(o) for o in data["offers"]),
    )


def outcome_from_json(text: str) -> Outcome:
    """The Outcome outcome_to_json wrote; ValueError saying what is wrong otherwise."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f'not a routing-lab outcome (no "format": "{FORMAT}")')
    try:
        return Outcome(
            scenario=_text(data["scenario"], "scenario"),
            seed=_whole(data["seed"], "seed"),
            policy=_text(data["policy"], "policy"),
            agents=_texts(data["agents"], "agents"),
            referrals=tuple(_referral(r) for r in data["referrals"]),
            refused=_whole(data["refused"], "refused"),
            late_answers=_whole(data["late_answers"], "late_answers"),
            swept=_whole(data.get("swept", 0), "swept"),
            available_agents=_texts(data.get("available_agents", []), "available_agents"),
        )
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]} is missing") from exc
    except TypeError as exc:  # e.g. a referral that is not an object
        raise ValueError(f"a record has the wrong shape ({exc})") from exc


def write_run(folder: Path, outcome: Outcome) -> Figures:
    """Writes the run's report, figures, charts and outcome into `folder` (made if need be)."""
    folder.mkdir(parents=True, exist_ok=True)
    result = figures(outcome)
    charts = write_charts(folder, [series(outcome.policy, outcome, result)])
    (folder / OUTCOME_FILE).write_text(outcome_to_json(outcome), encoding="utf-8")
    (folder / "figures.json").write_text(to_json(result), encoding="utf-8")
    (folder / "report.md").write_text(to_markdown(result, charts), encoding="utf-8")
    return result


def read_run(folder: Path) -> Outcome:
    """The outcome of the run in `folder`, or RunError naming the folder and the problem."""
    if not folder.is_dir():
        raise RunError(f"{folder}: no such folder")
    path = folder / OUTCOME_FILE
    if not path.is_file():
        raise RunError(
            f"{folder}: no {OUTCOME_FILE} (not a run folder, or a run from before runs kept "
            "their outcome: run it again)"
        )
    try:
        return outcome_from_json(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise RunError(f"{path}: {exc}") from exc
