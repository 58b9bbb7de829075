"""Time helpers: every stored timestamp is timezone-aware UTC."""
from datetime import date, datetime, timezone


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    return utcnow().date()


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for values stored as UTC; mark them as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
