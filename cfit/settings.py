"""Settings of the cfit platform, all read from the environment.

Defaults suit local development on SQLite. ``DJANGO_ENV=production`` switches on the production
behaviour (no debug, secure cookies, a required secret key); see docs/production.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cfit.uploads import MAX_REGISTER_BYTES

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    try:
        return int(value) if value else default
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from error


def envsecret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE (for container secrets)."""
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text().strip()
    return os.environ.get(name, default)


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


def api_rate_cache(value: str) -> dict[str, str]:
    """The cache of the API's rate-limit counts, from API_RATE_CACHE: empty for each process's memory,
    "database" for a table shared by every process, or a redis:// (rediss://) address."""
    if not value:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "api-rate"}
    if value == "database":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "cfit_api_rate"}
    if value.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": value}
    raise ImproperlyConfigured(f"API_RATE_CACHE must be empty, database or a redis:// address, not {value!r}")


# ---------------------------------------------------------------------------
# Deployment: what changes between a laptop and a server
# ---------------------------------------------------------------------------

DJANGO_ENV = os.environ.get("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"DJANGO_ENV must be development or production, not {DJANGO_ENV!r}")
PRODUCTION = DJANGO_ENV == "production"

# DEBUG shows tracebacks (and settings) to anyone who triggers an error: never in production, even
# if DJANGO_DEBUG is left set from a laptop.
DEBUG = envbool("DJANGO_DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DJANGO_DEBUG cannot be on in production (it shows tracebacks to visitors)")

SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdefghijklmnop"

ALLOWED_HOSTS = envlist(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])


def site_address(value: str | None, *, production: bool) -> str:
    """The site's public address from CFIT_SITE_URL, without a trailing slash: required in production,
    and there on https; http://127.0.0.1:8000 on a laptop. The site answers at the root of that address
    (links are the address followed by the page's path)."""
    if not value:
        if production:
            raise ImproperlyConfigured(
                "CFIT_SITE_URL must be set in production: the site's public address, such as "
                "https://cfit.example.org, which the links in mails point to"
            )
        return "http://127.0.0.1:8000"
    parts = urlsplit(value.strip())
    extra = parts.path.strip("/") or parts.query or parts.fragment
    if parts.scheme not in {"http", "https"} or not parts.netloc or extra:
        raise ImproperlyConfigured(
            f"CFIT_SITE_URL must be the site's address such as https://cfit.example.org (no path), not {value!r}"
        )
    if production and parts.scheme != "https":
        raise ImproperlyConfigured(f"CFIT_SITE_URL must be an https address in production, not {value!r}")
    return value.strip().rstrip("/")


# The address mails link to (cfit/sitelinks.py): mails are written by cron jobs and workers, which have
# no request to read the site's address from.
SITE_URL = site_address(os.environ.get("CFIT_SITE_URL"), production=PRODUCTION)

# Where the SQLite file and uploads live when no DATABASE_URL is given. `make demo` points it at
# the checkout's var/ folder; the default keeps `cfit` usable from any folder.
DATA_DIR = Path(
    os.environ.get("CFIT_DATA_DIR")
    or Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "cfit"
)

# SQLite by default; PostgreSQL (or anything dj-database-url knows) when DATABASE_URL is set.
if database_url := os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(database_url, conn_max_age=envint("DB_CONN_MAX_AGE", 60))}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "cfit.sqlite3"),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"},
            # Kept open between requests, as on PostgreSQL: opening the file and setting it up again
            # for every request cost more than most pages' queries.
            "CONN_MAX_AGE": envint("DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    }

if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# ---------------------------------------------------------------------------
# The application: installed apps, middleware, templates
# ---------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # serves the OpenAPI docs page from local static files (no CDN)
    "cfit.accounts",
    "cfit.criteria",
    "cfit.tenders",
    "cfit.offers",
    "cfit.impact",
    "cfit.fleet",
    "cfit.pact",
    "cfit.monitoring",
    "cfit.jobs",
    "cfit.cloud",
    "cfit.datacentres",
    "cfit.contracts",
    "cfit.factories",
    "cfit.duediligence",
    "cfit.audit",
    "cfit.notices",
    "cfit.learning",
    "cfit.joining",
    "cfit.casestudies",
    "cfit.consultations",
    "cfit.search",
]

