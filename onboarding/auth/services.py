"""Authentication: checking credentials and throttling repeated failures across all processes."""
from collections import Counter
from datetime import timedelta
from functools import lru_cache

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import record
from ..extensions import db
from ..paging import bounded_int
from ..timeutil import is_time_zone, utcnow
from .models import LoginFailure, User



@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Checked when the email matches no account, so a failed login takes the same time either way."""
    return generate_password_hash("no-such-account-placeholder", method="scrypt")


def told_apart(people) -> list[tuple[int, str]]:
    """(id, label) of each of these people ((id, name, e-mail) triples), in their order: the name, and where two
    of them share it, the name with the e-mail address, so a list to choose from tells them apart."""
    people = [tuple(p) for p in people]
    names = Counter(name for _id, name, _email in people)
    return [(uid, name if names[name] == 1 else f"{name} ({email})") for uid, name, email in people]


def accounts_matching(text: str, role: str | None = None) -> sa.Select:
    """The ids of the accounts (of `role`, if given) that typed text names: an account's number names that account
    (one past what an id holds names no one); other text is looked for in names and e-mail addresses."""
    people = sa.select(User.id)
    if role is not None:
        people = people.where(User.role == role)
    if text.isdecimal():
        number = bounded_int(text)
        return people.where(User.id == number if number is not None else sa.false())
    like = f"%{text.lower()}%"
    return people.where(sa.or_(sa.func.lower(User.full_name).like(like), sa.func.lower(User.email).like(like)))


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def is_throttled(email: str, address: str, config) -> bool:
    """Too many recent failures for this account or from this address (counted in the database)."""
    since = utcnow() - timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"])
    per_account = db.session.scalar(sa.select(sa.func.count(LoginFailure.id)).where(
        LoginFailure.email == normalise_email(email), LoginFailure.at > since))
    if per_account >= config["LOGIN_FAILURES_PER_ACCOUNT"]:
        return True
    per_address = db.session.scalar(sa.select(sa.func.count(LoginFailure.id)).where(
        LoginFailure.address == address, LoginFailure.at > since))
    return per_address >= config["LOGIN_FAILURES_PER_ADDRESS"]


def authenticate(email: str, password: str, address: str) -> User | None:
    """The active user with these credentials, or None; a failure is recorded and audited."""
    user = user_by_email(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
    if user is not None and user.active and user.check_password(password):
        db.session.execute(sa.delete(LoginFailure).where(LoginFailure.email == user.email))
        record("login", user, actor=user)
        return user
    db.session.add(LoginFailure(email=normalise_email(email)[:254], address=address[:64]))
    record("login_failed", user, actor=None, email=normalise_email(email)[:254],
           reason="inactive" if user is not None and not user.active and user.check_password(password) else "credentials")
    return None


def change_locale(user: User, locale: str | None) -> None:
    """Set the user's interface language (None: follow the browser); audited when it changes."""
    locale = locale or None
    if user.locale == locale:
        return
    record("locale_changed", user, actor=user, before=user.locale, after=locale)
    user.locale = locale


def change_time_zone(user: User, zone: str | None, actor: User) -> bool:
    """Set the user's time zone (an IANA name; None: the company's MAIL_TIME_ZONE), by themselves or an admin;
    audited when it changes. ValueError for a name that is no time zone. True when it changed."""
    zone = (zone or "").strip() or None
    if zone is not None and not is_time_zone(zone):
        raise ValueError(zone)
    if user.time_zone == zone:
        return False
    record("time_zone_changed", user, actor=actor, before=user.time_zone, after=zone)
    user.time_zone = zone
    return True


def change_password(user: User, new_password: str) -> None:
    user.set_password(new_password)
    record("password_changed", user, actor=user)
