"""Settings, read from environment variables.

Every variable is declared once, with its type, default and meaning, in
agentmatch/core/environment.py (`agentmatch env-docs` prints the table in docs/deploy.md);
a test fails on a variable read here that is not declared there.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.csp import CSP

from agentmatch.core import deployment, error_reports, time_zones
from agentmatch.core.environment import env_bool, env_int, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("AGENTMATCH_DATA_DIR", BASE_DIR / "data"))


DEBUG = env_bool("DEBUG", False)
# SECRET_KEY, else the file `agentmatch make_secret_key` wrote (`make run` does, for a
# local demo), else the public development key, which the `agentmatch.E001` system check
# refuses whenever DEBUG is off (see "Deployment / security" below).
SECRET_KEY_FILE = Path(env_str("SECRET_KEY_FILE", str(DATA_DIR / "secret_key")))
SECRET_KEY = (
    env_str("SECRET_KEY", "")
    or deployment.read_secret_key(SECRET_KEY_FILE)
    or deployment.DEVELOPMENT_SECRET_KEY
)
# Old keys still accepted for signatures while rotating (comma-separated).
SECRET_KEY_FALLBACKS = [
    key.strip() for key in env_str("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()
]
ALLOWED_HOSTS = env_str("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # its Swagger UI assets, served locally (no CDN)
    "axes",
    "agentmatch.core",
    "agentmatch.planyears",
    "agentmatch.agents",
    "agentmatch.licensing",
    "agentmatch.eligibility",
    "agentmatch.imports",
    "agentmatch.partners",
    "agentmatch.referrals",
    "agentmatch.accounts",
    "agentmatch.operations",
    "agentmatch.notifications",
    "agentmatch.api",
    "agentmatch.consumers",
    "agentmatch.workspace",
    "agentmatch.webhooks",
    "agentmatch.retention",
    "agentmatch.directory",
    "agentmatch.webapp",
    "agentmatch.demo",
    "agentmatch.lab",
    "agentmatch.observability",
]

MIDDLEWARE = [
    # First: every answer (redirects, errors) carries X-Request-ID, every log line its id.
    "agentmatch.core.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside WhiteNoise and the login checks, so every answer gets its headers.
    "agentmatch.core.middleware.PrivacyHeadersMiddleware",
    # Next, so every error answer under /api/ (even a lockout page) is JSON.
    "agentmatch.api.errors.ApiJsonErrorsMiddleware",
    # Serves /static/ (collected, hashed, compressed): one process, nothing else to install.
    "agentmatch.core.static_files.StaticFilesMiddleware",
    "agentmatch.core.sessions.SessionMiddleware",  # Django's, minus the service worker
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the user and language are known (its 400 page is translated), before any view.
    "agentmatch.core.input_guard.InputGuardMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "agentmatch.accounts.middleware.SessionLifetimeMiddleware",
    "agentmatch.accounts.middleware.TermsMiddleware",
    # Last, so it sees the outcome of the login views (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "agentmatch.urls"
WSGI_APPLICATION = "agentmatch.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agentmatch.core.context_processors.site",
            ]
        },
    }
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'agentmatch.sqlite3'}")
# `agentmatch run` sets DB_CONN_MAX_AGE=600 for its processes (persistent connections);
# the health check (one cheap round trip per request) replaces a connection the database
# dropped (restart, failover) instead of failing a request with it.
_db = dj_database_url.parse(
    DATABASE_URL,
    conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    conn_health_checks=env_bool("DB_CONN_HEALTH_CHECKS", True),
)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while the worker writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue on busy_timeout instead of failing mid-transaction.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
    }
    _db["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}
else:
    _db.setdefault("TEST", {})["NAME"] = env_str("TEST_DATABASE_NAME", "test_agentmatch")
DATABASES = {"default": _db}
# PostgreSQL: the routing statements prepared, with generic plans (core/prepared_sql.py).
# Off by default: a pooler in transaction mode without prepared-statement support (PgBouncer
# before 1.21, or 1.21 with its default max_prepared_statements = 0) would fail requests.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", False)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "static/"
# Where `agentmatch collectstatic` puts the files the web processes serve (a deployment's
# image may keep them outside the data directory).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Hashed names, gzip and brotli copies, a year in caches: see agentmatch/core/static_files.py.
# The test suite serves the app folders as they are instead (conftest.py).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
# Front-end packages come from the npm registry at set-up time (`npm ci` in the Makefile),
# never from git: the U.S. Web Design System, htmx, and axe-core for the browser tests.
# scripts/build-assets.mjs builds from them what the pages load into build/static/.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]

# Content Security Policy: only our own scripts, styles, images and connections. USWDS
# draws its icons from data: URIs; web push and passkeys need nothing from elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "manifest-src": [CSP.SELF],
    "worker-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Every log line goes through one handler whose filter masks consumer phones and cuts
# secrets (link tokens, API keys, Authorization values): see agentmatch/core/logging.py.
# Django's own request and server loggers have handlers of their own by default, which
# would print paths with tokens in them: they go through the root handler instead.
# Log line format: "plain" (readable, for `make run`) or "json" (one object per line with
# time, level, logger, message, request_id: for production log pipelines).
LOG_FORMAT = deployment.log_format(env_str("LOG_FORMAT", "plain"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "agentmatch.core.logging.RedactSecrets"}},
    "formatters": {
        "plain": {
            "()": "agentmatch.core.logging.UTCFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "agentmatch.core.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["redact"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": [], "propagate": True},
    },
}

# How long a web process reuses the current plan year and served states for intake before
# reading them again (changes made by another process show up at most this much later).
PLAN_YEAR_CACHE_SECONDS = float(env_str("PLAN_YEAR_CACHE_SECONDS", "5"))

# --- Routing -----------------------------------------------------------------------
# How long an agent has to accept or reject an offer (CMS: 15 minutes).
OFFER_WINDOW_SECONDS = env_int("OFFER_WINDOW_SECONDS", 15 * 60)
# How long a referral with nobody to offer it to waits before it ends unmatched.
MAX_WAIT_SECONDS = env_int("MAX_WAIT_SECONDS", 4 * 60 * 60)
# How many offers one agent may hold pending at once.
MAX_PENDING_OFFERS_PER_AGENT = env_int("MAX_PENDING_OFFERS_PER_AGENT", 1)
# Who gets an offer among the qualified agents (referrals/policies.py, docs/routing-lab.md):
# "nearest" (Help On Demand's: the closest first), "fair" (the least recently offered within
# a band of the closest), "responsive" (within that band, those who answer, and fast, first).
ROUTING_POLICIES = ("nearest", "fair", "responsive")
ROUTING_POLICY = env_str("ROUTING_POLICY", "nearest").strip().lower()
if ROUTING_POLICY not in ROUTING_POLICIES:
    raise ValueError(
        f"ROUTING_POLICY={ROUTING_POLICY!r}: expected one of " + ", ".join(ROUTING_POLICIES)
    )
# The band of the fair and responsive policies: agents no further than the closest agent's
# distance plus this many miles, or times this ratio, whichever reaches further.
ROUTING_BAND_MILES = float(env_str("ROUTING_BAND_MILES", "5"))
ROUTING_BAND_RATIO = float(env_str("ROUTING_BAND_RATIO", "1.5"))
# Responsive: an agent's score counts their last this many settled offers ...
ROUTING_RESPONSIVE_OFFERS = env_int("ROUTING_RESPONSIVE_OFFERS", 10)
# ... made within this many days (older ones are forgotten, so nobody is held back forever).
ROUTING_RESPONSIVE_DAYS = env_int("ROUTING_RESPONSIVE_DAYS", 14)
# Contact centres' after-call work: an agent who accepted a referral this recently is
# calling that consumer, so every other qualified agent is offered first (0: off, HOD's).
ROUTING_WRAP_UP_SECONDS = env_int("ROUTING_WRAP_UP_SECONDS", 0)
if not 0 <= ROUTING_WRAP_UP_SECONDS <= 24 * 3600:
    raise ValueError(
        f"ROUTING_WRAP_UP_SECONDS={ROUTING_WRAP_UP_SECONDS}: expected 0 (off) to 86400 seconds"
    )
# The adaptive offer window (referrals/policies.py offer_window, docs/routing-lab.md): off,
# every offer lasts OFFER_WINDOW_SECONDS (Help On Demand's 15 minutes); on, a new offer's
# window shrinks with the queue in the referral's state and language, never below the minimum.
ROUTING_ADAPTIVE_WINDOW = env_bool("ROUTING_ADAPTIVE_WINDOW", False)
ROUTING_MIN_WINDOW_SECONDS = env_int("ROUTING_MIN_WINDOW_SECONDS", 5 * 60)
# Checked only with the window on: a short OFFER_WINDOW_SECONDS (tests, benchmarks, the
# routing lab) must not need a minimum that is never used.
if ROUTING_ADAPTIVE_WINDOW and not 0 < ROUTING_MIN_WINDOW_SECONDS <= OFFER_WINDOW_SECONDS:
    raise ValueError(
        f"ROUTING_MIN_WINDOW_SECONDS={ROUTING_MIN_WINDOW_SECONDS}: expected more than 0 and "
        f"no more than OFFER_WINDOW_SECONDS={OFFER_WINDOW_SECONDS}"
    )
# How long a consumer's status token works after the request is made.
STATUS_TOKEN_DAYS = env_int("STATUS_TOKEN_DAYS", 30)
# Version of the "Get Contacted" consent wording, recorded with each consent (an internal
# number: the form does not show it).
CONSENT_WORDING_VERSION = env_str("CONSENT_WORDING_VERSION", "2026-1")
# Only a government agency running AgentMatch on its .gov domain may say so: then the USWDS
# banner and the footer's identifier say "An official website of ..." (core/official_site.py).
# Empty (a demo, a test, a private operator): neither claims anything.
OFFICIAL_SITE_OWNER = env_str("OFFICIAL_SITE_OWNER", "").strip()
OFFICIAL_SITE_OWNER_ES = env_str("OFFICIAL_SITE_OWNER_ES", "").strip()
# The support pages' time zone for operators who have not chosen one (User.time_zone).
OPERATOR_TIME_ZONE = env_str("OPERATOR_TIME_ZONE", "America/New_York")
if OPERATOR_TIME_ZONE not in time_zones.NAMES:
    raise ValueError(
        f"OPERATOR_TIME_ZONE={OPERATOR_TIME_ZONE!r}: expected one of "
        + ", ".join(sorted(time_zones.NAMES))
    )
# Worker: how long to sleep when there is nothing due, and how often to re-try every
# waiting referral as a safety net behind the event-driven wake-ups.
WORKER_IDLE_SLEEP_SECONDS = float(env_str("WORKER_IDLE_SLEEP_SECONDS", "0.5"))
WORKER_WAITING_SWEEP_SECONDS = float(env_str("WORKER_WAITING_SWEEP_SECONDS", "30"))
INVITE_ELIGIBLE_SWEEP_SECONDS = float(env_str("INVITE_ELIGIBLE_SWEEP_SECONDS", "900"))
# Worker: how often (at most) each worker process writes its heartbeat row (core/heartbeat.py).
WORKER_HEARTBEAT_SECONDS = float(env_str("WORKER_HEARTBEAT_SECONDS", "5"))
# An agent who lets an offer expire is switched to "not available" (red) so the referrals
# after it do not each wait out the window on someone who is away.
PAUSE_AGENT_AFTER_MISSED_OFFER = env_bool("PAUSE_AGENT_AFTER_MISSED_OFFER", True)
# Worker: at most this many due offers expire in one transaction (referrals/expiry.py). A
# batch shares its statements; its referrals wait for the whole batch to commit (20 at
# about 8 ms each: 0.16 s), while 20 already share nearly all there is to share.
OFFER_EXPIRY_BATCH = env_int("OFFER_EXPIRY_BATCH", 20)
if not 1 <= OFFER_EXPIRY_BATCH <= 1000:
    raise ValueError(f"OFFER_EXPIRY_BATCH={OFFER_EXPIRY_BATCH}: expected 1 to 1000")
# An agent who accepted a referral and has not marked it contacted this long after is
# reminded once (in the workspace and by their chosen channels).
CONTACT_REMINDER_MINUTES = env_int("CONTACT_REMINDER_MINUTES", 60)

# --- Consumers ("Get Contacted" pages) -----------------------------------------------
# Abuse limits: requests per phone and per client address (IPv6: per /64) in each window.
CONSUMER_REQUESTS_PER_PHONE = env_int("CONSUMER_REQUESTS_PER_PHONE", 3)
CONSUMER_REQUESTS_PER_ADDRESS = env_int("CONSUMER_REQUESTS_PER_ADDRESS", 20)
CONSUMER_RATE_WINDOW_SECONDS = env_int("CONSUMER_RATE_WINDOW_SECONDS", 3600)
# Find Local Help searches (page and API) per client address in the same window.
DIRECTORY_SEARCHES_PER_ADDRESS = env_int("DIRECTORY_SEARCHES_PER_ADDRESS", 300)
# Consumers' phones are US numbers (territories included), landline or mobile. Other
# countries to accept as well, as ISO codes ("CA,MX"); premium-rate, toll-free and other
# non-geographic numbers are refused whatever the country.
CONSUMER_PHONE_EXTRA_COUNTRIES = [
    c.strip().upper() for c in env_str("CONSUMER_PHONE_EXTRA_COUNTRIES", "").split(",") if c.strip()
]
# How long the API remembers an Idempotency-Key (a retry within it gets the first answer).
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)
# Days a consumer's name, phone, email and ZIP code are kept after their referral ends
# (accepted, unmatched or canceled; for an accepted one, after the agent's last follow-up);
# then the worker anonymises it. 1 to 3650 (a system check refuses anything else).
CONSUMER_DATA_RETENTION_DAYS = env_int("CONSUMER_DATA_RETENTION_DAYS", 90)
# A new partner API key's requests per hour (`partner_key create NAME --per-hour N`).
PARTNER_REQUESTS_PER_HOUR = env_int("PARTNER_REQUESTS_PER_HOUR", 200)
# How often the consumer's status page asks for news.
CONSUMER_STATUS_POLL_SECONDS = env_int("CONSUMER_STATUS_POLL_SECONDS", 5)
# How many reverse proxies of ours stand in front of the web processes. Each appends the
# address it saw to X-Forwarded-For; the client is the entry that many hops from the end.
# 0 (no proxy): the TCP peer address, and X-Forwarded-For is ignored (clients can forge it).
TRUSTED_PROXY_HOPS = env_int("TRUSTED_PROXY_HOPS", 0)

# --- Accounts ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Checks lockouts before any password is compared.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "agentmatch.accounts.passwords.SeedPasswordRules"},
    {"NAME": "agentmatch.accounts.passwords.ContextWordsValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
# Public address of the service, used in links sent by email and text.
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
INVITATION_HOURS = env_int("INVITATION_HOURS", 48)
PASSWORD_RESET_MINUTES = env_int("PASSWORD_RESET_MINUTES", 30)
TERMS_VERSIONS = {"service": "2026-1", "cms": "2026-1"}
HELP_DESK_EMAIL = "FFMProducer-AssisterHelpDesk@cms.hhs.gov"
# Where an agent writes when a state they hold a license in (per NIPR) is missing: CMS's
# address for licensing questions (tip sheets 000 and 003), not the help desk's.
LICENSED_STATE_EMAIL = "FFMProducer-Assister@cms.hhs.gov"

# Sessions end after SESSION_IDLE_MINUTES without a request.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
# ... and SESSION_MAX_HOURS after login however busy they were (a new login starts anew).
SESSION_MAX_HOURS = env_int("SESSION_MAX_HOURS", 12)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Browsers treat http://127.0.0.1 and localhost as secure, so this holds for local runs too.
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
REMEMBER_USERNAME_DAYS = 90

# django-axes: lock a username tried from one client address after repeated wrong
# passwords (so nobody can lock someone else out from elsewhere); operators can unlock.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# The client address the rate limits use (TRUSTED_PROXY_HOPS), not the proxy's.
AXES_CLIENT_IP_CALLABLE = "agentmatch.accounts.lockout.client_ip"
# Adds the per-address limit below; its lockout answer is JSON under /api/, a page elsewhere.
AXES_HANDLER = "agentmatch.accounts.lockout.LockoutHandler"
AXES_LOCKOUT_CALLABLE = "agentmatch.accounts.lockout.lockout_response"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# One row per failure: what the per-address limit counts (pruned by the worker).
AXES_ENABLE_ACCESS_FAILURE_LOG = True
# Wrong passwords from one client address, whatever the usernames, in the window before
# that address may not log in at all (higher than the per-username limit: an office or a
# library shares one address).
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 50)
LOGIN_ADDRESS_WINDOW_SECONDS = env_int("LOGIN_ADDRESS_WINDOW_SECONDS", 3600)
# Forgot username / password: requests per client address, and emails per account, an hour.
RECOVERY_REQUESTS_PER_ADDRESS = env_int("RECOVERY_REQUESTS_PER_ADDRESS", 10)
RECOVERY_EMAILS_PER_ACCOUNT = env_int("RECOVERY_EMAILS_PER_ACCOUNT", 3)

# Email (SMTP settings from the environment; in development the console backend prints
# mail with phones masked and link secrets cut).
_email_backend = env_str(
    "EMAIL_BACKEND", "agentmatch.notifications.transports.console_email.EmailBackend"
)
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": (
            {
                "host": env_str("EMAIL_HOST", "127.0.0.1"),
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER", ""),
                "password": env_str("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            }
            if _email_backend.endswith("smtp.EmailBackend")
            else {}
        ),
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "AgentMatch <noreply@agentmatch.example>")

# WebAuthn relying party: the host name users see in the address bar.
# Passkeys belong to a domain name: browsers refuse them on an IP address, so a local run
# (SITE_URL http://127.0.0.1:8000) offers them at http://localhost:8000.
_site_host = urlsplit(SITE_URL).hostname or "localhost"
_site_is_ip = _site_host.replace(".", "").isdigit() or ":" in _site_host
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", "localhost" if _site_is_ip else _site_host)
WEBAUTHN_RP_NAME = "AgentMatch"
WEBAUTHN_ORIGINS = env_str(
    "WEBAUTHN_ORIGINS",
    SITE_URL.replace(_site_host, "localhost", 1) if _site_is_ip else SITE_URL,
).split(",")

# --- Notifications -------------------------------------------------------------------
# Text messages: "console" logs them, "file" appends JSON lines to SMS_FILE_PATH,
# "twilio" posts to Twilio's Messages resource at TWILIO_API_BASE (a stub in tests).
SMS_BACKEND = env_str("SMS_BACKEND", "console")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(DATA_DIR / "sms.jsonl"))
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "https://api.twilio.com").rstrip("/")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "")
# Web Push (VAPID): `agentmatch vapid-keys` prints a fresh pair as env lines.
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY", "")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY", "")
VAPID_SUBJECT = env_str("VAPID_SUBJECT", "mailto:noreply@agentmatch.example")
# Delivery: attempts per message before giving up, and the backoff between them
# (base * 2^(attempt-1), capped at 30 minutes, with jitter): 24 attempts keep a message
# trying through 4 to 8 hours of provider outage (jitter decides). Offer messages stop
# earlier anyway: once the 15-minute offer has ended they are suppressed.
NOTIFY_MAX_ATTEMPTS = env_int("NOTIFY_MAX_ATTEMPTS", 24)
NOTIFY_RETRY_BASE_SECONDS = float(env_str("NOTIFY_RETRY_BASE_SECONDS", "10"))
NOTIFY_RETRY_MAX_SECONDS = float(env_str("NOTIFY_RETRY_MAX_SECONDS", "1800"))
# A claimed message is not picked up by another worker for this long; it must exceed
# the longest send (NOTIFY_HTTP_TIMEOUT_SECONDS, EMAIL_TIMEOUT) by a wide margin.
NOTIFY_CLAIM_SECONDS = env_int("NOTIFY_CLAIM_SECONDS", 300)
NOTIFY_HTTP_TIMEOUT_SECONDS = float(env_str("NOTIFY_HTTP_TIMEOUT_SECONDS", "10"))
# After a temporary failure a worker skips that channel this long (doubling up to 60 s),
# so a provider that times out does not hold up the other channels; 0 turns it off.
NOTIFY_CHANNEL_PAUSE_SECONDS = float(env_str("NOTIFY_CHANNEL_PAUSE_SECONDS", "2"))
# Messages a worker claims, sends and records together, and how many of their sends run at
# once (threads): a batch costs a few statements whatever its size, and it is what the
# worker does before it looks at offer expiries again (docs/benchmarks.md).
NOTIFY_BATCH_SIZE = env_int("NOTIFY_BATCH_SIZE", 25)
NOTIFY_SEND_THREADS = env_int("NOTIFY_SEND_THREADS", 8)

# Webhooks to integrators (agentmatch/webhooks, docs/webhooks.md).
WEBHOOKS_ENCRYPTION_KEY = env_str("WEBHOOKS_ENCRYPTION_KEY", "")
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 8)
WEBHOOKS_RETRY_BASE_SECONDS = float(env_str("WEBHOOKS_RETRY_BASE_SECONDS", "30"))
WEBHOOKS_RETRY_MAX_SECONDS = float(env_str("WEBHOOKS_RETRY_MAX_SECONDS", "3600"))
WEBHOOKS_TIMEOUT_SECONDS = float(env_str("WEBHOOKS_TIMEOUT_SECONDS", "5"))
WEBHOOKS_CLAIM_SECONDS = env_int("WEBHOOKS_CLAIM_SECONDS", 60)
WEBHOOKS_SECRET_OVERLAP_HOURS = env_int("WEBHOOKS_SECRET_OVERLAP_HOURS", 24)
WEBHOOKS_EVENT_GAP_SECONDS = env_int("WEBHOOKS_EVENT_GAP_SECONDS", 300)
WEBHOOKS_DELIVERY_RETENTION_DAYS = env_int("WEBHOOKS_DELIVERY_RETENTION_DAYS", 30)
# Off in production: a subscription's URL may never reach this machine's own services.
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", False)
# Push services a browser subscription may point at (host or parent domain). The worker
# POSTs to the endpoint, so anything else is refused at subscription time (no SSRF).
PUSH_SERVICE_HOSTS = env_str(
    "PUSH_SERVICE_HOSTS",
    "fcm.googleapis.com,push.services.mozilla.com,web.push.apple.com,notify.windows.com",
).split(",")

# --- Notification links and replies --------------------------------------------------
# Twilio signs the exact URL it posted to; behind a proxy the host we see differs, so the
# inbound text webhook checks signatures against this public URL (default: SITE_URL + path).
TWILIO_WEBHOOK_URL = env_str("TWILIO_WEBHOOK_URL", "")
# Sent as StatusCallback with every text: Twilio posts delivery reports here, signed for it
# (set empty: no reports asked for).
TWILIO_STATUS_CALLBACK_URL = env_str("TWILIO_STATUS_CALLBACK_URL", SITE_URL + "/n/sms/status")
# The consumer's status link in "request received"; {id} and {token} are filled in.
CONSUMER_STATUS_URL = env_str("CONSUMER_STATUS_URL", SITE_URL + "/status/{id}/{token}/")
# Where agents answer and manage referrals (linked from texts and link pages).
AGENT_WORKSPACE_URL = env_str("AGENT_WORKSPACE_URL", SITE_URL + "/workspace/")

# --- Deployment / security -----------------------------------------------------------
# `agentmatch.E001` (core/checks.py) refuses to start with DEBUG off and a missing, weak or
# public SECRET_KEY: on `check`, `check --deploy`, `runserver`, every command that runs the
# checks (`run`, `worker`, `migrate`) and when the WSGI application loads.
# HTTPS: set these once TLS works end to end (HSTS cannot be taken back for its duration).
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Load balancers and Prometheus probe these over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# Behind a TLS-terminating proxy: the header (and value) it sets on HTTPS requests, e.g.
# PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https". Set it only if the proxy always
# overwrites that header: a client could send it too.
SECURE_PROXY_SSL_HEADER = deployment.proxy_ssl_header(env_str("PROXY_SSL_HEADER", ""))
# Origins whose form POSTs pass CSRF's origin check: by default the public SITE_URL, so a
# form posted through the proxy's https:// address passes even when the request reached
# us as plain http.
CSRF_TRUSTED_ORIGINS = [
    o for o in env_str("CSRF_TRUSTED_ORIGINS", deployment.origin_of(SITE_URL)).split(",") if o
]
# Browser features no page of ours uses are denied to every page (and to anything a page
# could embed); passkeys (WebAuthn) stay allowed for our own origin. Web Push and the
# service worker need no entry here.
PERMISSIONS_POLICY = {
    "accelerometer": "()",
    "autoplay": "()",
    "bluetooth": "()",
    "browsing-topics": "()",
    "camera": "()",
    "display-capture": "()",
    "encrypted-media": "()",
    "fullscreen": "()",
    "geolocation": "()",
    "gyroscope": "()",
    "hid": "()",
    "idle-detection": "()",
    "magnetometer": "()",
    "microphone": "()",
    "midi": "()",
    "payment": "()",
    "picture-in-picture": "()",
    "screen-wake-lock": "()",
    "serial": "()",
    "usb": "()",
    "xr-spatial-tracking": "()",
    "publickey-credentials-create": "(self)",
    "publickey-credentials-get": "(self)",
}

# --- Observability (docs/observability.md) --------------------------------------------
# /readyz answers 503 when no worker finished a loop in this many seconds (0: ignore workers).
READY_WORKER_MAX_AGE_SECONDS = env_int("READY_WORKER_MAX_AGE_SECONDS", 60)
# Bearer token Prometheus sends to /metrics; unset: only direct requests from loopback.
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
# Sentry (or a compatible service) DSN for error reports; unset: nothing is sent anywhere.
SENTRY_DSN = env_str("SENTRY_DSN", "")
# The environment name error reports are filed under (e.g. production, staging).
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
error_reports.init(SENTRY_DSN, environment=SENTRY_ENVIRONMENT)

# Web uploads of import files (/ops/imports/): the file goes to the database in chunks and
# a worker imports it. Larger requests are refused before their body is read.
IMPORT_UPLOAD_MAX_MB = env_int("IMPORT_UPLOAD_MAX_MB", 200)
