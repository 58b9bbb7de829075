"""Delivering the outbox: claim due messages so no two workers send the same one, hand each to the transport,
record what happened. Retries back off; a refusal by the server (5xx) or too many attempts fails the message for
good, and the admins' outbox page shows it."""
import logging
import os
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa

from ..config import ConfigError
from ..extensions import db
from ..timeutil import utcnow
from .compose import one_line
from .models import FAILED, QUEUED, SENDING, SENT, OutboxMessage

log = logging.getLogger(__name__)

#: Attempts before a message that keeps failing for passing reasons fails for good (about 2 hours in all).
MAX_ATTEMPTS = 8
#: A claim older than this belongs to a worker that stopped mid-message: another worker may take the row again.
LEASE = timedelta(minutes=15)
#: Messages claimed at a time: one short transaction per batch, then one per message.
BATCH = 20
WORKER = one_line(f"{socket.gethostname()}:{os.getpid()}", 80)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, 8 … minutes, never more than an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def is_permanent(exc: BaseException) -> bool:
    """The server refused this message for good (a 5xx answer to the sender, a recipient or the data). Failures
    to connect, to sign in, or 4xx answers pass: the message waits and is tried again."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return bool(exc.recipients) and all(code >= 500 for code, _msg in exc.recipients.values())
    if isinstance(exc, (smtplib.SMTPAuthenticationError, smtplib.SMTPConnectError)):
        return False
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


class FileTransport:
    """No MAIL_URL: each message becomes an .eml file in MAIL_DIR, which any mail client opens."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def describe(self) -> str:
        return f"no MAIL_URL: messages are written as .eml files to {self.folder.resolve()}"

    def send(self, row: OutboxMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{row.created_at:%Y%m%d-%H%M%S}-{row.id:06d}.eml"
        partial = self.folder / f".{name}.part"
        partial.write_bytes(row.raw.encode("ascii"))
        partial.replace(self.folder / name)

    def close(self) -> None:
        pass


class SmtpTransport:
    """MAIL_URL smtp://user:pass@host:587 (STARTTLS, required) or smtps://user:pass@host:465 (TLS from the start).
    `?cafile=PATH` trusts another certificate authority; `?tls=none` (smtp:// only, no password) talks in clear
    to a relay on a trusted network. One connection serves a batch; a broken one is opened again."""

    def __init__(self, url: str, envelope_from: str, timeout: float = 30):
        parts = urlsplit(url)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.implicit_tls = parts.scheme == "smtps"
        self.starttls = not self.implicit_tls and query.get("tls") != "none"
        self.host, self.port = parts.hostname, parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password or "") if parts.username else None
        self.cafile = query.get("cafile")
        self.envelope_from = envelope_from
        self.timeout = timeout
        self.smtp = None
        if self.username and not (self.implicit_tls or self.starttls):
            raise ConfigError("MAIL_URL: a password is never sent without TLS; drop tls=none or the user name.")

    def describe(self) -> str:
        how = "TLS" if self.implicit_tls else "STARTTLS" if self.starttls else "no TLS"
        return f"sending through {self.host}:{self.port} ({how})"

    def _connect(self):
        context = ssl.create_default_context(cafile=self.cafile)
        if self.implicit_tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                smtp.starttls(context=context)  # refuses (SMTPNotSupportedError) a server that offers no TLS
        if self.username:
            smtp.login(self.username, self.password)
        return smtp

    def send(self, row: OutboxMessage) -> None:
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            self.smtp.sendmail(self.envelope_from, [row.to_address], row.raw.encode("ascii"))
        except smtplib.SMTPRecipientsRefused:
            raise
        except smtplib.SMTPResponseException as exc:
            if not is_permanent(exc):
                self.close()
            else:
                self._reset()
            raise
        except (smtplib.SMTPException, OSError):
            self.close()
            raise

    def _reset(self):
        try:
            self.smtp.rset()
        except (smtplib.SMTPException, OSError):
            self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def transport_for(config):
    if not config.get("MAIL_URL"):
        return FileTransport(config["MAIL_DIR"])
    return SmtpTransport(config["MAIL_URL"], parseaddr(config["MAIL_FROM"])[1])