MIDDLEWARE = [
    # First: an oversized request is refused before anything (the CSRF check included) reads its body.
    "cfit.middleware.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "cfit.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # LocaleMiddleware after sessions and before common: it reads the language cookie and Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    # A signed-in user's own language where the device chose none (no language cookie): after the locale.
    "cfit.accounts.languages.OwnLanguageMiddleware",
    # The API's answers: its error body where no API view answered, ETag and 304 (after the locale is set).
    "cfit.middleware.ApiConventionsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # An API request with a bearer token acts as the token's user (before the scope is set from it).
    "cfit.accounts.tokens.ApiTokenMiddleware",
    # The API's rate limit, per token (or user) and per address without one (after the token signs in).
    "cfit.apilimits.ApiRateLimitMiddleware",
    "cfit.accounts.scoping.OrganisationScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cfit.urls"
WSGI_APPLICATION = "cfit.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
            # {% load labels %}: a label and its value joined the reader's way (cfit/labels.py)
            "libraries": {"labels": "cfit.labels"},
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's backend with sign-in throttling in front (cfit/accounts/throttle.py: 5 failures per
# account or 20 per address in 15 minutes lock sign-in; counted in the database, shared by workers).
AUTHENTICATION_BACKENDS = ["cfit.accounts.backends.ThrottledModelBackend"]
# How many reverse proxies in front of cfit append to X-Forwarded-For: the throttle counts failures
# per client address, which behind a proxy is the one the proxy saw. Production runs behind one
# (docs/production.md); if cfit faces the internet directly, set TRUSTED_PROXIES=0, or clients
# could pick their own address.
TRUSTED_PROXIES = envint("TRUSTED_PROXIES", 1 if PRODUCTION else 0)
# Password reset links are valid this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ---------------------------------------------------------------------------
# Languages, static files, logging
# ---------------------------------------------------------------------------

# The UI languages. If you add one, add it to cfit.criteria.content.LANGUAGES too: every
# criterion text must exist in each of them.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("nl", _("Dutch")),
    ("fr", _("French")),
    ("de", _("German")),
    ("nb", _("Norwegian (bokmål)")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# English dates day first with the month in words (Django's are American); the other languages keep
# Django's own formats.
FORMAT_MODULE_PATH = ["cfit.formats"]
TIME_ZONE = "Europe/Brussels"
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
if not PRODUCTION:
    # WhiteNoise serves straight from the apps' static folders, so no collectstatic is needed locally.
    WHITENOISE_USE_FINDERS = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Each process keeps what pages render once and reuse (a published version's criteria, the results of an
# edition, a fleet's figures, the menu): every key names the state of the data it was built from, so
# nothing needs to be shared between processes (product group names, which an administrator may change
# by hand, expire within the hour). Django's default of 300 entries would evict the criteria pages
# (217 criteria × 5 languages) before their reuse.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": envint("CACHE_MAX_ENTRIES", 20000)},
    },
    "api-rate": api_rate_cache(os.environ.get("API_RATE_CACHE", "")),
}
# The API's rate limit (cfit/apilimits.py): requests per window of API_RATE_WINDOW seconds for each
# token (or browser session's user), and for each network address calling without one; 0 switches a
# limit off. The counts live in the "api-rate" cache: each process's memory unless API_RATE_CACHE
# names a shared one ("database", after `cfit createcachetable`; or a redis:// address, with the redis
# package installed), so that with several workers the limit holds across them (docs/production.md).
API_RATE_LIMIT = envint("API_RATE_LIMIT", 600)
API_RATE_LIMIT_ANONYMOUS = envint("API_RATE_LIMIT_ANONYMOUS", 120)
API_RATE_WINDOW = envint("API_RATE_WINDOW", 60)

# Mail (monitoring reminders): an SMTP server when EMAIL_HOST is set, else printed to the console.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = envint("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envsecret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "cfit <noreply@localhost>")

# Register files wait here between their upload and their import (deleted once imported).
UPLOAD_DIR = Path(os.environ.get("CFIT_UPLOAD_DIR") or DATA_DIR / "uploads")
# Long work (register imports) runs as jobs claimed by `cfit worker` (cfit/jobs/runner.py). Where no
# worker has been seen for 30 s, the web process runs a queued job in a thread itself (`make demo`
# serves runserver only); set false where workers always run and a web process should never work.
JOBS_THREAD_FALLBACK = envbool("JOBS_THREAD_FALLBACK", True)
# False runs a register import inline, in the request that starts it (tests, single-process tools).
FLEET_IMPORT_IN_BACKGROUND = envbool("FLEET_IMPORT_IN_BACKGROUND", True)
# The largest register file taken by the import page, the API and the commands alike.
FLEET_REGISTER_MAX_BYTES = envint("FLEET_REGISTER_MAX_BYTES", MAX_REGISTER_BYTES)
# Uploads are untrusted: cfit.middleware.RequestSizeLimitMiddleware refuses any request body over the
# import limit (cfit.uploads.MAX_IMPORT_BYTES, 20 MB; the register limit where a register is sent)
# before it is read; form fields other than files
# may take at most DATA_UPLOAD_MAX_MEMORY_SIZE, and files over FILE_UPLOAD_MAX_MEMORY_SIZE wait in a
# temporary file rather than in memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("LOG_LEVEL", "INFO" if PRODUCTION else "WARNING"),
    },
}
