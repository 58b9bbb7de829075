"""Configuration read from the environment, with safe defaults for development."""
import os
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WEAK_KEYS = {"", "dev", "change-me", "secret", "development-only-secret-key"}


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app may run with."""


def _default_database_url(instance_path: str) -> str:
    return "sqlite:///" + os.path.join(instance_path, "onboarding.db")


def _positive(env, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {raw!r}.")
    return int(raw)


def _mail_url(env) -> str:
    """MAIL_URL as given, once it names an SMTP server: smtp://[user:pass@]host[:port] or smtps://..."""
    from urllib.parse import urlsplit

    raw = env.get("MAIL_URL", "").strip()
    if not raw:
        return ""
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise ConfigError("MAIL_URL is not a valid address: use smtp://user:pass@host:587 or smtps://host:465.") \
            from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError("MAIL_URL must start with smtp:// (STARTTLS) or smtps:// (implicit TLS) and name a host.")
    if parts.username and "tls=none" in parts.query.split("&"):
        raise ConfigError("MAIL_URL: a password is never sent without TLS; drop tls=none or the user name.")
    return raw


def _base_url(env) -> str:
    """BASE_URL: where people open the app (links in e-mails start with it)."""
    raw = (env.get("BASE_URL", "").strip() or f"http://127.0.0.1:{env.get('PORT', '5000')}").rstrip("/")
    if not raw.startswith(("http://", "https://")) or not raw.isascii() or any(c in raw for c in "<>\"' \t"):
        raise ConfigError(f"BASE_URL must be the app's address, such as https://onboarding.example.com, not {raw!r}.")
    return raw


def _mail_from(env) -> str:
    """MAIL_FROM: one address, optionally with a display name, on one line."""
    from email.headerregistry import Address
    from email.utils import parseaddr

    raw = env.get("MAIL_FROM", "").strip() or "Onboarding <onboarding@localhost>"
    name, address = parseaddr(raw)
    if any(c in raw for c in "\r\n") or "@" not in address:
        raise ConfigError(f"MAIL_FROM must be one e-mail address, such as Onboarding <onboarding@example.com>, "
                          f"not {raw!r}.")
    try:
        Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError):
        raise ConfigError(f"MAIL_FROM is not a valid e-mail address: {raw!r}.") from None
    return raw


