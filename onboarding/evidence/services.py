"""Evidence actions: attach files, remove one from an open request, keep them for a decision, comment at a
moment, and find files whose bytes or rows are missing. Every change records an audit event; the view commits."""
import hashlib
import io
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from ..audit import record
from ..auth.models import User
from ..extensions import db
from ..timeutil import utcnow
from . import rules
from .models import EvidenceComment, EvidenceFile
from .storage import new_key, remove_after_commit, storage, write


class EvidenceError(ValueError):
    """An action the rules refuse; the message is for the person who tried."""


class EvidenceRefused(EvidenceError):
    """One or more uploads are not accepted: `problems` has a sentence for each."""

    def __init__(self, problems: list):
        super().__init__(" ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Upload:
    """A file as it arrived: the name the person gave it and a seekable binary stream of its bytes."""

    name: str
    stream: object

    @property
    def size(self) -> int:
        self.stream.seek(0, io.SEEK_END)
        size = self.stream.tell()
        self.stream.seek(0)
        return size


def max_bytes() -> int:
    return current_app.config["EVIDENCE_MAX_MB"] * 1024 * 1024


def _problem(name: str, refused: rules.Refused):
    limit = current_app.config["EVIDENCE_MAX_MB"]
    sentences = {
        rules.EMPTY: _l("“%(name)s” is empty: choose the file again.", name=name),
        rules.TOO_LARGE: _l("“%(name)s” is larger than %(limit)d MB: upload a shorter recording or a smaller "
                            "document.", name=name, limit=limit),
        rules.UNKNOWN_TYPE: _l("“%(name)s” is not a document, image or recording this page accepts: upload a PDF, "
                               "DOCX, XLSX, ODT, an image, or audio (MP3, M4A, AAC, OGG, WAV, WebM).", name=name),
        rules.NOT_ACCEPTED: _l("“%(name)s” is not a document, image or recording this page accepts, whatever its "
                               "name says: upload a PDF, DOCX, XLSX, ODT, an image, or audio (MP3, M4A, AAC, OGG, "
                               "WAV, WebM).", name=name),
        rules.ZIP_BOMB: _l("“%(name)s” unpacks to far more than a document holds and is refused.", name=name),
        rules.BROKEN: _l("“%(name)s” is damaged and cannot be read: save it again and upload the new copy.",
                         name=name),
    }
    return sentences[refused.reason]


def check_uploads(uploads: list) -> list:
    """[(upload, verdict)] when every upload is accepted; else EvidenceRefused naming each refused one."""
    limit_files = current_app.config["EVIDENCE_MAX_FILES"]
    if len(uploads) > limit_files:
        raise EvidenceRefused([_l("Attach at most %(n)d files at a time.", n=limit_files)])
    judged, problems = [], []
    for upload in uploads:
        name = rules.safe_name(upload.name)
        try:
            judged.append((upload, rules.judge(upload.stream, upload.size, max_bytes())))
        except rules.Refused as refused:
            problems.append(_problem(name, refused))
    if problems:
        raise EvidenceRefused(problems)
    return judged


_OWNERS = {"SignOffEvent": "sign_off_event_id", "ActivityEntry": "activity_entry_id",
           "SupervisionNote": "supervision_note_id"}


def attach(owner, trainee_id: int, uploads: list, actor: User) -> list:
    """Store the accepted uploads and their rows, attached to `owner` (a sign-off request, a ledger day or a
    supervision note); nothing is stored when one is refused."""
    judged = check_uploads(uploads)
    if owner.id is None:
        db.session.flush()
    store, rows = storage(), []
    for upload, verdict in judged:
        digest = hashlib.sha256()
        while block := upload.stream.read(1024 * 1024):
            digest.update(block)
        upload.stream.seek(0)
        key = new_key()
        write(store, key, upload.stream)
        row = EvidenceFile(trainee_id=trainee_id, uploaded_by=actor.id, name=rules.safe_name(upload.name),
                           size=upload.size, mime=verdict.mime, kind=verdict.kind, sha256=digest.hexdigest(),
                           storage_key=key, **{_OWNERS[type(owner).__name__]: owner.id})
        db.session.add(row)
        record("evidence_added", row, actor=actor, trainee=trainee_id, name=row.name, size=row.size,
               type=row.mime)
        rows.append(row)
    return rows


def files_of(column_name: str, ids) -> dict:
    """{owner id: [readable files, oldest first]} for sign-off events, ledger days or supervision notes."""
    ids = list(ids)
    if not ids:
        return {}
    column = getattr(EvidenceFile, column_name)
    found: dict = {}
    for row in db.session.scalars(sa.select(EvidenceFile).where(column.in_(ids)).order_by(EvidenceFile.id)):
        if row.readable:
            found.setdefault(getattr(row, column_name), []).append(row)
    return found


def files_of_trainee(trainee_id: int, readable_only: bool = True) -> list:
    """A trainee's files, oldest first."""
    rows = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.trainee_id == trainee_id)
                              .order_by(EvidenceFile.created_at, EvidenceFile.id)).all()
    return [r for r in rows if r.readable or not readable_only]


