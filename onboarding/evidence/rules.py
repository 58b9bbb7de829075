"""What an evidence file may be, decided from its bytes (never its name): the accepted types, the size limit,
a zip-bomb check for the office formats, a safe name, and times written as mm:ss. No Flask, no database."""
import re
import unicodedata
import zipfile
from dataclasses import dataclass

DOCUMENT, AUDIO, IMAGE = "document", "audio", "image"

#: Detected type -> (kind, the type it is served as). MediaRecorder's WebM is a video container holding audio.
ACCEPTED = {
    "application/pdf": (DOCUMENT, "application/pdf"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        (DOCUMENT, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        (DOCUMENT, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "application/vnd.oasis.opendocument.text": (DOCUMENT, "application/vnd.oasis.opendocument.text"),
    "image/png": (IMAGE, "image/png"),
    "image/jpeg": (IMAGE, "image/jpeg"),
    "image/gif": (IMAGE, "image/gif"),
    "image/webp": (IMAGE, "image/webp"),
    "audio/mpeg": (AUDIO, "audio/mpeg"),
    "audio/mp4": (AUDIO, "audio/mp4"),
    "audio/aac": (AUDIO, "audio/aac"),
    "audio/ogg": (AUDIO, "audio/ogg"),
    "audio/x-wav": (AUDIO, "audio/wav"),
    "video/webm": (AUDIO, "audio/webm"),
    "video/mp4": (AUDIO, "audio/mp4"),  # Safari's MediaRecorder writes audio in an MP4 container
}
#: The served type as people know it.
SHORT_NAMES = {served: ext for served, ext in (
    ("application/pdf", "PDF"), ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    ("application/vnd.oasis.opendocument.text", "ODT"), ("image/png", "PNG"), ("image/jpeg", "JPEG"),
    ("image/gif", "GIF"), ("image/webp", "WebP"), ("audio/mpeg", "MP3"), ("audio/mp4", "M4A"), ("audio/aac", "AAC"),
    ("audio/ogg", "OGG"), ("audio/wav", "WAV"), ("audio/webm", "WebM"))}
#: The office formats are zip archives: their declared contents are checked before anyone opens them.
ZIPPED = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
          "application/vnd.oasis.opendocument.text"}
ZIP_MAX_TOTAL = 200 * 1024 * 1024  # bytes the members declare, all together
ZIP_MAX_RATIO = 100  # a member may unpack to at most this many times its packed size
ZIP_MAX_MEMBERS = 5000
HEAD_BYTES = 8192  # what the type detection reads

EMPTY, TOO_LARGE, UNKNOWN_TYPE, NOT_ACCEPTED, ZIP_BOMB, BROKEN = (
    "empty", "too_large", "unknown_type", "not_accepted", "zip_bomb", "broken")


@dataclass(frozen=True)
class Verdict:
    """An accepted file: its kind (document, audio, image) and the type it is served as."""

    kind: str
    mime: str


class Refused(ValueError):
    """A file that is not accepted; `reason` is one of the codes above, `detected` the type found, if any."""

    def __init__(self, reason: str, detected: str | None = None):
        super().__init__(reason)
        self.reason, self.detected = reason, detected


def judge(stream, size: int, limit: int) -> Verdict:
    """The verdict on a seekable binary stream of `size` bytes, or Refused. Leaves the stream at its start."""
    if size <= 0:
        raise Refused(EMPTY)
    if size > limit:
        raise Refused(TOO_LARGE)
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    import filetype  # imported at the first upload: most requests of a worker never need it

    kind = filetype.guess(head)
    if kind is None:
        raise Refused(UNKNOWN_TYPE)
    if kind.mime not in ACCEPTED:
        raise Refused(NOT_ACCEPTED, kind.mime)
    if kind.mime in ZIPPED:
        check_zip(stream)
    return Verdict(*ACCEPTED[kind.mime])


def check_zip(stream) -> None:
    """Refuse an archive that declares too much: in total, in members, or a member packed too tightly."""
    try:
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused(BROKEN) from None
    finally:
        stream.seek(0)
    if len(members) > ZIP_MAX_MEMBERS or sum(m.file_size for m in members) > ZIP_MAX_TOTAL:
        raise Refused(ZIP_BOMB)
    for member in members:
        if member.file_size > ZIP_MAX_RATIO * max(member.compress_size, 1) and member.file_size > 1024 * 1024:
            raise Refused(ZIP_BOMB)


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def safe_name(raw: str | None, fallback: str = "file") -> str:
    """The name a person gave the file, kept readable (any script) but without folders, control characters or
    characters that file systems and headers refuse; at most 150 characters, the extension kept."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name).strip(" ._")
    if not name:
        return fallback
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:150 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:150]
    return name


def mmss(seconds: int | None) -> str:
    """A moment in a recording as m:ss (h:mm:ss past an hour)."""
    if seconds is None:
        return ""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


_TIME = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,3}):([0-5]\d)\s*$")


def parse_mmss(text: str | None) -> int | None:
    """'1:23', '01:23' or '1:02:03' as seconds; None for an empty text; ValueError for anything else."""
    if text is None or not text.strip():
        return None
    match = _TIME.match(text)
    if not match:
        raise ValueError(text)
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    if hours and minutes > 59:
        raise ValueError(text)
    return hours * 3600 + minutes * 60 + seconds


def human_size(size: int) -> tuple:
    """(number, unit) for a size in bytes: B, KB or MB, the number rounded to one decimal."""
    if size < 1024:
        return size, "B"
    if size < 1024 * 1024:
        return round(size / 1024, 1), "KB"
    return round(size / (1024 * 1024), 1), "MB"
