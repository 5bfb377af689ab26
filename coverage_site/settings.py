"""Settings for Độ phủ chi bộ, driven by environment variables.

Check out the code and it works: without DATABASE_URL the app uses an SQLite
file under var/ (git-ignored). Production sets DATABASE_URL to PostgreSQL.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default=False):
    """A yes/no variable; a value that is neither refuses to start (a typo
    such as DEBUG=ture must not silently mean "off")."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    text = value.strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: write 1/true/yes/on or 0/false/no/off.")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # A fixed key is acceptable only for local development with DEBUG on.
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "hamlets",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "coverage_site.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Answers kept for one reading request (coverage_site/lib/read_memo.py).
    "coverage_site.lib.read_memo.ReadMemoMiddleware",
    # Where this request's reads go (the primary, or a read replica when one is set).
    "coverage_site.replica.ReplicaMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its answer.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "coverage_site.urls"

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
                "coverage_site.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "coverage_site.wsgi.application"

DEFAULT_SQLITE = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
# Persistent connections are checked before reuse: after a PostgreSQL restart
# a worker's old connection is replaced instead of failing the next request.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler spends more time compiling the indicator
    # queries than running them (measured: 1.6 s with, 0.6 s without, on a
    # generated province; see docs/benchmarks.md).
    options = "-c jit=off"
    # The registry is read from memory, not from disk: at the default
    # random_page_cost (4, for spinning disks) PostgreSQL scans all 217,000
    # memberships to count one commune's residents instead of using the
    # member index (75 ms instead of 12 ms; a commune's figures 0.17 s
    # instead of 0.13 s, a province's 1.6 s instead of 1.5 s, measured).
    # 1.1 is the usual value for SSDs; PG_RANDOM_PAGE_COST overrides it.
    options += f" -c random_page_cost={float(os.environ.get('PG_RANDOM_PAGE_COST', '1.1'))}"
    if os.environ.get("PG_PARALLEL_WORKERS"):
        # Measured both ways (docs/benchmarks.md): without parallel workers one
        # commune's figures are a little faster, a province's 30-50 % slower.
        options += f" -c max_parallel_workers_per_gather={int(os.environ['PG_PARALLEL_WORKERS'])}"
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", options)
# A PostgreSQL read replica for reporting pages (coverage_site/replica.py):
# dashboards, drill-downs, trends, goals and the API read from it, except
# for a browser that changed something in the last REPLICA_PIN_SECONDS.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=60, conn_health_checks=True
    )
    DATABASES["replica"]["OPTIONS"] = dict(DATABASES["default"].get("OPTIONS", {}))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
REPLICA_PIN_SECONDS = int(os.environ.get("REPLICA_PIN_SECONDS", 30))
DATABASE_ROUTERS = ["coverage_site.replica.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    (BASE_DIR / "var").mkdir(exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Every transaction takes SQLite's write lock when it begins, so two
    # requests checking a rule across rows (overlapping terms) run one after
    # the other, as SELECT ... FOR UPDATE makes them on PostgreSQL.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"transaction_mode": "IMMEDIATE", "timeout": 30})

# The database cache is shared by all server processes. Its table is made
# by a migration (hamlets 0002), so `migrate` alone leaves a working site.
# Shared by every process: per-commune figures (reports/indicators/by_commune.py),
# login throttling. The database cache by default (no extra server); Redis when
# REDIS_URL is set. One entry per commune and data version, so a province keeps a
# few hundred entries per area filter; old versions age out.
#
# "progress" holds the progress of background jobs (hamlets/jobs.py). It must
# not live in the database: a job writes it from inside the transaction of the
# import it runs, and nobody else would see it before the commit. Redis when
# REDIS_URL is set, else files under var/ (shared by the processes of one machine).
if os.environ.get("REDIS_URL"):
    # Sessions read from the shared cache, written through to the database
    # (a query less on every page; a restarted Redis loses no one's login).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]},
        "progress": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "progress",
        },
    }
else:
    CACHES = {
        "default": {
            # Django's DatabaseCache, with set_many in two statements (coverage_site/lib/cache.py).
            "BACKEND": "coverage_site.lib.cache.BulkDatabaseCache",
            "LOCATION": "django_cache",
            # The default of 300 entries would evict a province's figures on every view.
            "OPTIONS": {"MAX_ENTRIES": 200_000, "CULL_FREQUENCY": 4},
        },
        "progress": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("PROGRESS_DIR", str(BASE_DIR / "var" / "progress")),
        },
    }

