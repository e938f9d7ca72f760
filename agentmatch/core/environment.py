"""Every environment variable AgentMatch reads, declared once: type, default, meaning.

settings.py reads variables through `env_str`, `env_int` and `env_bool` below (a few
commands read `os.environ` directly). This table is what a deployer reads: `agentmatch
env-docs` prints it as Markdown and docs/deploy.md carries that output between markers.
`core/tests/test_environment_registry.py` fails when the code reads a variable that is not
declared here, when a literal default in the code differs from the one declared, or when
docs/deploy.md differs from the generated table.

Pure Python without Django: settings.py imports it before Django is set up.
"""

import os
from dataclasses import dataclass

# Groups in the order the documentation shows them.
GROUPS = [
    "Security and the public address",
    "Database and files",
    "Processes",
    "Routing",
    "Consumers",
    "Accounts and sign-in",
    "Email",
    "Texts (SMS)",
    "Web Push",
    "Message delivery",
    "Webhooks",
    "Monitoring",
    "Development and tests",
]


@dataclass(frozen=True)
class Variable:
    name: str
    kind: str  # "text", "integer", "number", "boolean", "list" (comma-separated)
    group: str
    doc: str
    # The default as the code has it (compared with literal defaults in the code by the
    # test), or None when there is none or it is computed from other settings ...
    default: str | int | float | bool | None = None
    # ... in which case this says it in words for the docs.
    shown: str = ""
    # Needed in production: env.example lists it and docs/deploy.md marks it.
    required: bool = False

    def default_text(self) -> str:
        if self.shown:
            return self.shown
        if self.default is None or self.default == "":
            return ""
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return f"`{self.default}`"


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.lower() in ("1", "true", "yes", "on")


_SEC, _DB, _PROC, _ROUTE, _CONS, _ACC, _MAIL, _SMS, _PUSH, _DELIV, _HOOK, _MON, _DEV = GROUPS

