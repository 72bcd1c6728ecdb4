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

# why off by default: the demo must look like production — the Chinese error pages, no URL
# list on a mistyped address (issue 12, finding 8); WUQUAN_DEBUG=1 when developing
DEBUG = os.environ.get("WUQUAN_DEBUG", "0") == "1"
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
    "wuquan.procurement",
    "wuquan.invest",
    "wuquan.collective",
    "wuquan.unitfinance",
    "wuquan.evaluation",
    "wuquan.personnel",
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
                "wuquan.common.context_processors.csrf_placeholder",
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
WUQUAN_LOG_KEY_PATH = Path(
    os.environ.get("WUQUAN_LOG_KEY_PATH", VAR_DIR / "keys" / "log-ed25519.key")
)
WUQUAN_LOG_ORIGIN = os.environ.get("WUQUAN_LOG_ORIGIN", "longtan.wuquan.example/log")
# issue 13 (AUD-2): the verifier key published apart from the database (the vkey itself, or a
# file holding it); the witnesses the log submits checkpoints to ("<url> <vkey>" per line or ";")
WUQUAN_LOG_VKEY = os.environ.get("WUQUAN_LOG_VKEY", "")
WUQUAN_LOG_VKEY_FILE = os.environ.get("WUQUAN_LOG_VKEY_FILE", "")
WUQUAN_WITNESSES = os.environ.get("WUQUAN_WITNESSES", "")
WUQUAN_SITE_NAME = os.environ.get("WUQUAN_SITE_NAME", "龙潭区五权监督平台")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("WUQUAN_LOG_LEVEL", "WARNING")},
}

# ---- security (issue 13 findings 6–9; docs/security.md, docs/decisions/0040–0042) ------------
# One block, every value from the environment. "Production" is WUQUAN_DEBUG=0: HTTPS settings
# default on there (WUQUAN_HTTPS), off in development and in `wuquan demo` (plain HTTP on
# 127.0.0.1; cli.py sets WUQUAN_HTTPS=0 for it unless told otherwise).
from datetime import timedelta  # noqa: E402

from django.core.exceptions import ImproperlyConfigured  # noqa: E402


def _env_flag(name: str, default: bool) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes")


def _env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


_DEV_SECRET_KEY = "wuquan-embedded-development-key-change-me"
if not DEBUG:
    if SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50:
        if "WUQUAN_SECRET_KEY" in os.environ:
            raise ImproperlyConfigured(
                "WUQUAN_DEBUG=0 with the default or a short WUQUAN_SECRET_KEY: refusing to start. "
                "Set WUQUAN_SECRET_KEY to 50+ random characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
            )
        # why: the embedded install has no operator to set a key; make one random key per
        # install (var/secret.key, 0600) rather than ever running on the published default.
        _key_file = VAR_DIR / "secret.key"
        if not _key_file.exists():
            import secrets as _secrets

            _key_file.touch(mode=0o600)
            _key_file.write_text(_secrets.token_urlsafe(64))
        SECRET_KEY = _key_file.read_text().strip()

# HTTPS: secure cookies, HSTS, redirect to https, and the proxy's scheme header (finding 9).
WUQUAN_HTTPS = _env_flag("WUQUAN_HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = _env_flag("WUQUAN_SSL_REDIRECT", WUQUAN_HTTPS)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = WUQUAN_HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("WUQUAN_HSTS_SECONDS", 31_536_000 if WUQUAN_HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("WUQUAN_HSTS_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_flag("WUQUAN_HSTS_PRELOAD", True)
if _env_flag("WUQUAN_BEHIND_TLS_PROXY", WUQUAN_HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = _env_list("WUQUAN_CSRF_TRUSTED_ORIGINS")

# Sessions: an idle staff session ends after WUQUAN_IDLE_MINUTES (默认 30, 等保2.0 三级
# "登录连接超时自动退出"); none outlives a working day or the browser.
WUQUAN_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("WUQUAN_IDLE_MINUTES", "30")))
SESSION_COOKIE_AGE = int(os.environ.get("WUQUAN_SESSION_MAX_SECONDS", 12 * 3600))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_ENGINE = "wuquan.common.sessions"  # Django's db sessions, read in plain SQL