# Background jobs (hamlets/jobs.py): django-tasks with its database backend, so
# no extra server is needed; `manage.py db_worker` runs them (`make run` starts
# one beside the development server). TASKS_BACKEND can name another backend
# (tests run jobs immediately, in the request).
TASKS = {
    "default": {"BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Vietnamese first, English available.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["coverage_site.formats"]
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 8 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)

# Behind a reverse proxy that ends TLS (README, "Running it for real"): the
# browser's Origin is https://…, the request reaches gunicorn over http.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
if env_bool("BEHIND_TLS_PROXY", False):
    # Only when the proxy sets X-Forwarded-Proto itself (and strips the
    # client's): otherwise a client could claim https.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 3600))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Addresses of the reverse proxies whose X-Forwarded-For is believed
# (coverage_site/lib/addresses.py); empty: the connecting address is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Content-Security-Policy (django-csp): nothing inline, nothing from another
# origin. The second wall behind escaping; the pages have no inline script or
# style (static/js/app.js handles data-confirm and data-autosubmit).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed logins (django-axes, hamlets/auth.py): after this many failures for
# one user name, further attempts for it are refused until the window has
# passed. Never per address alone: behind a proxy everyone shares one.
# LOGIN_THROTTLE_BY_ADDRESS=1 also locks a client address (the real one,
# read through TRUSTED_PROXIES) that fails for many user names.
LOGIN_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", 5))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", 15 * 60))
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(seconds=LOGIN_FAILURE_WINDOW)
AXES_LOCKOUT_PARAMETERS = ["username"] + (["ip_address"] if env_bool("LOGIN_THROTTLE_BY_ADDRESS") else [])
AXES_CLIENT_IP_CALLABLE = "coverage_site.lib.addresses.client_address"
AXES_LOCKOUT_CALLABLE = "hamlets.auth.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# axes.W006 asks for the address among the lockout parameters; by design we
# lock per user name (see above), which rotating User-Agents cannot bypass.
# security.W021 asks for HSTS preloading: an intranet host is not for the
# browsers' public preload list (SECURE_HSTS_PRELOAD=1 opts in).
SILENCED_SYSTEM_CHECKS = ["axes.W006", "security.W021"]

DJANGO_TABLES2_TEMPLATE = "tables/table.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table"}


# At-risk rule of indicators.md ("At risk"); the programme's numbers as defaults.
AT_RISK_MIN_FULL_MEMBERS = int(os.environ.get("AT_RISK_MIN_FULL_MEMBERS", 3))
AT_RISK_SMALL_BRANCH_MEMBERS = int(os.environ.get("AT_RISK_SMALL_BRANCH_MEMBERS", 5))
AT_RISK_ELDERLY_SHARE = float(os.environ.get("AT_RISK_ELDERLY_SHARE", 0.5))
AT_RISK_ADMISSION_YEARS = int(os.environ.get("AT_RISK_ADMISSION_YEARS", 5))
ELDERLY_AGE = 60
SUMMARY_DUE_DAYS = int(os.environ.get("SUMMARY_DUE_DAYS", 10))

# How the whole installation (`province:all`) is named: with one province,
# and with several (reports/indicators/units.py).
PROVINCE_NAME = os.environ.get("PROVINCE_NAME", "Toàn tỉnh")
NATIONAL_NAME = os.environ.get("NATIONAL_NAME", "Toàn quốc")
# Data-quality checks (reports/quality.py): a probationary member is a finding
# this many days after the 12 months of probation.
QUALITY_PROBATION_GRACE_DAYS = int(os.environ.get("QUALITY_PROBATION_GRACE_DAYS", 30))


def email_settings(url):
    """Django's EMAIL_* settings from EMAIL_URL: smtp://user:password@host:587
    (STARTTLS), smtps://…:465 (TLS from the start); user and password are
    URL-encoded. Without it, the console backend (emails printed to the log)
    unless EMAIL_BACKEND / EMAIL_HOST… are set the usual way."""
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"EMAIL_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname or "localhost",
        "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp" and parts.port != 25,
    }


if os.environ.get("EMAIL_URL"):
    globals().update(email_settings(os.environ["EMAIL_URL"]))
else:
    EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Độ phủ chi bộ <no-reply@localhost>")
# The address of the site, for links in emails (reminders, the stop link).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
