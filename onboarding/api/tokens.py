"""Creating, checking and revoking API tokens."""
import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa

from ..audit import record
from ..extensions import db
from ..timeutil import aware, utcnow
from .models import ApiToken

PREFIX = "onb_"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user, name: str, actor=None) -> str:
    """A new token for the user; returns the token, which is never shown again."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip()[:80] or "API token", token_hash=_hash(token),
                   prefix=token[:10])
    db.session.add(row)
    record("api_token_created", row, actor=actor or user, name=row.name, prefix=row.prefix)
    return token


#: The unrevoked token of a hash, with its user (joined): built once, as every API request runs it.
_BY_HASH = sa.select(ApiToken).where(ApiToken.token_hash == sa.bindparam("hash"), ApiToken.revoked_at.is_(None))


def user_for(token: str):
    """The active user a valid, unrevoked token belongs to, or None."""
    if not token or not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(_BY_HASH, {"hash": _hash(token)})
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - aware(row.last_used_at) > timedelta(minutes=5):
        row.last_used_at = now  # recorded at most every few minutes, so reads stay cheap
        db.session.commit()
    return row.user


def revoke_token(row: ApiToken, actor) -> None:
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        record("api_token_revoked", row, actor=actor, prefix=row.prefix)
