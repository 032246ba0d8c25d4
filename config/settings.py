"""QM Portal settings: one file, driven by environment variables (documented in .env.example).

`DJANGO_ENV` picks the run mode: `development` (default: SQLite, console e-mail, demo helpers)
or `production` (refuses to start without its secrets; `manage.py check --deploy` is clean).
"""

import re
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from environs import Env

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()
if env.bool("DJANGO_READ_DOTENV", True):  # tests of the run modes turn it off
    env.read_env(BASE_DIR / ".env", recurse=False)

DJANGO_ENV = env.str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"


def _required_in_production(name: str, development_default: str) -> str:
    """Read `name`; production must set it, development falls back to a harmless default."""
    value = env.str(name, "")
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_ENV=production.")
    return development_default


SECRET_KEY = _required_in_production(
    "SECRET_KEY", "development-only-key-that-is-long-enough-for-django-checks-0123456789"
)
# Earlier keys, still accepted while a rotation settles (docs/operations.md): authenticator-app
# keys sealed with one are re-sealed by `reseal_second_factor_secrets` (ADR 0025).
SECRET_KEY_FALLBACKS: list[str] = env.list("SECRET_KEY_FALLBACKS", [])
DEBUG = env.bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG cannot be on when DJANGO_ENV=production.")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_ENV=production.")
# Development mode publishes its keys and opens the mailbox page: never let it face a network.
if not PRODUCTION and set(ALLOWED_HOSTS) - {"127.0.0.1", "localhost", "[::1]", "testserver"}:
    raise ImproperlyConfigured("Development mode serves loopback hosts only; set DJANGO_ENV.")
# Behind nginx on a unix socket, REMOTE_ADDR is empty: name the META key of the header the proxy
# overwrites with the client address (HTTP_X_REAL_IP with deploy/nginx). Never trust a header
# the proxy does not overwrite: clients could forge it. Production must say where the address
# comes from, REMOTE_ADDR itself when the socket's peer is the client: without one, every client
# shares one empty address, and the sign-in throttle and the audit trail cannot tell them apart.
CLIENT_IP_HEADER = env.str("CLIENT_IP_HEADER", "")
if PRODUCTION and not CLIENT_IP_HEADER:
    raise ImproperlyConfigured(
        "CLIENT_IP_HEADER must be set when DJANGO_ENV=production: HTTP_X_REAL_IP behind "
        "deploy/nginx, REMOTE_ADDR when gunicorn's peer is the client itself."
    )
if CLIENT_IP_HEADER and not re.fullmatch(r"REMOTE_ADDR|HTTP_[A-Z0-9_]+", CLIENT_IP_HEADER):
    raise ImproperlyConfigured(
        "CLIENT_IP_HEADER names a request.META key: REMOTE_ADDR, or HTTP_ and the header's name "
        "in capitals with underscores (HTTP_X_REAL_IP)."
    )
CSRF_TRUSTED_ORIGINS: list[str] = env.list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "portal.core.views.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "django_filters",
    "portal.core",
    "portal.registry",
    "portal.accounts",
    "portal.reports",
    "portal.iad",
    "portal.seclusion",
    "portal.humanrights",
    "portal.qoc",
    "portal.ioc",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.core.middleware.FreshHomeCountsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.core.middleware.NoStoreMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.core.context_processors.portal",
            ],
        },
    },
]
FORM_RENDERER = "portal.core.forms.USWDSRenderer"

