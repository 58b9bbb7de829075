"""Building one e-mail from what it says: headers through email.headerregistry, parts through EmailMessage, so
nothing a user typed (a name, a title) can add a header or a part. No Flask, no database."""
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from email import policy
from email.headerregistry import Address, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

#: Every character that could end a header line or hide in one: line breaks of any kind, other controls.
_BREAKS = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
#: Earlier messages named in References besides the thread's root (mail clients need no more to thread).
MAX_REFERENCES = 10


def one_line(text, limit: int = 200) -> str:
    """Text fit for a header: every line break and control character becomes a space, runs of spaces one,
    and a long text ends with an ellipsis at a word boundary."""
    flat = " ".join(_BREAKS.sub(" ", str(text or "")).split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit - 1]
    if flat[limit - 1] != " " and " " in cut:  # the cut falls inside a word: end before that word
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def sender_domain(sender: str) -> str:
    address = parseaddr(sender)[1]
    return address.rpartition("@")[2].lower() or "localhost"


def new_message_id(domain: str) -> str:
    return make_msgid(domain=domain)


def thread_root(key: str, salt: str, domain: str) -> str:
    """The Message-ID every message about one subject refers to, the same for every message and every retry."""
    digest = hashlib.sha256(f"{salt}\x00{key}".encode()).hexdigest()[:24]
    return f"<thread.{digest}@{domain}>"


def references_after(root: str, previous: tuple) -> tuple:
    """(In-Reply-To, References) for a new message in a thread: `previous` is (message id, references) of the last
    message to the same person in this thread, or empty for the first."""
    if not previous:
        return root, root
    parent_id, parent_refs = previous
    chain = [r for r in (parent_refs or "").split() if r != root][-(MAX_REFERENCES - 1):]
    return parent_id, " ".join([root, *chain, parent_id])


class _OneLineHeader(UnstructuredHeader):
    """List-Unsubscribe: an ASCII address in angle brackets that readers take literally (RFC 2369 knows no encoded
    words), so it is never encoded nor folded; the registry has already refused any line break in it."""

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"


_HEADERS = HeaderRegistry()
_HEADERS.map_to_type("list-unsubscribe", _OneLineHeader)
#: SMTP line ends and folding, with the one-line List-Unsubscribe.
POLICY = policy.SMTP.clone(header_factory=_HEADERS)


@dataclass(frozen=True)
class Letter:
    sender: str
    to_name: str
    to_address: str
    language: str
    subject: str
    text: str
    html: str
    message_id: str
    in_reply_to: str
    references: str
    unsubscribe: str
    calendar: str | None = None
    calendar_method: str | None = None


def build(letter: Letter, now: datetime | None = None) -> EmailMessage:
    """The message: multipart/alternative text and HTML, with the invitation attached when there is one."""
    msg = EmailMessage(policy=POLICY)
    name, address = parseaddr(letter.sender)
    msg["From"] = Address(display_name=one_line(name, 80), addr_spec=address)
    msg["To"] = Address(display_name=one_line(letter.to_name, 80), addr_spec=letter.to_address)
    msg["Subject"] = one_line(letter.subject, 150)
    msg["Date"] = format_datetime(now or datetime.now(timezone.utc))
    msg["Message-ID"] = letter.message_id
    msg["In-Reply-To"] = letter.in_reply_to
    msg["References"] = letter.references
    msg["Auto-Submitted"] = "auto-generated"
    msg["List-Unsubscribe"] = f"<{letter.unsubscribe}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    # Quoted-printable, never 8bit: the message stays 7-bit ASCII for any server (and for the outbox's text column).
    msg.set_content(letter.text, cte="quoted-printable")  # (it clears every Content-* header: language after it)
    msg.add_alternative(letter.html, subtype="html", cte="quoted-printable")
    if letter.calendar:
        method = "CANCEL" if letter.calendar_method == "CANCEL" else "REQUEST"
        msg.add_attachment(letter.calendar, subtype="calendar", filename="invitation.ics", cte="base64",
                           params={"method": method})
    msg["Content-Language"] = one_line(letter.language, 16)  # last: turning multipart moves Content-* headers down
    return msg


def serialise(msg: EmailMessage) -> str:
    """The message as the bytes that go on the wire (ASCII, CRLF line ends), kept as text in the outbox."""
    return msg.as_bytes(policy=POLICY).decode("ascii")