def open_for_change(row: EvidenceFile) -> bool:
    """A file can be removed, and its comments edited, while what it is attached to is still undecided: a
    sign-off request no later step has answered, a ledger day not yet confirmed, any supervision note."""
    from ..activity.models import ActivityEntry
    from ..mentoring.models import SignOffEvent

    if row.sign_off_event_id is not None:
        event = db.session.get(SignOffEvent, row.sign_off_event_id)
        latest = db.session.scalar(sa.select(sa.func.max(SignOffEvent.id)).where(
            SignOffEvent.trainee_id == event.trainee_id, SignOffEvent.task_id == event.task_id))
        return event.kind == "requested" and latest == event.id
    if row.activity_entry_id is not None:
        return db.session.get(ActivityEntry, row.activity_entry_id).confirmed_at is None
    return True


def remove(row: EvidenceFile, actor: User) -> None:
    """The uploader takes a file back from what is still open; a file a decision relied on keeps its bytes."""
    if row.uploaded_by != actor.id:
        raise EvidenceError(_l("Only the person who uploaded a file can remove it."))
    if row.deleted_at is not None:
        raise EvidenceError(_l("This file is already removed."))
    if not open_for_change(row):
        raise EvidenceError(_l("This file belongs to a step that is already decided; it stays in the record."))
    row.deleted_at, row.deleted_by = utcnow(), actor.id
    if not row.kept:
        remove_after_commit(storage(), row.storage_key)
    record("evidence_removed", row, actor=actor, trainee=row.trainee_id, name=row.name)


def keep_for_decision(evidence: dict) -> None:
    """Mark the files a decision's frozen evidence lists as relied on: their bytes stay, whoever removes them."""
    ids = [f["id"] for f in evidence.get("files", [])]
    if ids:
        db.session.execute(sa.update(EvidenceFile).where(EvidenceFile.id.in_(ids)).values(kept=True))


def file_json(row: EvidenceFile) -> dict:
    """A file as the frozen evidence of a decision keeps it."""
    return {"id": row.id, "name": row.name, "size": row.size, "type": row.mime, "kind": row.kind,
            "sha256": row.sha256, "created_at": row.created_at.isoformat(),
            "task": row.sign_off_event.task_id if row.sign_off_event else None,
            "day": row.activity_entry.day.isoformat() if row.activity_entry else None,
            "week_of": row.supervision_note.week_of.isoformat() if row.supervision_note else None}


# ---------------------------------------------------------------- comments

def comments_of(file_ids) -> dict:
    """{file id: [comments, by moment then time written]}."""
    ids = list(file_ids)
    if not ids:
        return {}
    found: dict = {}
    for c in db.session.scalars(sa.select(EvidenceComment).where(EvidenceComment.file_id.in_(ids))
                                .order_by(EvidenceComment.at_seconds.is_(None), EvidenceComment.at_seconds,
                                          EvidenceComment.id)):
        found.setdefault(c.file_id, []).append(c)
    return found


def _comment_values(row: EvidenceFile, at_seconds: int | None, body: str) -> tuple:
    body = (body or "").strip()
    if not body:
        raise EvidenceError(_l("Write the comment."))
    if row.kind != rules.AUDIO:
        at_seconds = None
    return at_seconds, body


def add_comment(row: EvidenceFile, author: User, at_seconds: int | None, body: str) -> EvidenceComment:
    """A reviewer's comment on a file, at a moment of a recording or on a whole document."""
    at_seconds, body = _comment_values(row, at_seconds, body)
    comment = EvidenceComment(file_id=row.id, author_id=author.id, at_seconds=at_seconds, body=body)
    db.session.add(comment)
    record("evidence_commented", comment, actor=author, trainee=row.trainee_id, name=row.name,
           at=rules.mmss(at_seconds), comment=body)
    return comment


def edit_comment(comment: EvidenceComment, row: EvidenceFile, author: User, at_seconds: int | None,
                 body: str) -> None:
    """Its author changes a comment while what the file is attached to is undecided."""
    if comment.author_id != author.id:
        raise EvidenceError(_l("Only the author of a comment can change it."))
    if not open_for_change(row):
        raise EvidenceError(_l("The step this file belongs to is decided: its comments stay as they are."))
    at_seconds, body = _comment_values(row, at_seconds, body)
    before = {"at": rules.mmss(comment.at_seconds), "comment": comment.body}
    comment.at_seconds, comment.body, comment.updated_at = at_seconds, body, utcnow()
    record("evidence_comment_edited", comment, actor=author, trainee=row.trainee_id, name=row.name,
           before=before, after={"at": rules.mmss(at_seconds), "comment": body})


# ---------------------------------------------------------------- the orphan check

def orphans() -> dict:
    """{"stored_without_row": keys whose bytes no row points at, "rows_without_bytes": file ids whose bytes are
    missing}, for the storage the configuration chooses."""
    store = storage()
    stored = store.keys()
    rows = db.session.execute(sa.select(EvidenceFile.id, EvidenceFile.storage_key, EvidenceFile.deleted_at,
                                        EvidenceFile.kept)).all()
    expected = {key for _id, key, deleted, kept in rows if deleted is None or kept}
    every_key = {key for _id, key, _deleted, _kept in rows}
    return {"stored_without_row": sorted(stored - every_key),
            "rows_without_bytes": sorted(i for i, key, deleted, kept in rows
                                         if key in expected and key not in stored)}
