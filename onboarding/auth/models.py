"""Accounts, roles and the failed-login record that throttling reads."""
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, object_session
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutil import utcnow

TRAINEE, MENTOR, HEAD, ADMIN, DIRECTOR = "trainee", "mentor", "head", "admin", "director"
ROLES = (TRAINEE, MENTOR, HEAD, ADMIN, DIRECTOR)
#: Who reads every trainee's pages, the dashboard and the reports: the director (general manager) reads and adds
#: their own check on a trainee, nothing else.
READERS = (HEAD, ADMIN, DIRECTOR)
#: werkzeug's scrypt with its default cost; the test suite lowers the cost to stay fast.
PASSWORD_METHOD = "scrypt"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased, so uniqueness is case-insensitive.
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    role: Mapped[str] = mapped_column(sa.String(16), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(sa.String(16))
    #: An IANA time zone name (Europe/Berlin); None: the company's MAIL_TIME_ZONE.
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)
    #: Raised on every password change, reset or deactivation: sessions made before it stop working.
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")

    __table_args__ = (sa.CheckConstraint(sa.text("role IN ('trainee', 'mentor', 'head', 'admin', 'director')"), name="role"),)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=PASSWORD_METHOD)
        self.session_version = (self.session_version or 0) + 1

    def get_id(self) -> str:
        """The session's user id, tied to the current session version."""
        return f"{self.id}:{self.session_version}"

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def summary_trainee_ids(self):
        """Whose stored readiness summary a change to this account feeds (see onboarding.summaries): a trainee's
        own when their name (the signature reads it) or active flag changes, and anyone's own when their role
        changes (a trainee who becomes a mentor leaves the lists); a mentor's trainees when the mentor stops or
        starts being active (what waits on the mentor then waits on the head of sales)."""
        attrs = sa.inspect(self).attrs
        changed = lambda *names: any(attrs[n].history.has_changes() for n in names)  # noqa: E731
        if self.id is None:
            return ()
        own = (self.id,) if changed("role") or (self.role == TRAINEE and changed("full_name", "active")) else ()
        if changed("active", "role"):
            session = object_session(self)
            return own + tuple(session.scalars(sa.text("SELECT user_id FROM trainee_records WHERE mentor_id = :m"),
                                               {"m": self.id}))
        return own

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class LoginFailure(db.Model):
    """One failed login, kept in the database so every worker process sees the same count."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    address: Mapped[str] = mapped_column(sa.String(64), index=True)
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