# --- Database -------------------------------------------------------------------------------
# Connections outlive a request (a new PostgreSQL connection costs more than most pages); the
# health check replaces one that broke, so service resumes by itself after a database restart.
DATABASES = {
    "default": dj_database_url.parse(
        _required_in_production("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"),
        conn_max_age=env.int("DATABASE_CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the task worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    # A file, not memory, so that tests can race real connections against each other; beside
    # the database file, so that two checkouts' suites never share one.
    _sqlite = Path(DATABASES["default"]["NAME"])
    DATABASES["default"]["TEST"] = {"NAME": str(_sqlite.with_name(f"test_{_sqlite.name}"))}
    # The covering indexes made for PostgreSQL (ADR 0015) are plain indexes on SQLite, which the
    # development database can live with; the warning would greet every `make run`.
    SILENCED_SYSTEM_CHECKS = [] if PRODUCTION else ["models.W040"]
# PostgreSQL: statements are bound on the server. Only those of a fixed shape are prepared,
# once per connection: the audit insert and the queries compiled once (portal.core.prepared),
# which PostgreSQL may then plan once for all values. Every other query, a list's among them, is
# planned for its own values: a plan made once for one list's filters could be slow for
# another's (ADR 0028, ADR 0030). Off behind a pooler in transaction mode that cannot keep
# prepared statements (PgBouncer before 1.22, or without max_prepared_statements).
DATABASE_PREPARED_STATEMENTS = env.bool("DATABASE_PREPARED_STATEMENTS", True)
if (
    DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and DATABASE_PREPARED_STATEMENTS
):
    DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No just-in-time compilation: PostgreSQL compiles a query whose estimated cost passes
    # jit_above_cost, and for an export that took longer than running the query did (2.0 s of
    # compiling against 0.7 s of running, ADR 0034).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and passwords -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "portal.accounts.backends.PortalBackend",
    "portal.accounts.sso.StaffSingleSignOnBackend",
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
# The first hasher makes every new hash; the others only check hashes imported from the previous
# portal (import_legacy_accounts), which Django upgrades to the first at the next sign-in.
PASSWORD_HASHERS = [
    "portal.accounts.hashers.PortalArgon2Hasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
]
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", 15)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Agency staff sign in through single sign-on (SPEC §2.9, ADR 0011): OpenID Connect, authorization
# code + PKCE, against SSO_ISSUER. Without an issuer the staff door says it is not connected;
# production requires one. Endpoint defaults follow the development identity provider's layout
# (tools/dev-idp); a real provider's come from its /.well-known/openid-configuration.
SSO_ISSUER = _required_in_production("SSO_ISSUER", "").rstrip("/")
if PRODUCTION and not SSO_ISSUER.startswith("https://"):
    raise ImproperlyConfigured("SSO_ISSUER must be an https:// address in production.")
OIDC_RP_CLIENT_ID = _required_in_production("SSO_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = _required_in_production("SSO_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("SSO_AUTHORIZATION_ENDPOINT", f"{SSO_ISSUER}/auth")
OIDC_OP_TOKEN_ENDPOINT = env.str("SSO_TOKEN_ENDPOINT", f"{SSO_ISSUER}/token")
OIDC_OP_USER_ENDPOINT = env.str("SSO_USERINFO_ENDPOINT", f"{SSO_ISSUER}/me")
OIDC_OP_JWKS_ENDPOINT = env.str("SSO_JWKS_ENDPOINT", f"{SSO_ISSUER}/jwks")
OIDC_RP_SIGN_ALGO = env.str("SSO_SIGNING_ALGORITHM", "RS256")
OIDC_RP_SCOPES = "openid email profile groups"
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.int("SSO_TIMEOUT_SECONDS", 10)
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:agency_callback"
# The registry entry (kind "agency") staff accounts belong to, the claim that lists a person's
# groups, and which groups give which roles: "group=role;role,other group=role".
SSO_AGENCY_IDENTIFIER = env.str("SSO_AGENCY_IDENTIFIER", "AHCCCS")
SSO_GROUPS_CLAIM = env.str("SSO_GROUPS_CLAIM", "groups")
_group_entries: list[str] = env.list("SSO_GROUP_ROLES", [])
SSO_GROUP_ROLES = {
    group.strip(): frozenset(role.strip() for role in roles.split(";"))
    for group, _, roles in (entry.partition("=") for entry in _group_entries if "=" in entry)
}
# Seconds of clock difference tolerated when checking a token's times.
SSO_CLOCK_LEEWAY_SECONDS = env.int("SSO_CLOCK_LEEWAY_SECONDS", 60)
# Development only: lets agency accounts without single sign-on use a local password.
ALLOW_AGENCY_LOCAL_PASSWORD = env.bool("ALLOW_AGENCY_LOCAL_PASSWORD", not PRODUCTION)
if PRODUCTION and ALLOW_AGENCY_LOCAL_PASSWORD:
    raise ImproperlyConfigured("ALLOW_AGENCY_LOCAL_PASSWORD cannot be on in production.")
DEMO_PASSWORD = env.str("DEMO_PASSWORD", "" if PRODUCTION else "Portal-demo-password-2026")

# Lockout: this many failed sign-ins within the window lock the account (SPEC §2.2). A client
# address that fails more than SIGN_IN_IP_LIMIT times in the window is refused for a while,
# without locking the accounts it tried.
LOCKOUT_THRESHOLD = env.int("LOCKOUT_THRESHOLD", 3)
LOCKOUT_WINDOW_MINUTES = env.int("LOCKOUT_WINDOW_MINUTES", 15)
SIGN_IN_IP_LIMIT = env.int("SIGN_IN_IP_LIMIT", 30)
# Tries of public steps per client address: (limit, window in minutes). Registration checks
# usernames and e-mail addresses, so a flood of tries would list who has an account.
RATE_LIMITS = {
    "register": (env.int("REGISTRATION_TRY_IP_LIMIT", 20), 60),
}
# Accounts one client address may register per hour (SPEC §2.3: registration is rate-limited).
REGISTRATION_IP_LIMIT = env.int("REGISTRATION_IP_LIMIT", 10)

# Inactivity (SPEC §2.2): days without activity before an account locks and before it is
# deleted, and how many daily warning e-mails come before each.
INACTIVITY_LOCK_DAYS = env.int("INACTIVITY_LOCK_DAYS", 60)
INACTIVITY_DELETE_DAYS = env.int("INACTIVITY_DELETE_DAYS", 120)
INACTIVITY_WARNING_DAYS = env.int("INACTIVITY_WARNING_DAYS", 5)

# Password recovery: minutes an e-mailed security code works, and wrong tries it allows.
RECOVERY_CODE_MINUTES = env.int("RECOVERY_CODE_MINUTES", 30)
RECOVERY_CODE_TRIES = env.int("RECOVERY_CODE_TRIES", 5)

# Activation letters: days a printed code stays valid; wrong tries allowed per window.
ACTIVATION_CODE_DAYS = env.int("ACTIVATION_CODE_DAYS", 30)
ACTIVATION_MAX_TRIES = env.int("ACTIVATION_MAX_TRIES", 5)
ACTIVATION_TRY_WINDOW_MINUTES = env.int("ACTIVATION_TRY_WINDOW_MINUTES", 15)

# Second factor (ADR 0025): passkeys and authenticator-app codes, asked right after the password.
# A master may require one for their whole organization; this setting requires one of every
# master and every agency account that signs in with a local password (single sign-on is exempt:
# the identity provider is its second factor).
SECOND_FACTOR_FOR_MASTERS_AND_AGENCY = env.bool("SECOND_FACTOR_FOR_MASTERS_AND_AGENCY", PRODUCTION)
# The WebAuthn relying party: by default the host the page was asked for (one of ALLOWED_HOSTS);
# set it when the portal answers under several names, so passkeys work under all of them.
WEBAUTHN_RP_ID = env.str("WEBAUTHN_RP_ID", "")
WEBAUTHN_RP_NAME = env.str("WEBAUTHN_RP_NAME", "QM Portal")
# The name authenticator apps show next to the codes.
TOTP_ISSUER = env.str("TOTP_ISSUER", "AHCCCS QM Portal")

# --- Registry ----------------------------------------------------------------------------------
PROVIDER_ID_LENGTH = env.int("PROVIDER_ID_LENGTH", 6)

# --- Sessions, cookies, security headers ------------------------------------------------------
# A session ends after SESSION_IDLE_SECONDS without a request (warned SESSION_WARNING_SECONDS
# before, with a way to stay) and, whatever happens, SESSION_ABSOLUTE_SECONDS after sign-in.
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", 15 * 60)
SESSION_WARNING_SECONDS = env.int("SESSION_WARNING_SECONDS", 2 * 60)
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
# Messages ("Anna Diaz can now sign in.") name people: keep them in the session, on the server,
# rather than in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = PRODUCTION
# Browsers accept __Host- cookies only over HTTPS, so development keeps plain names.
SESSION_COOKIE_NAME = "__Host-qm_session" if PRODUCTION else "qm_session"
CSRF_COOKIE_NAME = "__Host-qm_csrf" if PRODUCTION else "qm_csrf"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/audit$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}

# --- Internationalization ---------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/Phoenix"
USE_I18N = True
USE_TZ = True

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "assets" / "build"]
# Development serves assets straight from assets/build; production from collectstatic's output.
WHITENOISE_USE_FINDERS = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Attachments (SPEC §3.1) ------------------------------------------------------------------
# Files attached to reports live here under random names, outside any folder the web server
# publishes; only access-checked views read them. A relative path is taken from BASE_DIR.
ATTACHMENTS_ROOT = BASE_DIR / env.path("ATTACHMENTS_ROOT", BASE_DIR / "var" / "attachments")
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
if any(ATTACHMENTS_ROOT.resolve().is_relative_to(Path(web).resolve())
       for web in [STATIC_ROOT, *STATICFILES_DIRS]):  # fmt: skip
    raise ImproperlyConfigured("ATTACHMENTS_ROOT cannot be inside a static files folder.")
# Files do not count towards DATA_UPLOAD_MAX_MEMORY_SIZE, so an oversize file reaches the form,
# which names the limit; files above FILE_UPLOAD_MAX_MEMORY_SIZE wait on disk (not in memory)
# until they are checked. The proxy's own limit (deploy/nginx: client_max_body_size) must stay
# above ATTACHMENT_MAX_BYTES.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Background tasks and e-mail -------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
EMAIL_RETRY_LIMIT = env.int("EMAIL_RETRY_LIMIT", 8)
# Days a sent e-mail stays in the outbox (to, subject, times) before prune_sent_email deletes it.
EMAIL_RETENTION_DAYS = env.int("EMAIL_RETENTION_DAYS", 30)
# EMAIL_URL: smtp://user:password@host:587/?tls=True; console:// prints every message in full;
# file:// (the development default) writes each one to var/mail/ instead, so that the console of
# `make run` stays readable. The development mailbox page lists every message either way.
_email = env.dj_email_url("EMAIL_URL", default="smtp://localhost:25" if PRODUCTION else "file://")
if PRODUCTION and not env.str("EMAIL_URL", ""):
    raise ImproperlyConfigured("EMAIL_URL must be set when DJANGO_ENV=production.")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER") or ""
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 20
EMAIL_FILE_PATH = BASE_DIR / "var" / "mail"
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", "QM Portal <no-reply@qmportal.invalid>")
# Absolute address for links in e-mails and letters. By default the development server's, on
# the port `make run` serves (PORT=8080 make run); an explicit SITE_URL wins.
_development_port = env.int("PORT", 8000)
SITE_URL = env.str("SITE_URL", f"http://127.0.0.1:{_development_port}")

# --- Audit trail ------------------------------------------------------------------------------
# The chain key lives outside the database so that a database writer cannot re-seal a forgery.
AUDIT_HMAC_KEY = _required_in_production(
    "AUDIT_HMAC_KEY", "development-only-audit-key-do-not-use-in-production"
)
# The sealer (`manage.py seal_audit`, ADR 0024) looks for unsealed events every
# AUDIT_SEAL_INTERVAL seconds and seals at most AUDIT_SEAL_BATCH_SIZE in one batch (one Merkle
# tree). An event waiting longer than AUDIT_SEAL_LAG_LIMIT seconds fails /healthz/audit and makes
# the sealer log an error.
AUDIT_SEAL_INTERVAL = env.float("AUDIT_SEAL_INTERVAL", 0.2)
AUDIT_SEAL_BATCH_SIZE = env.int("AUDIT_SEAL_BATCH_SIZE", 5000)
AUDIT_SEAL_LAG_LIMIT = env.float("AUDIT_SEAL_LAG_LIMIT", 5.0)
# The audit insert, which every page read makes, is prepared at once on PostgreSQL, on a cursor
# of its own, unless DATABASE_PREPARED_STATEMENTS is off (ADR 0024).

# --- What the pages show ----------------------------------------------------------------------
AGENCY_NAME = env.str("AGENCY_NAME", "Arizona Health Care Cost Containment System (AHCCCS)")
AGENCY_ADDRESS = env.str("AGENCY_ADDRESS", "801 E. Jefferson Street, Phoenix, AZ 85034")
SUPPORT_PHONE = env.str("SUPPORT_PHONE", "(602) 417-4451")
SUPPORT_EMAIL = env.str("SUPPORT_EMAIL", "servicedesk@azahcccs.gov")
# Whom to call when the registry has no mailing address on file for an organization.
REGISTRY_CONTACT_PHONE = env.str("REGISTRY_CONTACT_PHONE", "(602) 417-7670")
# Report lists count matches up to this many and then say "more than"; counting every match of
# a broad filter over a million reports would cost more than the page itself.
LIST_COUNT_LIMIT = env.int("LIST_COUNT_LIMIT", 1_000)
# How long a list's count that reached that limit is remembered ("more than 1,000" again while
# paging or sorting, without counting; a count under the limit is always made; ADR 0027).
LIST_CAPPED_SECONDS = env.int("LIST_CAPPED_SECONDS", 60)
# How long the provider and plan choices of the list filters are kept per organization.
FILTER_CHOICES_SECONDS = env.int("FILTER_CHOICES_SECONDS", 300)
# How long the counts of a person's home page are shown again before they are counted anew (a
# person's own change, any POST, has them counted at once; ADR 0027).
HOME_COUNTS_SECONDS = env.int("HOME_COUNTS_SECONDS", 60)
# How many ended months a facility is asked about for its S&R monthly summaries (SPEC §5).
SR_SUMMARY_MONTHS = env.int("SR_SUMMARY_MONTHS", 12)
# After how many days without a word special assistance looks stale: its filer is asked to
# confirm that it is still needed or to end it (Part C).
OHR_STALE_DAYS = env.int("OHR_STALE_DAYS", 90)
# The business days a provider is given to answer a Quality of Care record request, unless the
# investigator chooses another due day.
QOC_RECORD_REQUEST_DAYS = env.int("QOC_RECORD_REQUEST_DAYS", 10)
# How long the Quality of Care trends, once counted for a period and plan, are shown again
# before they are counted anew.
QOC_TRENDS_SECONDS = env.int("QOC_TRENDS_SECONDS", 300)

# --- Logging: no PHI reaches the logs; request bodies are never logged. ----------------------
# In development the worker's two lines per task (started, finished) would bury what `make run`
# prints under a pair per e-mail: only its warnings and failures show there.
_quiet_tasks = {"handlers": ["warnings"], "propagate": False}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "warnings": {"class": "logging.StreamHandler", "level": "WARNING"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Without handlers of its own: Django's console handler would print a second copy of
        # every message that reaches the root's ("Watching for file changes" twice).
        "django": {"handlers": []},
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Malformed uploads make pypdf warn about their structure: refused files, not faults.
        "pypdf": {"level": "ERROR"},
        **({} if PRODUCTION else {"django_tasks": _quiet_tasks, "django_tasks_db": _quiet_tasks}),
    },
}
