"""Time helpers: every stored timestamp is timezone-aware UTC."""
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    return utcnow().date()


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for values stored as UTC; mark them as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


#: The zones offered first when a person picks theirs (the rest follow by region).
COMMON_ZONES = ("Europe/London", "Europe/Berlin", "Europe/Moscow", "Africa/Cairo", "Asia/Riyadh", "Asia/Dubai",
                "Asia/Karachi", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney",
                "Pacific/Auckland", "America/New_York", "America/Chicago", "America/Los_Angeles",
                "America/Sao_Paulo", "UTC")


@lru_cache(maxsize=1)
def time_zone_names() -> frozenset:
    """Every IANA zone name this system knows, without the files that are no place (`localtime`, `Factory`).
    Read once per process: `zone_of` asks on every time a page shows, and the list is a walk over the zone files."""
    return frozenset(available_timezones() - {"localtime", "posixrules", "Factory"})


def is_time_zone(name: str | None) -> bool:
    return bool(name) and name in time_zone_names()


def zone_of(name: str | None, default: str) -> ZoneInfo:
    """A person's zone: their own (an IANA name), else `default` (the company's MAIL_TIME_ZONE)."""
    return ZoneInfo(name if is_time_zone(name) else default)
