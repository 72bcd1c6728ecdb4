"""Django settings for Wuquan.

Everything comes from environment variables with safe defaults for the embedded mode
(SQLite file under ./var, Huey on SQLite). PostgreSQL is selected by DATABASE_URL.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("WUQUAN_VAR_DIR", Path.cwd() / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = os.environ.get("WUQUAN_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("WUQUAN_SECRET_KEY", "wuquan-embedded-development-key-change-me")
ALLOWED_HOSTS = os.environ.get("WUQUAN_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

# Bounded contexts, bottom of the dependency order first (docs/architecture.md).
WUQUAN_APPS = [
    "wuquan.common",
    "wuquan.org",
    "wuquan.workdays",
    "wuquan.ledger",
    "wuquan.catalog",
    "wuquan.approvals",
    "wuquan.decisions",
    "wuquan.evaluation",
    "wuquan.workplan",
    # why disclosure before supervision: both read every app and nothing reads either, but
    # `wuquan demo` runs the loaders in this order and supervision's demo ends with the sweeps,
    # which must see every app's demo data (the portal's bulletins included)
    "wuquan.disclosure",
    "wuquan.supervision",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    *WUQUAN_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wuquan.common.middleware.DomainErrorMiddleware",
]

ROOT_URLCONF = "wuquan.urls"

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
                "django.template.context_processors.i18n",
                "wuquan.common.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "wuquan.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'wuquan.sqlite3'}",
        # why: reopening the SQLite file (and its WAL pragma) on every request cost ~3 ms of
        # a ~4 ms cached guide page (measured in bench/catalog_pages.py); keep connections.
        conn_max_age=int(os.environ.get("WUQUAN_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # why: WAL lets the portal read while a clerk writes; IMMEDIATE makes every write
    # transaction take the write lock at BEGIN, so the ledger's appends serialise cleanly.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"  # display; storage is UTC (USE_TZ)
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # the project-wide stylesheet (src/wuquan/static)
# why: the embedded install serves its few assets straight from the apps (no collectstatic
# step to forget); WhiteNoise still sets caching headers.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "portal-home"

EMAIL_BACKEND = os.environ.get(
    "WUQUAN_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

# Background work (sweeps, checkpoints, notifications): Huey on SQLite, Redis when REDIS_URL.
if os.environ.get("REDIS_URL"):
    HUEY = {"huey_class": "huey.RedisHuey", "name": "wuquan", "url": os.environ["REDIS_URL"]}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "wuquan",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": False,
    }

# The ledger's Ed25519 signing key lives outside the database (AUD-2).
WUQUAN_LOG_KEY_PATH = Path(os.environ.get("WUQUAN_LOG_KEY_PATH", VAR_DIR / "keys" / "log-ed25519.key"))
WUQUAN_LOG_ORIGIN = os.environ.get("WUQUAN_LOG_ORIGIN", "longtan.wuquan.example/log")
WUQUAN_SITE_NAME = os.environ.get("WUQUAN_SITE_NAME", "龙潭区五权监督平台")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WUQUAN_LOG_LEVEL", "WARNING")},
}