def _due(now: datetime):
    return sa.or_(sa.and_(OutboxMessage.state == QUEUED, OutboxMessage.next_attempt_at <= now),
                  sa.and_(OutboxMessage.state == SENDING, OutboxMessage.claimed_at < now - LEASE))


def claim(session, limit: int, now: datetime, worker: str = WORKER) -> list:
    """Take up to `limit` due messages for this worker; the caller commits. On PostgreSQL the rows are locked
    with FOR UPDATE SKIP LOCKED, so two workers pick different ones; everywhere, each row is taken by an UPDATE
    that still requires it to be due, and only a row that UPDATE changed is this worker's."""
    ids = session.scalars(sa.select(OutboxMessage.id).where(_due(now))
                          .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
                          .with_for_update(skip_locked=True)).all()
    taken = []
    for message_id in ids:
        result = session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id, _due(now))
                                 .values(state=SENDING, claimed_at=now, claimed_by=worker)
                                 .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            taken.append(message_id)
    return taken


def record_failure(row: OutboxMessage, exc: BaseException, now: datetime) -> None:
    """One more failed attempt: try again after the back-off, or fail for good."""
    row.attempts = (row.attempts or 0) + 1
    row.last_error = one_line(f"{type(exc).__name__}: {exc}", 500)
    row.claimed_at = row.claimed_by = None
    if is_permanent(exc) or row.attempts >= MAX_ATTEMPTS:
        row.state, row.failed_at = FAILED, now
    else:
        row.state, row.next_attempt_at = QUEUED, now + retry_delay(row.attempts)


@dataclass
class Tally:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    errors: list = field(default_factory=list)

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed


def send_batch(transport, now=None, limit: int = BATCH, tally: Tally | None = None) -> Tally:
    """Claim one batch and deliver it, committing after each message (a stop mid-batch loses nothing)."""
    tally = tally or Tally()
    ids = claim(db.session, limit, now or utcnow())
    db.session.commit()
    for message_id in ids:
        row = db.session.get(OutboxMessage, message_id)
        try:
            transport.send(row)
        except Exception as exc:  # noqa: BLE001  (any failure waits for the next attempt; the worker goes on)
            record_failure(row, exc, now or utcnow())
            if row.state == FAILED:
                tally.failed += 1
            else:
                tally.retrying += 1
            tally.errors.append(row.last_error)
            log.warning("message %s to %s: %s", row.id, row.to_address, row.last_error)
        else:
            row.state, row.sent_at, row.last_error = SENT, now or utcnow(), None
            row.attempts = (row.attempts or 0) + 1
            tally.sent += 1
        db.session.commit()
    return tally


def send_due(transport, now=None) -> Tally:
    """Deliver everything due now, batch after batch, and return (`send-mail --once`)."""
    tally = Tally()
    while True:
        before = tally.handled
        send_batch(transport, now, tally=tally)
        if tally.handled == before:
            return tally


def run(transport, stop: threading.Event, poll: float = 5.0, echo=print, schedule=None,
        every: float = 900) -> None:
    """Deliver until `stop` is set (SIGTERM, Ctrl-C): a batch whenever messages are due, else a short wait; every
    `every` seconds (and at once) `schedule()` evaluates the reminders and digests first."""
    import time

    last = None
    while not stop.is_set():
        if schedule is not None and (last is None or time.monotonic() - last >= every):
            last = time.monotonic()
            run_schedule(schedule, echo)
        tally = send_batch(transport)
        if tally.handled:
            echo(f"{tally.sent} sent, {tally.retrying} to retry, {tally.failed} failed.")
        else:
            transport.close()
            stop.wait(poll)
    transport.close()


def run_schedule(schedule, echo) -> None:
    """Reminders and digests; a failure is logged and rolled back, and the worker goes on delivering."""
    try:
        reminders, digests = schedule()
    except Exception:  # noqa: BLE001  (the next round tries again; the outbox must keep moving)
        db.session.rollback()
        log.exception("reminders and digests not evaluated")
        return
    if reminders or digests:
        echo(f"Reminders queued: {reminders}; weekly digests queued: {digests}.")
