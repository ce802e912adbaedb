"""Django settings for Cakap. Every deploy-specific value comes from the environment."""

from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from cakap.env import cache_settings, env_bool, env_days, env_int, env_list, env_str

# Lets annotations such as ModelForm[Person] and QuerySet[Unit] work at run time too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("CAKAP_DEBUG", False)
SECRET_KEY = env_str("CAKAP_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("CAKAP_SECRET_KEY must be set when CAKAP_DEBUG is off")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env_list("CAKAP_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CAKAP_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("CAKAP_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "axes",
    "ninja",
    "cakap.core",
    "cakap.people",
    "cakap.notices",
    "cakap.programmes",
    "cakap.attendance",
    "cakap.competence",
    "cakap.reports",
    "cakap.privacy",
    "cakap.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cakap.core.middleware.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "cakap.core.address.UnstorableAddressMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    # Innermost, so that a view that could not reach the database answers 503.
    "cakap.core.unavailable.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "cakap.urls"
WSGI_APPLICATION = "cakap.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cakap.portal.context_processors.navigation",
            ],
        },
    },
]

# SQLite under var/ is the embedded default; DATABASE_URL chooses PostgreSQL in production.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'cakap.sqlite3'}"),
        conn_max_age=env_int("CAKAP_DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so concurrent check-ins queue on the busy timeout instead of failing.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
elif env_bool("CAKAP_DB_PREPARED", True):
    # PostgreSQL: bind parameters on the server and prepare a statement after its fifth
    # use on a connection, so the planner runs once per connection instead of on every
    # query (the join that loads a check-in's session plans in 0.7 ms and runs in 0.1).
    # Turn off behind a pooler that cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=5
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cakap.people.auth.NipOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "people:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "people:login"

# Login attempts are limited per account; an address is paused only when failures for
# many different accounts come from it (cakap/people/throttle.py).
AXES_ENABLED = env_bool("CAKAP_AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("CAKAP_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("CAKAP_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_HANDLER = "cakap.people.throttle.LoginThrottle"
LOGIN_ADDRESS_ACCOUNT_LIMIT = env_int("CAKAP_LOGIN_ADDRESS_ACCOUNT_LIMIT", 30)
# axes warns when the address is not a lockout parameter; LoginThrottle counts it.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_CALLABLE = "cakap.people.views.people.lockout"
AXES_RESET_ON_SUCCESS = True
# A refused try during a pause is not a new failure: the right password typed in a
# paused room must not count against that person's own account.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_FORM_FIELD = "username"
# One failure counter per account, whichever way its NIP or email was typed.
AXES_USERNAME_CALLABLE = "cakap.people.auth.lockout_username"
# The client's address: REMOTE_ADDR unless trusted proxies are declared (core/http.py).
TRUSTED_PROXY_COUNT = env_int("CAKAP_TRUSTED_PROXY_COUNT", 0)
CLIENT_IP_HEADER = env_str("CAKAP_CLIENT_IP_HEADER", "X-Forwarded-For")
AXES_CLIENT_IP_CALLABLE = "cakap.core.http.client_address"
PASSWORD_RESET_PER_ACCOUNT = env_int("CAKAP_PASSWORD_RESET_PER_ACCOUNT", 3)
PASSWORD_RESET_PER_ADDRESS = env_int("CAKAP_PASSWORD_RESET_PER_ADDRESS", 30)
PASSWORD_RESET_WINDOW_MINUTES = env_int("CAKAP_PASSWORD_RESET_WINDOW_MINUTES", 60)

# Django's session engines on core's UserSession (core/sessions): read from the shared
# cache and written through to the database when there is one, else the database alone;
# never a cache of one process (a sign-out must end the session in every worker).
_REDIS_URL = env_str("CAKAP_REDIS_URL", "")
SESSION_ENGINE = "cakap.core.sessions.cached_db" if _REDIS_URL else "cakap.core.sessions.db"
SESSION_COOKIE_AGE = env_int("CAKAP_SESSION_HOURS", 12) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("CAKAP_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("CAKAP_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("CAKAP_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

CACHES = cache_settings(_REDIS_URL, env_str("CAKAP_CACHE_PREFIX", "cakap"))

_mail_backend = env_str(
    "CAKAP_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
MAILERS: dict[str, dict[str, object]] = {"default": {"BACKEND": _mail_backend, "OPTIONS": {}}}
if _mail_backend.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("CAKAP_EMAIL_HOST", "localhost"),
        "port": env_int("CAKAP_EMAIL_PORT", 25),
        "username": env_str("CAKAP_EMAIL_USER", ""),
        "password": env_str("CAKAP_EMAIL_PASSWORD", ""),
        "use_tls": env_bool("CAKAP_EMAIL_TLS", False),
    }
DEFAULT_FROM_EMAIL = env_str("CAKAP_FROM_EMAIL", "cakap@localhost")

# Yearly competency-development target in JP per employee type (PP 11/2017 art. 203;
# the PPPK figure is unconfirmed, so it is a setting).
JP_YEARLY_TARGET = {
    "pns": env_int("CAKAP_JP_TARGET_PNS", 20),
    "pppk": env_int("CAKAP_JP_TARGET_PPPK", 24),
}
IMPORT_MAX_ROWS = env_int("CAKAP_IMPORT_MAX_ROWS", 5000)
# A personal sign-in link works until this many days after its programme's end date.
PERSONAL_LINK_DAYS_AFTER_END = env_int("CAKAP_PERSONAL_LINK_DAYS_AFTER_END", 14)
# A set-password link for a new login works once, within this many days (decision 81).
LOGIN_LINK_DAYS = env_int("CAKAP_LOGIN_LINK_DAYS", 7)

# Check-in (attendance/checkin.py): how far a phone's stated accuracy may widen a venue's
# radius, from what accuracy a position is flagged as rough, and how many wrong codes an
# account and a phone may send per minute.
CHECKIN_LOCATION_SLACK_M = env_int("CAKAP_CHECKIN_LOCATION_SLACK_M", 50)
CHECKIN_COARSE_FIX_M = env_int("CAKAP_CHECKIN_COARSE_FIX_M", 100)
CHECKIN_WRONG_CODES_PER_ACCOUNT = env_int("CAKAP_CHECKIN_WRONG_CODES_PER_ACCOUNT", 5)
CHECKIN_WRONG_CODES_PER_PHONE = env_int("CAKAP_CHECKIN_WRONG_CODES_PER_PHONE", 10)

# Retention (UU 27/2022; `manage.py apply_retention`, cakap/privacy): days after a
# person's last activity before their record is anonymised, and days each kind of
# check-in and log-in detail is kept.
RETENTION_DAYS = {
    "people": env_days("CAKAP_RETAIN_PEOPLE_DAYS", 5 * 365),
    "positions": env_days("CAKAP_RETAIN_CHECKIN_POSITIONS_DAYS", 90),
    "device_ids": env_days("CAKAP_RETAIN_DEVICE_IDS_DAYS", 180),
    "refused_check_ins": env_days("CAKAP_RETAIN_REFUSED_CHECKINS_DAYS", 90),
    "login_records": env_days("CAKAP_RETAIN_LOGIN_RECORDS_DAYS", 30),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CAKAP_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Background work (decision 88): `immediate` runs tasks inline when they are enqueued
# (the default: tests, `make serve`, a server without a worker); `database` queues them
# for `manage.py run_worker` (`make demo`, deployments).
_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
_TASKS_BACKEND = env_str("CAKAP_TASKS_BACKEND", "immediate")
if _TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"CAKAP_TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, not {_TASKS_BACKEND!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[_TASKS_BACKEND]}}