# One variable a line, like the table it becomes (long lines allowed in this file).
# fmt: off
VARIABLES: list[Variable] = [
    # --- Security and the public address --------------------------------------------
    Variable("SECRET_KEY", "text", _SEC, "signs sessions and one-tap links: at least 50 random characters; with `DEBUG` off nothing starts (`check`, `web`, `run`, `worker`, `migrate`, the WSGI app) when it is missing, short or the public development key", shown="`SECRET_KEY_FILE`'s content", required=True),
    Variable("SECRET_KEY_FILE", "text", _SEC, "read when `SECRET_KEY` is not set (a container secret, e.g. `/run/secrets/secret_key`); `agentmatch make-secret-key` writes a random one there (mode 0600)", shown="`AGENTMATCH_DATA_DIR`/secret_key"),
    Variable("SECRET_KEY_FALLBACKS", "list", _SEC, "old keys still accepted for signatures while rotating", default=""),
    Variable("DEBUG", "boolean", _SEC, "Django's debug pages; never in production", default=False),
    Variable("SITE_URL", "text", _SEC, "public address used in emailed and texted links (`https://...` in production)", default="http://127.0.0.1:8000", required=True),
    Variable("ALLOWED_HOSTS", "list", _SEC, "host names the web processes answer (the public name; a load balancer's health probe must send one of them as `Host`)", default="127.0.0.1,localhost,[::1]", required=True),
    Variable("CSRF_TRUSTED_ORIGINS", "list", _SEC, "origins whose form POSTs pass the CSRF origin check", shown="`SITE_URL`'s origin"),
    Variable("TRUSTED_PROXY_HOPS", "integer", _SEC, "reverse proxies of ours in front of the web processes: the client address is read that many `X-Forwarded-For` hops from the end (0: the TCP peer; clients can forge the header)", default=0),
    Variable("PROXY_SSL_HEADER", "text", _SEC, "behind a TLS proxy that always sets it: e.g. `HTTP_X_FORWARDED_PROTO=https`", default=""),
    Variable("SECURE_SSL_REDIRECT", "boolean", _SEC, "redirect http:// requests to https:// (not `/healthz`, `/readyz` and `/metrics`, which probes and Prometheus reach over http inside the network)", default=False),
    Variable("SECURE_HSTS_SECONDS", "integer", _SEC, "HTTP Strict Transport Security, once TLS works end to end (cannot be taken back for its duration)", default=0),
    Variable("SECURE_HSTS_INCLUDE_SUBDOMAINS", "boolean", _SEC, "HSTS for every subdomain too", default=False),
    Variable("SECURE_HSTS_PRELOAD", "boolean", _SEC, "ask browsers to preload HSTS", default=False),
    Variable("SECURE_COOKIES", "boolean", _SEC, "secure session and CSRF cookies (browsers accept them on 127.0.0.1 and localhost)", default=True),
    # --- Database and files -------------------------------------------------------------
    Variable("DATABASE_URL", "text", _DB, "`postgres://user:password@host:5432/db` for PostgreSQL (production); SQLite for one machine", shown="`sqlite:///` `AGENTMATCH_DATA_DIR`/agentmatch.sqlite3", required=True),
    Variable("DB_CONN_MAX_AGE", "integer", _DB, "seconds a database connection is kept for the next request (`web` and `run` set 600 unless given)", default=0),
    Variable("DB_CONN_HEALTH_CHECKS", "boolean", _DB, "check a kept connection before using it (replaces one the database dropped)", default=True),
    Variable("DB_PREPARED_STATEMENTS", "boolean", _DB, "PostgreSQL: run the routing statements as prepared statements with generic plans (routing p50 about 38% faster, p99 slower in the benchmark: docs/benchmarks.md); only with direct connections, a session-mode pool, or PgBouncer 1.21+ with `max_prepared_statements` set", default=False),
    Variable("AGENTMATCH_DATA_DIR", "text", _DB, "writable directory: SQLite database, the secret key file, the SMS file", shown="data/ in the source tree"),
    Variable("STATIC_ROOT", "text", _DB, "where `collectstatic` puts the page assets and the web processes serve them from (the release's `static/`, read-only at run time)", shown="`AGENTMATCH_DATA_DIR`/static"),
    Variable("IMPORT_UPLOAD_MAX_MB", "integer", _DB, "largest file (MB) an administrator may upload on /ops/imports/ (stored in the database until a worker imports it); larger files: import them with the `import_*` commands", default=200),
    # --- Processes ----------------------------------------------------------------------
    Variable("HOST", "text", _PROC, "`web` and `run`: address to listen on (`0.0.0.0` in a container)", default="127.0.0.1"),
    Variable("PORT", "integer", _PROC, "`web` and `run`: port to listen on", default=8000),
    Variable("WEB_CONCURRENCY", "integer", _PROC, "`web` and `run`: gunicorn processes", shown="2 per CPU"),
    Variable("WEB_THREADS", "integer", _PROC, "threads per gunicorn process (1: sync workers; more: gthread with keep-alive)", default=1),
    Variable("WEB_NICE", "integer", _PROC, "CPU niceness of the web processes under `run`; above `WORKER_NICE`, the worker gets the CPU first when both are busy: expired offers move on in time under full intake load (p99 under 1 s at 10, 3-6 s at 0), new requests wait a little longer (about 10% fewer requests/s); one worker uses one core at most", default=10),
    Variable("WORKER_NICE", "integer", _PROC, "CPU niceness of the worker under `run` (with `WEB_NICE` above it, the worker comes first; at 10 with the web at 0, expiries waited 11 s for a next offer when intake took every core)", default=0),
    Variable("WORKER_LANES_NICE", "integer", _PROC, "CPU niceness added, over the worker's own, to its child process running message delivery, webhooks and imports: the offer clock gets the CPU first when both are busy (10,000 offers expiring in a minute with 4 workers: slowest re-offer 4.4 s at 0), delivery still before the web under `run` (`WEB_NICE`)", default=5),
    Variable("WORKER_IDLE_SLEEP_SECONDS", "number", _PROC, "worker: longest wait when nothing is due (it wakes sooner at the next offer deadline, and on PostgreSQL when a message is queued)", default=0.5),
    Variable("WORKER_WAITING_SWEEP_SECONDS", "number", _PROC, "worker: how often every waiting referral is tried again (a safety net behind the event-driven wake-ups)", default=30),
    Variable("INVITE_ELIGIBLE_SWEEP_SECONDS", "number", _PROC, "worker: how often the scan for newly eligible agents to invite runs (the database narrows it to the agents the rules may invite: under a second at 100,000 agents; an import makes agents eligible a few times a day)", default=900),
    Variable("OFFER_EXPIRY_BATCH", "integer", _PROC, "worker: most due offers expired in one transaction (their statements shared: missed-offer pauses, events and messages of the whole batch in a few; each next offer is seen when the batch commits, about 8 ms per offer later); 1 to 1000, else the service refuses to start", default=20),
    Variable("PLAN_YEAR_CACHE_SECONDS", "number", _PROC, "how long each process reuses the current plan year and served states", default=5),
    Variable("LOG_LEVEL", "text", _PROC, "root log level; logs mask phone numbers and cut secrets (the access log records paths without their query string)", default="INFO"),
    # --- Monitoring ---------------------------------------------------------------------
    Variable("LOG_FORMAT", "text", _MON, "`plain` (readable lines, for `make run`) or `json` (one object per line: time in UTC, level, logger, message, `request_id`; access lines add `http`): for production (docs/observability.md)", default="plain"),
    Variable("WORKER_HEARTBEAT_SECONDS", "number", _MON, "how often (at most) each worker process writes its heartbeat row", default=5),
    Variable("READY_WORKER_MAX_AGE_SECONDS", "integer", _MON, "`/readyz` answers 503 when no worker finished a loop this recently (0: the workers are not checked)", default=60),
    Variable("METRICS_TOKEN", "text", _MON, "bearer token Prometheus sends to `/metrics` (compared in constant time); unset: `/metrics` answers only requests made directly from the machine itself (`check --deploy` warns)", default="", required=True),
    Variable("SENTRY_DSN", "text", _MON, "error reports to Sentry, phones and secrets scrubbed; unset: nothing is started or sent", default=""),
    Variable("SENTRY_ENVIRONMENT", "text", _MON, "the environment name Sentry files reports under", default="production"),
    # --- Routing ------------------------------------------------------------------------
    Variable("OFFER_WINDOW_SECONDS", "integer", _ROUTE, "time an agent has to accept or reject an offer", default=900),
    Variable("MAX_WAIT_SECONDS", "integer", _ROUTE, "how long a referral with nobody available waits before it ends unmatched", default=14400),
    Variable("MAX_PENDING_OFFERS_PER_AGENT", "integer", _ROUTE, "offers one agent may hold at once", default=1),
    Variable("PAUSE_AGENT_AFTER_MISSED_OFFER", "boolean", _ROUTE, "an agent who lets an offer expire is paused (switched to not available, their mode remembered) until they say \"I'm back\"; false: a missed offer only moves the referral on", default=True),
    Variable("ROUTING_POLICY", "text", _ROUTE, "who gets each offer among the qualified agents: `nearest` (Help On Demand's: the closest first), `fair` (the least recently offered within a band of the closest) or `responsive` (within that band, agents who answer, and fast, first); docs/routing-lab.md defines each. The service refuses to start with another", default="nearest"),
    Variable("ROUTING_BAND_MILES", "number", _ROUTE, "`fair` and `responsive`: the band holds agents no further than the closest one's distance plus this many miles ...", default=5),
    Variable("ROUTING_BAND_RATIO", "number", _ROUTE, "... or times this ratio, whichever reaches further", default=1.5),
    Variable("ROUTING_RESPONSIVE_OFFERS", "integer", _ROUTE, "`responsive`: an agent's answer score counts their last this many settled offers ...", default=10),
    Variable("ROUTING_RESPONSIVE_DAYS", "integer", _ROUTE, "... made within this many days (older ones are forgotten)", default=14),
    Variable("ROUTING_WRAP_UP_SECONDS", "integer", _ROUTE, "wrap-up time (contact centres' after-call work), under every policy: an agent who accepted a referral less than this many seconds ago is offered a new one only after every other qualified agent (they are calling that consumer); never excluded. 0: off (Help On Demand's). 0 to 86400, else the service refuses to start. docs/routing-lab.md", default=0),
    Variable("ROUTING_ADAPTIVE_WINDOW", "boolean", _ROUTE, "the adaptive offer window: a new offer lasts OFFER_WINDOW_SECONDS divided by the queue pressure in the referral's state and language (requests waiting or offered there per available agent), never less than ROUTING_MIN_WINDOW_SECONDS; false: every offer lasts OFFER_WINDOW_SECONDS (Help On Demand's). docs/routing-lab.md", default=False),
    Variable("ROUTING_MIN_WINDOW_SECONDS", "integer", _ROUTE, "the shortest adaptive offer window; with ROUTING_ADAPTIVE_WINDOW on it must be more than 0 and no more than OFFER_WINDOW_SECONDS, else the service refuses to start", default=300),
    Variable("CONTACT_REMINDER_MINUTES", "integer", _ROUTE, "an accepted referral not marked contacted this long after is reminded once", default=60),
    # --- Consumers ----------------------------------------------------------------------
    Variable("CONSENT_WORDING_VERSION", "text", _CONS, "stored with each consumer's consent (never shown to consumers)", default="2026-1"),
    Variable("OFFICIAL_SITE_OWNER", "text", _SEC, "set only when a government agency runs this deployment on its `.gov` domain: the owner as it ends \"An official website of ...\" (`the United States government`, `the State of Georgia`); then every page shows the USWDS official-site banner and the footer's identifier names the owner (with a link to USA.gov). Empty: no banner, no claim", default=""),
    Variable("OFFICIAL_SITE_OWNER_ES", "text", _SEC, "the same owner as it ends \"Un sitio oficial ...\" on Spanish pages (`del Gobierno de Estados Unidos`, `del Estado de Georgia`); empty: known for `the United States government`, else \"de\" and the English name", default=""),
    Variable("STATUS_TOKEN_DAYS", "integer", _CONS, "how long a consumer's status link works", default=30),
    Variable("CONSUMER_REQUESTS_PER_PHONE", "integer", _CONS, "Get Contacted requests (web and API together) per phone in each window", default=3),
    Variable("CONSUMER_REQUESTS_PER_ADDRESS", "integer", _CONS, "Get Contacted requests per client address (IPv6: per /64) in each window", default=20),
    Variable("CONSUMER_RATE_WINDOW_SECONDS", "integer", _CONS, "the window of the two limits above", default=3600),
    Variable("DIRECTORY_SEARCHES_PER_ADDRESS", "integer", _CONS, "Find Local Help searches (page and API) per client address (IPv6: per /64) in each `CONSUMER_RATE_WINDOW_SECONDS` window", default=300),
    Variable("CONSUMER_PHONE_EXTRA_COUNTRIES", "list", _CONS, "countries (ISO codes, `CA,MX`) whose numbers the intake accepts besides the US and its territories; premium-rate, toll-free and non-geographic numbers are refused anyway", default=""),
    Variable("CONSUMER_DATA_RETENTION_DAYS", "integer", _CONS, "days a consumer's name, phone, email and exact location are kept after their referral ends (accepted: after the agent's last follow-up); then the worker anonymises the referral in place, keeping state, county, language and timings (1 to 3650; `agentmatch forget_ended_referrals --dry-run` counts what is due)", default=90),
    Variable("CONSUMER_STATUS_POLL_SECONDS", "integer", _CONS, "how often the status page asks for news", default=5),
    Variable("CONSUMER_STATUS_URL", "text", _CONS, "link sent to consumers (`{id}`, `{token}` filled in)", shown="`SITE_URL` + `/status/{id}/{token}/`"),
    Variable("IDEMPOTENCY_KEY_HOURS", "integer", _CONS, "how long `POST /api/v1/referrals` remembers an `Idempotency-Key`", default=24),
    Variable("PARTNER_REQUESTS_PER_HOUR", "integer", _CONS, "a new partner key's hourly limit (`partner_key create --per-hour`); it replaces the per-address limit for that key", default=200),
    # --- Accounts and sign-in -----------------------------------------------------------
    Variable("OPERATOR_TIME_ZONE", "text", _ACC, "the time zone of the support pages for operators who have not chosen their own (an IANA name from the list in `agentmatch/core/time_zones.py`, e.g. `America/Chicago`); the service refuses to start with another", default="America/New_York"),
    Variable("INVITATION_HOURS", "integer", _ACC, "lifetime of an invitation link", default=48),
    Variable("PASSWORD_RESET_MINUTES", "integer", _ACC, "lifetime of a password reset link", default=30),
    Variable("SESSION_IDLE_MINUTES", "integer", _ACC, "sessions end after this long without a request", default=30),
    Variable("SESSION_MAX_HOURS", "integer", _ACC, "sessions end this long after login, however busy", default=12),
    Variable("LOGIN_FAILURE_LIMIT", "integer", _ACC, "wrong passwords for one username from one client address before it is locked", default=5),
    Variable("LOGIN_LOCKOUT_MINUTES", "integer", _ACC, "how long that lock lasts", default=30),
    Variable("LOGIN_FAILURES_PER_ADDRESS", "integer", _ACC, "wrong passwords from one client address (any usernames) in the window before that address may not log in", default=50),
    Variable("LOGIN_ADDRESS_WINDOW_SECONDS", "integer", _ACC, "the window of the per-address limit", default=3600),
    Variable("RECOVERY_REQUESTS_PER_ADDRESS", "integer", _ACC, "forgot username / password requests per client address an hour", default=10),
    Variable("RECOVERY_EMAILS_PER_ACCOUNT", "integer", _ACC, "recovery emails per account an hour", default=3),
    Variable("WEBAUTHN_RP_ID", "text", _ACC, "passkey relying party (the host name in the address bar)", shown="`SITE_URL`'s host (localhost for an IP address)"),
    Variable("WEBAUTHN_ORIGINS", "list", _ACC, "origins passkeys may be used from", shown="`SITE_URL`"),
    Variable("AGENT_WORKSPACE_URL", "text", _ACC, "where texts send agents to answer referrals", shown="`SITE_URL` + `/workspace/`"),
    Variable("OPERATOR_PASSWORD", "text", _ACC, "`create_operator`: the new support account's password (prompted when unset)", default=""),
    # --- Email --------------------------------------------------------------------------
    Variable("EMAIL_BACKEND", "text", _MAIL, "`django.core.mail.backends.smtp.EmailBackend` for SMTP; the default only prints mail (phones masked, link secrets cut)", default="agentmatch.notifications.transports.console_email.EmailBackend", required=True),
    Variable("EMAIL_HOST", "text", _MAIL, "SMTP server", default="127.0.0.1"),
    Variable("EMAIL_PORT", "integer", _MAIL, "SMTP port", default=25),
    Variable("EMAIL_HOST_USER", "text", _MAIL, "SMTP user name", default=""),
    Variable("EMAIL_HOST_PASSWORD", "text", _MAIL, "SMTP password", default=""),
    Variable("EMAIL_USE_TLS", "boolean", _MAIL, "STARTTLS to the SMTP server", default=False),
    Variable("EMAIL_TIMEOUT", "integer", _MAIL, "seconds an SMTP conversation may take", default=10),
    Variable("DEFAULT_FROM_EMAIL", "text", _MAIL, "sender of every email", default="AgentMatch <noreply@agentmatch.example>"),
    # --- Texts (SMS) --------------------------------------------------------------------
    Variable("SMS_BACKEND", "text", _SMS, "`twilio` sends texts through Twilio's Messages API; `console` prints them and `file` appends them to `SMS_FILE_PATH` (phones masked, link secrets cut)", default="console", required=True),
    Variable("SMS_FILE_PATH", "text", _SMS, "where the `file` backend appends texts as JSON lines", shown="`AGENTMATCH_DATA_DIR`/sms.jsonl"),
    Variable("TWILIO_ACCOUNT_SID", "text", _SMS, "Twilio account", default=""),
    Variable("TWILIO_AUTH_TOKEN", "text", _SMS, "Twilio auth token (also checks the signature of inbound replies)", default=""),
    Variable("TWILIO_FROM_NUMBER", "text", _SMS, "the number texts come from", default=""),
    Variable("TWILIO_API_BASE", "text", _SMS, "Twilio's API (a stub in tests)", default="https://api.twilio.com"),
    Variable("TWILIO_WEBHOOK_URL", "text", _SMS, "the public URL Twilio signs for YES/NO replies", shown="`SITE_URL` + `/n/sms/inbound`"),
    Variable("TWILIO_STATUS_CALLBACK_URL", "text", _SMS, "sent as `StatusCallback` with every text: Twilio posts its signed delivery reports there (set it when a proxy's public URL differs from `SITE_URL`; empty: no reports are asked for, and only Twilio's immediate refusal 21610 marks a number undeliverable)", shown="`SITE_URL` + `/n/sms/status`"),
    # --- Web Push -----------------------------------------------------------------------
    Variable("VAPID_PUBLIC_KEY", "text", _PUSH, "Web Push public key (`agentmatch vapid-keys` prints a pair)", default="", required=True),
    Variable("VAPID_PRIVATE_KEY", "text", _PUSH, "Web Push private key", default="", required=True),
    Variable("VAPID_SUBJECT", "text", _PUSH, "contact push services may use", default="mailto:noreply@agentmatch.example"),
    Variable("PUSH_SERVICE_HOSTS", "list", _PUSH, "push services a browser subscription may point at (host or parent domain)", shown="FCM, Mozilla, Apple, Windows"),
    # --- Message delivery ---------------------------------------------------------------
    Variable("NOTIFY_MAX_ATTEMPTS", "integer", _DELIV, "delivery attempts per message (24: 4 to 8 hours of provider outage)", default=24),
    Variable("NOTIFY_RETRY_BASE_SECONDS", "number", _DELIV, "first retry delay, doubling each attempt", default=10),
    Variable("NOTIFY_RETRY_MAX_SECONDS", "number", _DELIV, "longest retry delay", default=1800),
    Variable("NOTIFY_CLAIM_SECONDS", "integer", _DELIV, "how long a claimed message is another worker's (well above the longest send)", default=300),
    Variable("NOTIFY_HTTP_TIMEOUT_SECONDS", "number", _DELIV, "Twilio and push request timeout", default=10),
    Variable("NOTIFY_CHANNEL_PAUSE_SECONDS", "number", _DELIV, "how long a worker skips a channel after a temporary failure (0: never)", default=2),
    Variable("NOTIFY_BATCH_SIZE", "integer", _DELIV, "messages a worker claims, sends and records together (what it does before it looks at offer expiries again)", default=25),
    Variable("NOTIFY_SEND_THREADS", "integer", _DELIV, "sends of a batch running at once in each worker (threads; each keeps one SMTP session for the batch)", default=8),
    # --- Webhooks -----------------------------------------------------------------------
    Variable("WEBHOOKS_ENCRYPTION_KEY", "text", _HOOK, "encrypts the webhook signing secrets at rest (any long random text); when empty, a key derived from `SECRET_KEY` (then changing `SECRET_KEY` makes every subscription's secret unreadable: rotate them)", default=""),
    Variable("WEBHOOKS_MAX_ATTEMPTS", "integer", _HOOK, "delivery attempts per webhook event before it is marked failed", default=8),
    Variable("WEBHOOKS_RETRY_BASE_SECONDS", "number", _HOOK, "first retry delay, doubling each attempt (with jitter)", default=30),
    Variable("WEBHOOKS_RETRY_MAX_SECONDS", "number", _HOOK, "longest retry delay", default=3600),
    Variable("WEBHOOKS_TIMEOUT_SECONDS", "number", _HOOK, "connect and read timeout of one delivery", default=5),
    Variable("WEBHOOKS_CLAIM_SECONDS", "integer", _HOOK, "how long a claimed delivery is another worker's (well above the timeout)", default=60),
    Variable("WEBHOOKS_SECRET_OVERLAP_HOURS", "integer", _HOOK, "after a rotation, how long deliveries are signed with the old secret too", default=24),
    Variable("WEBHOOKS_EVENT_GAP_SECONDS", "integer", _HOOK, "how long the fan-out waits for a missing event id (a transaction not yet committed) before going past it", default=300),
    Variable("WEBHOOKS_DELIVERY_RETENTION_DAYS", "integer", _HOOK, "finished deliveries (and agent status events) older than this are deleted by the worker's sweep", default=30),
    Variable("WEBHOOKS_ALLOW_LOOPBACK", "boolean", _HOOK, "development and tests: allow `http://` URLs to 127.0.0.1 / ::1 / localhost; private, link-local and other reserved addresses stay refused", default=False),
    # --- Development and tests ----------------------------------------------------------
    Variable("TEST_DATABASE_NAME", "text", _DEV, "tests: the PostgreSQL test database", default="test_agentmatch"),
    Variable("CHROMIUM_PATH", "text", _DEV, "browser tests: the Chromium to drive", shown="`chromium` on PATH"),
    Variable("SCREENSHOTS_DIR", "text", _DEV, "`make screenshots`: where the every-page browser test saves", default=""),
    Variable("CI", "boolean", _DEV, "browser and translation tests must not skip", default=""),
    Variable("API_PROPERTY_EXAMPLES", "integer", _DEV, "generated requests per API operation in the property-based test", default=10),
]
# fmt: on

BY_NAME: dict[str, Variable] = {v.name: v for v in VARIABLES}

TABLE_START = "<!-- env-table:start (generated by `agentmatch env-docs`; do not edit) -->"
TABLE_END = "<!-- env-table:end -->"


def markdown_table() -> str:
    """The registry as Markdown: one table per group; required variables in bold."""
    parts: list[str] = []
    for group in GROUPS:
        rows = [v for v in VARIABLES if v.group == group]
        parts.append(f"#### {group}\n")
        parts.append("| variable | type | default | meaning |")
        parts.append("|---|---|---|---|")
        for v in rows:
            name = f"**`{v.name}`**" if v.required else f"`{v.name}`"
            parts.append(f"| {name} | {v.kind} | {v.default_text()} | {v.doc} |")
        parts.append("")
    return "\n".join(parts).rstrip("\n") + "\n"


def replace_table(document: str) -> str:
    """`document` with the text between the markers replaced by the generated table."""
    head, start, rest = document.partition(TABLE_START)
    _, end, tail = rest.partition(TABLE_END)
    if not (start and end):
        raise ValueError(f"the document has no {TABLE_START} ... {TABLE_END} markers")
    return f"{head}{TABLE_START}\n{markdown_table()}{TABLE_END}{tail}"