def _reminders(env) -> dict:
    """When reminders and the weekly digest go out: working days, the time zone, the waits (see the README)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from .mail.reminders import parse_working_days

    raw_days = env.get("MAIL_WORKING_DAYS", "").strip() or "mon-fri"
    try:
        working = parse_working_days(raw_days)
    except ValueError:
        raise ConfigError(f"MAIL_WORKING_DAYS must list days such as mon-fri or sun-thu, not {raw_days!r}.") from None
    zone = env.get("MAIL_TIME_ZONE", "").strip() or "UTC"
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"MAIL_TIME_ZONE must be a time zone such as Europe/Berlin or Asia/Dubai, not {zone!r}.") \
            from None
    hour = env.get("MAIL_DIGEST_HOUR", "").strip() or "8"
    if not hour.isdigit() or int(hour) > 23:
        raise ConfigError(f"MAIL_DIGEST_HOUR must be an hour from 0 to 23, not {hour!r}.")
    return {"MAIL_WORKING_DAYS": working, "MAIL_TIME_ZONE": zone, "MAIL_DIGEST_HOUR": int(hour),
            "REMINDER_EVERY_MINUTES": _positive(env, "REMINDER_EVERY_MINUTES", 15),
            "REMINDER_ESCALATION_DAYS": _positive(env, "REMINDER_ESCALATION_DAYS", 3),
            "REMINDER_GRADING_DAYS": _positive(env, "REMINDER_GRADING_DAYS", 2),
            "REMINDER_LEDGER_DAYS": _positive(env, "REMINDER_LEDGER_DAYS", 3),
            "REMINDER_IDLE_DAYS": _positive(env, "REMINDER_IDLE_DAYS", 5),
            "REMINDER_DECISION_DAYS": _positive(env, "REMINDER_DECISION_DAYS", 3)}
def _evidence_storage(env) -> str:
    """EVIDENCE_STORAGE: `folder` (files under EVIDENCE_DIR) or `database` (chunked rows every app server sees);
    empty: chosen by the database (onboarding.evidence.storage: `database` on PostgreSQL, `folder` on SQLite)."""
    raw = env.get("EVIDENCE_STORAGE", "").strip().lower()
    if raw not in ("", "folder", "database"):
        raise ConfigError(f"EVIDENCE_STORAGE must be folder or database, not {raw!r}.")
    return raw


def load_config(instance_path: str, env=None) -> dict:
    """Build the Flask config from environment variables; refuse unsafe production settings."""
    env = os.environ if env is None else env
    production = env.get("ONBOARDING_ENV", "development") == "production"
    secret = env.get("SECRET_KEY", "")
    if production:
        if not secret:
            raise ConfigError("SECRET_KEY must be set when ONBOARDING_ENV=production.")
        if secret in WEAK_KEYS or len(secret) < 32:
            raise ConfigError("SECRET_KEY is too weak for production: use at least 32 random characters.")
        if env.get("FLASK_DEBUG", "0") not in ("", "0", "false", "False"):
            raise ConfigError("Debug mode must be off when ONBOARDING_ENV=production.")
    database_url = env.get("DATABASE_URL") or _default_database_url(instance_path)
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "ONBOARDING_ENV": "production" if production else "development",
        "SECRET_KEY": secret or "development-only-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CONTENT_DIR": env.get("CONTENT_DIR", str(ROOT / "content")),
        "QUIZZES_DIR": env.get("QUIZZES_DIR", str(ROOT / "quizzes")),
        # A replacement content/ (and quizzes/) put here is previewed on the admin page before it goes live.
        "CONTENT_PREVIEW_DIR": env.get("CONTENT_PREVIEW_DIR", str(Path(instance_path) / "content-next")),
        "QUIZZES_PREVIEW_DIR": env.get("QUIZZES_PREVIEW_DIR", str(Path(instance_path) / "quizzes-next")),
        "DEFAULT_LOCALE": env.get("DEFAULT_LOCALE", "en"),
        "CONTENT_LOCALE": env.get("CONTENT_LOCALE", "en"),  # the language the original content files are written in
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "LOGIN_FAILURES_PER_ACCOUNT": int(env.get("LOGIN_FAILURES_PER_ACCOUNT", "5")),
        "LOGIN_FAILURES_PER_ADDRESS": int(env.get("LOGIN_FAILURES_PER_ADDRESS", "20")),
        "LOGIN_THROTTLE_MINUTES": int(env.get("LOGIN_THROTTLE_MINUTES", "15")),
        "RAMP_DAYS": int(env.get("RAMP_DAYS", "180")),
        "READINESS_MIN_WEEKS": int(env.get("READINESS_MIN_WEEKS", "8")),
        # The activity gate: the seven criteria met in at least K of the last N supervised weeks.
        "CRITERIA_WEEKS_MET": _positive(env, "CRITERIA_WEEKS_MET", 6),
        "CRITERIA_WEEKS": _positive(env, "CRITERIA_WEEKS", 8),
        # The role-play certification: attempts a trainee has (nothing raises it) and evaluators per attempt.
        "ROLE_PLAY_ATTEMPTS": _positive(env, "ROLE_PLAY_ATTEMPTS", 2),
        "ROLE_PLAY_EVALUATORS": _positive(env, "ROLE_PLAY_EVALUATORS", 2),
        # How many reverse proxies in front of the app add X-Forwarded-For (0: none; the client's own address).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "PER_PAGE": 25,
        # E-mail: an SMTP server (smtp:// with STARTTLS, smtps:// with implicit TLS), or unset: .eml files in MAIL_DIR.
        "MAIL_URL": _mail_url(env),
        "MAIL_FROM": _mail_from(env),
        "MAIL_DIR": os.path.join(instance_path, "mail"),
        # The address people open the app at: links in e-mails start with it (never with a request's Host header).
        "BASE_URL": _base_url(env),
        # Reminders and the weekly digest: working days, time zone, thresholds (README: Reminders).
        **_reminders(env),
        # Evidence files (onboarding.evidence): where they are kept, and how large and how many per upload.
        "EVIDENCE_STORAGE": _evidence_storage(env),
        "EVIDENCE_DIR": env.get("EVIDENCE_DIR", os.path.join(instance_path, "evidence")),
        "EVIDENCE_MAX_MB": _positive(env, "EVIDENCE_MAX_MB", 25),
        "EVIDENCE_MAX_FILES": _positive(env, "EVIDENCE_MAX_FILES", 5),
        # A whole request: every file at its largest, and the form around them.
        "MAX_CONTENT_LENGTH": (_positive(env, "EVIDENCE_MAX_MB", 25) * _positive(env, "EVIDENCE_MAX_FILES", 5) + 1)
        * 1024 * 1024,
    }
