"""What a referral event's detail says, as a code and its parameters, in any language.

An event stores `code` (a key of CATALOG) and `params` (raw values: a distance in miles as
a number, an NPN, a state code, a language code); the words are chosen and the numbers
formatted when a page renders them, in that page's language. `detail` keeps the English
rendering too: the previous release reads it during a rolling deploy, and rows written
before codes existed have only it (`event_text` falls back to it).

The codes are a stable machine vocabulary (exports carry them): add new ones, never
rename or reuse one.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agentmatch.core.languages import language_name, normalize_language

# A code's parameters: raw JSON values (numbers, codes), formatted when rendered.
Params = dict[str, Any]

# Why a referral waits, or ended unmatched after its maximum wait (services.why_nobody).
NO_AGENT_FOR_STATE = "no_agent_for_state"
NO_AGENT_SPEAKS = "no_agent_speaks_language"
NO_AGENT_AVAILABLE = "no_agent_available"
ALL_OFFERED_OR_BUSY = "all_offered_or_busy"

# The English msgids are the sentences the timeline showed before codes (tests, support's
# habits and `recognise` below read them), so they start in lower case like those did.
CATALOG: dict[str, Promise] = {
    "request_received": _("request from ZIP code %(zip)s, language: %(language)s"),
    "offered": _("offer %(position)s to %(npn)s, rank %(rank)s, %(distance_miles)s mi"),
    # The routing policies other than nearest (policies.py) say why they chose.
    "offered_fair": _(
        "offer %(position)s to %(npn)s, %(distance_miles)s mi: least recently offered of "
        "%(band_agents)s agents within %(band_miles)s mi of the closest (%(closest_miles)s mi)"
    ),
    "offered_responsive": _(
        "offer %(position)s to %(npn)s, %(distance_miles)s mi: best answer score %(score)s "
        "(answered %(answered)s of their last %(settled)s offers) of %(band_agents)s agents "
        "within %(band_miles)s mi of the closest (%(closest_miles)s mi)"
    ),
    # The adaptive offer window (policies.window_for) gave this offer less than the full window.
    "offered_short_window": _(
        "offer %(position)s to %(npn)s, rank %(rank)s, %(distance_miles)s mi; window "
        "shortened to %(minutes)s min: %(waiting)s requests waiting for %(available)s "
        "available agents"
    ),
    NO_AGENT_FOR_STATE: _("no agent receives referrals for %(state)s"),
    NO_AGENT_SPEAKS: _("no agent for %(state)s speaks %(language)s"),
    NO_AGENT_AVAILABLE: _("no agent for %(state)s who speaks %(language)s is available"),
    ALL_OFFERED_OR_BUSY: _(
        "every qualified available agent was already offered this referral or is busy"
    ),
    "max_wait": _("maximum wait reached"),
    "max_wait_reached": _("maximum wait reached; %(reason)s"),
    "withdrawn_agent_deactivated": _("withdrawn by support: agent deactivated"),
    "offer_window_passed": _("no answer within the offer window"),
    "offer_window_passed_paused": _(
        "no answer within the offer window; paused after a missed offer (was: %(was)s)"
    ),
    "offer_window_passed_already_paused": _(
        "no answer within the offer window; agent already paused after a missed offer"
    ),
    "canceled_by_consumer": _("canceled by the consumer"),
    "contact_details_removed": _(
        "contact details removed after %(days)s days (CONSUMER_DATA_RETENTION_DAYS)"
    ),
}

# Why an offer went to its agent, from Offer.explanation (services._place_offer writes it;
# Offer.reason keeps the English sentence, with the consumer's ZIP and the skipped agents).
OFFER_REASONS: dict[str, Promise] = {
    "box": _(
        "Closest qualified agent (%(distance_miles)s miles away) of %(qualified_agents)s "
        "within a %(search_radius_miles)s-mile search box: routed for %(state)s, speaks "
        "%(language)s, available, no pending offer over the limit."
    ),
    "state": _(
        "Closest qualified agent (%(distance_miles)s miles away) of %(qualified_agents)s "
        "in %(state)s: routed for %(state)s, speaks %(language)s, available, no pending "
        "offer over the limit."
    ),
    "offered_fair": _(
        "Least recently offered of %(band_agents)s qualified agents within "
        "%(band_miles)s miles of the closest (%(closest_miles)s miles away); this one is "
        "%(distance_miles)s miles away: routed for %(state)s, speaks %(language)s, "
        "available, no pending offer over the limit."
    ),
    "offered_responsive": _(
        "Best answer score (%(score)s: answered %(answered)s of their last %(settled)s "
        "offers) of %(band_agents)s qualified agents within %(band_miles)s miles of the "
        "closest (%(closest_miles)s miles away); this one is %(distance_miles)s miles away: "
        "routed for %(state)s, speaks %(language)s, available, no pending offer over the "
        "limit."
    ),
}

# The agent's mode before an automatic pause (agents.models.AvailabilitySwitch, whose
# labels are English only).
MODES: dict[str, Promise] = {
    "on": _("Available now (green)"),
    "off": _("Not available (red)"),
    "schedule": _("Follow my weekly hours"),
}


def _language(code: object) -> str:
    try:
        name = str(translation.get_language_info(str(code))["name_translated"])
    except KeyError:
        return language_name(str(code))
    # Django's Spanish names are capitalised for menus; inside a sentence Spanish writes
    # them in lower case ("habla español").
    if (translation.get_language() or "").startswith("es"):
        name = name[:1].lower() + name[1:]
    return name


def _value(name: str, value: object) -> str:
    """One parameter as the active language writes it."""
    if name == "zip" and not value:
        return str(_("[ZIP removed]"))  # forgetting.anonymise_referral clears it
    if name == "language":
        return _language(value)
    if name == "was":
        return str(MODES.get(str(value), value))
    if name in ("distance_miles", "closest_miles") and isinstance(value, int | float):
        # number_format cuts extra decimals: round first, so 2.46 reads 2.5.
        return formats.number_format(round(value, 1), decimal_pos=1, use_l10n=True)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a 25-mile box, not 25.0
    if isinstance(value, int | float) and not isinstance(value, bool):
        return formats.number_format(value, use_l10n=True)
    return str(value)


def describe(code: str, params: Params | None = None, fallback: str = "") -> str:
    """The detail in the active language; `fallback` (or the bare code) when the code or
    its parameters are not known, so an unexpected row never breaks a page."""
    template = CATALOG.get(code)
    if template is None:
        return fallback or code
    params = params if isinstance(params, dict) else {}
    values = {name: _value(name, value) for name, value in params.items()}
    reason = params.get("reason")
    if isinstance(reason, str) and reason != code and "reason" in str(template):
        values["reason"] = describe(reason, {k: v for k, v in params.items() if k != "reason"})
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return fallback or code


def in_english(code: str, params: Params | None = None) -> str:
    """The English rendering kept in `detail` (the previous release and old rows read it)."""
    with translation.override("en"):
        return describe(code, params)[:500]


def event_text(event: Any) -> str:
    """A ReferralEvent's detail in the active language. A row without a code (written
    before codes, or by a writer that still passes English) is read back into one when its
    text is a known sentence, else shown as stored."""
    if event.code:
        return describe(event.code, event.params, fallback=event.detail)
    code, params = recognise(event.detail)
    return describe(code, params, fallback=event.detail) if code else str(event.detail)


# --- Reading the English sentences back (rows written before codes, legacy callers) ------

_MODE_LABELS = {"Available now (green)": "on", "Not available (red)": "off"}
_MODE_LABELS["Follow my weekly hours"] = "schedule"
_NUMBER = r"\d+(?:\.\d+)?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "request_received",
        re.compile(r"(?P<zip>\d{5}|\[ZIP removed\]) (?P<language>[a-z]{2,3})"),
    ),
    (
        "request_received",
        re.compile(
            r"request from ZIP code (?P<zip>\d{5}|\[ZIP removed\]), language: (?P<language>.+)"
        ),
    ),
    (
        "offered",
        re.compile(
            rf"offer (?P<position>\d+) to (?P<npn>\S+), rank (?P<rank>\d+), "
            rf"(?P<distance_miles>{_NUMBER}) mi"
        ),
    ),
    (
        "offered_fair",
        re.compile(
            rf"offer (?P<position>\d+) to (?P<npn>\S+), (?P<distance_miles>{_NUMBER}) mi: "
            rf"least recently offered of (?P<band_agents>\d+) agents within "
            rf"(?P<band_miles>{_NUMBER}) mi of the closest \((?P<closest_miles>{_NUMBER}) mi\)"
        ),
    ),
    (
        "offered_responsive",
        re.compile(
            rf"offer (?P<position>\d+) to (?P<npn>\S+), (?P<distance_miles>{_NUMBER}) mi: "
            rf"best answer score (?P<score>{_NUMBER}) \(answered (?P<answered>\d+) of their "
            rf"last (?P<settled>\d+) offers\) of (?P<band_agents>\d+) agents within "
            rf"(?P<band_miles>{_NUMBER}) mi of the closest \((?P<closest_miles>{_NUMBER}) mi\)"
        ),
    ),
    (
        "offered_short_window",
        re.compile(
            rf"offer (?P<position>\d+) to (?P<npn>\S+), rank (?P<rank>\d+), "
            rf"(?P<distance_miles>{_NUMBER}) mi; window shortened to (?P<minutes>{_NUMBER}) "
            rf"min: (?P<waiting>\d+) requests waiting for (?P<available>\d+) available agents"
        ),
    ),
    (NO_AGENT_FOR_STATE, re.compile(r"no agent receives referrals for (?P<state>[A-Z]{2})")),
    (
        NO_AGENT_SPEAKS,
        re.compile(r"no agent for (?P<state>[A-Z]{2}) speaks '?(?P<language>[^']+?)'?"),
    ),
    (
        NO_AGENT_AVAILABLE,
        re.compile(
            r"no agent for (?P<state>[A-Z]{2}) who speaks '?(?P<language>[^']+?)'? is available"
        ),
    ),
    (ALL_OFFERED_OR_BUSY, re.compile(re.escape(str(CATALOG[ALL_OFFERED_OR_BUSY])))),
    ("withdrawn_agent_deactivated", re.compile(r"withdrawn by support: agent deactivated")),
    ("offer_window_passed", re.compile(r"no answer within the offer window")),
    (
        "offer_window_passed_paused",
        re.compile(
            r"no answer within the offer window; paused after a missed offer \(was: (?P<was>.+)\)"
        ),
    ),
    (
        "offer_window_passed_already_paused",
        re.compile(r"no answer within the offer window; agent already paused after a missed offer"),
    ),
    ("canceled_by_consumer", re.compile(r"canceled by the consumer")),
    (
        "contact_details_removed",
        re.compile(r"contact details removed after (?P<days>\d+) days.*"),
    ),
]


def _language_code(text: str) -> str:
    """'es' from "es" (before codes) or from "Spanish" (an English rendering)."""
    try:
        return normalize_language(text)
    except ValueError:
        return text


def recognise(detail: str) -> tuple[str, Params]:
    """The code and parameters of a known English sentence; ("", {}) for any other text."""
    text = (detail or "").strip()
    if text.startswith("maximum wait reached"):
        rest = text.removeprefix("maximum wait reached").lstrip("; ")
        if not rest:
            return "max_wait", {}
        reason, why = recognise(rest)
        return ("max_wait_reached", {"reason": reason, **why}) if reason else ("", {})
    for code, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        params: Params = {}
        for name, value in match.groupdict().items():
            if name in (
                "position",
                "rank",
                "days",
                "band_agents",
                "answered",
                "settled",
                "waiting",
                "available",
            ):
                params[name] = int(value)
            elif name in ("distance_miles", "band_miles", "closest_miles", "score", "minutes"):
                params[name] = float(value)
            elif name == "zip":
                params[name] = None if value.startswith("[") else value
            elif name == "was":
                params[name] = _MODE_LABELS.get(value, value)
            elif name == "language":
                params[name] = _language_code(value)
            else:
                params[name] = value
        return code, params
    return "", {}


# The events whose detail says why the referral ended (Referral.end_reason in English).
_ENDINGS = ("unmatched", "canceled")


def with_texts(events: Iterable[Any]) -> list[Any]:
    """The events, each with `.text`: its detail in the active language (for templates)."""
    listed = list(events)
    for event in listed:
        event.text = event_text(event)
        # Free text nobody could translate stays marked as the English it is.
        event.text_lang = "" if _code_of(event) in CATALOG else "en"
    return listed


def policy_reason(code: str, facts: Params, *, english: bool = False) -> str:
    """Why a policy other than nearest chose the agent (OFFER_REASONS[code]), in the
    active language (or English); "" when the code or a fact is unknown."""
    template = OFFER_REASONS.get(code) if code.startswith("offered_") else None
    if template is None:
        return ""
    with translation.override("en" if english else translation.get_language()):
        values = {name: _value(name, value) for name, value in facts.items()}
        try:
            return str(template) % values
        except (KeyError, TypeError, ValueError):
            return ""


def offer_reason_text(offer: Any) -> tuple[str, str]:
    """Why the offer went to its agent, in the active language, and the text's language
    ("" for the page's own); the stored English reason when its explanation lacks a part."""
    facts = offer.explanation if isinstance(offer.explanation, dict) else {}
    chosen = facts.get("policy_params")
    if isinstance(chosen, dict) and chosen:
        text = policy_reason(str(facts.get("policy_code", "")), {**facts, **chosen})
        if text:
            return text, ""
    template = OFFER_REASONS["state" if facts.get("search_radius_miles") is None else "box"]
    needed = ("distance_miles", "qualified_agents", "state", "language")
    if not all(facts.get(name) is not None for name in needed):
        return str(offer.reason), "en"
    values = {name: _value(name, value) for name, value in facts.items()}
    if facts.get("qualified_at_least"):
        values["qualified_agents"] += "+"  # the count stopped at its cap
    try:
        return str(template) % values, ""
    except (KeyError, TypeError, ValueError):
        return str(offer.reason), "en"


# Why a closer agent did not get the offer (Offer.explanation["skipped_codes"]: a list
# of [code, params]; "skipped" keeps the same notes in English for older readers).
SKIPPED: dict[str, Any] = {
    "skipped_claimed": _("agent %(agent)s busy receiving another offer"),
    "skipped_busy": _("agent %(agent)s busy with another offer or at the pending limit"),
    "skipped_wrap_up": _("agent %(agent)s accepted a referral %(minutes)s min ago (wrap-up time)"),
    "skipped_switched_off": _("%(npn)s no longer available (switched off)"),
    "skipped_absent": _("%(npn)s no longer available (on an extended absence until %(until)s)"),
    "skipped_outside_hours": _("%(npn)s no longer available (outside weekly hours)"),
    "skipped_unavailable": _("%(npn)s no longer available"),
}


def skipped_code(npn: str, availability_reason: str) -> tuple[str, Params]:
    """The code of an agent found unavailable at offer time (agents.availability's words)."""
    if availability_reason.startswith("switched off"):
        return "skipped_switched_off", {"npn": npn}
    if availability_reason.startswith("on extended absence until "):
        until = availability_reason.removeprefix("on extended absence until ")
        return "skipped_absent", {"npn": npn, "until": until}
    if availability_reason.startswith("outside weekly hours"):
        return "skipped_outside_hours", {"npn": npn}
    return "skipped_unavailable", {"npn": npn}


def skipped_texts(explanation: object) -> list[tuple[str, str]]:
    """The skipped agents' notes in the active language, each with its text's language
    ("" for the page's own; "en" for an older offer's stored English note)."""
    facts = explanation if isinstance(explanation, dict) else {}
    coded = facts.get("skipped_codes")
    english = facts.get("skipped") or []
    if not isinstance(coded, list) or len(coded) != len(english):
        return [(str(note), "en") for note in english]
    texts = []
    for (code, params), note in zip(coded, english, strict=True):
        template = SKIPPED.get(str(code))
        try:
            texts.append((str(template) % params, "") if template else (str(note), "en"))
        except (KeyError, TypeError, ValueError):
            texts.append((str(note), "en"))
    return texts


def with_reasons(offers: Iterable[Any]) -> list[Any]:
    """The offers, each with `.reason_text`, `.reason_lang` and `.skipped_texts`."""
    listed = list(offers)
    for offer in listed:
        offer.reason_text, offer.reason_lang = offer_reason_text(offer)
        offer.skipped_texts = skipped_texts(offer.explanation)
    return listed


def _code_of(event: Any) -> str:
    return str(event.code) if event.code else recognise(event.detail)[0]


def end_reason_text(referral: Any, events: Sequence[Any]) -> str:
    """Why the referral ended, in the active language: its ending event's detail, or the
    stored English `end_reason` when no event says it."""
    for event in reversed(events):
        if event.kind in _ENDINGS and (event.code or event.detail):
            return event_text(event)
    return str(referral.end_reason)