# Content-Security-Policy (django-csp 4): our own static files only, no inline script or style.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        **({"upgrade-insecure-requests": True} if WUQUAN_HTTPS else {}),
    }
}
if _env_flag("WUQUAN_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY, CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY, None

# Behind a reverse proxy: which peers may tell us the client's address in X-Forwarded-For
# (IPs or CIDRs); empty = trust nobody, REMOTE_ADDR is the client (finding 8).
WUQUAN_TRUSTED_PROXIES = _env_list("WUQUAN_TRUSTED_PROXIES")

# The shared store for rate limits and idempotency keys ("shared"): Redis when REDIS_URL, else
# the database (table created by common's migration 0001, so `wuquan migrate` is enough).
# "default" stays each process's memory for page fragments (catalog guides), Redis if set.
_SHARED_CACHE = (
    {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "wq",
    }
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "wuquan_cache",
        "KEY_PREFIX": "wq",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    }
)
CACHES = {
    "default": (
        _SHARED_CACHE
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    ),
    "shared": _SHARED_CACHE,
}
# Public forms: per client address and hour (finding 8; docs/security.md).
WUQUAN_COMPLAINT_RATE_PER_HOUR = int(os.environ.get("WUQUAN_COMPLAINT_RATE_PER_HOUR", "5"))
WUQUAN_LOOKUP_FAILURES_PER_HOUR = int(os.environ.get("WUQUAN_LOOKUP_FAILURES_PER_HOUR", "10"))
WUQUAN_PUBLIC_POSTS_PER_HOUR = int(os.environ.get("WUQUAN_PUBLIC_POSTS_PER_HOUR", "60"))

# Login throttling (django-axes): WUQUAN_LOGIN_FAILURES wrong passwords for one username, or
# from one address, lock that username / address for WUQUAN_LOCKOUT_MINUTES; an
# administrator unlocks in the admin (访问尝试 → delete) or with `wuquan axes_reset_username`.
AXES_FAILURE_LIMIT = int(os.environ.get("WUQUAN_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("WUQUAN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "wuquan.common.auth.locked_out"
AXES_CLIENT_IP_CALLABLE = "wuquan.common.net.client_ip"
AXES_ENABLE_ADMIN = True
AUTHENTICATION_BACKENDS = [
    "wuquan.common.auth.AxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Passwords: 12+ characters, three of four kinds, not common, not like the username
# (等保2.0 三级 身份鉴别 "口令复杂度"; ASVS 5.0 V6.2).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "wuquan.common.auth.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
]

# Two-factor login (django-otp TOTP) for the commission, audit and administrator roles
# (org/twofactor.py); WUQUAN_REQUIRE_2FA=0 turns the requirement off (development only).
WUQUAN_REQUIRE_2FA = _env_flag("WUQUAN_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = WUQUAN_SITE_NAME

INSTALLED_APPS += ["axes", "django_otp", "django_otp.plugins.otp_totp"]


def _after(existing: str, *added: str) -> None:
    i = MIDDLEWARE.index(existing) + 1
    MIDDLEWARE[i:i] = list(added)


_after(
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "wuquan.common.middleware.EdgeInputMiddleware",
)
_after(
    "django.contrib.auth.middleware.AuthenticationMiddleware", "django_otp.middleware.OTPMiddleware"
)
_after(
    "django.contrib.messages.middleware.MessageMiddleware",
    "wuquan.common.middleware.IdleTimeoutMiddleware",
    "wuquan.org.twofactor.TwoFactorRequiredMiddleware",
    "wuquan.common.middleware.PublicFormRateMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # why: last, as django-axes requires
# ---- end of security ------------------------------------------------------------------------
# ---- the product's face (issue 12, finding 8; one block to ease merging) ---------------------
# The API docs (Swagger UI) from django-ninja's own static files, never a CDN: ninja renders its
# local template only when it is an installed app.
INSTALLED_APPS += ["ninja"]
# Chinese whatever the browser's Accept-Language; a language chosen through /i18n/setlang/ wins.
MIDDLEWARE = [
    "wuquan.common.middleware.SiteLanguageMiddleware"
    if m == "django.middleware.locale.LocaleMiddleware"
    else m
    for m in MIDDLEWARE
]
WUQUAN_ADMIN_TITLE = os.environ.get("WUQUAN_ADMIN_TITLE", f"{WUQUAN_SITE_NAME} · 后台维护")
