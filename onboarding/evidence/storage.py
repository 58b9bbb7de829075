"""Where evidence bytes are kept, behind one interface: a folder (the embedded default) or chunked rows in the
database (every app server sees every file). EVIDENCE_STORAGE chooses; empty: `database` on PostgreSQL.

A file is written before the row that points at it is committed. The database storage writes in the request's
own transaction, so a rollback takes the bytes with it. The folder storage notes what it wrote in the session: a
transaction that ends without committing removes those files, and files marked for removal go once the
transaction that marked them commits."""
import io
import os
import secrets
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from .models import EvidenceChunk

CHUNK = 512 * 1024
_WRITTEN = "evidence_written"  # session.info: (storage, key) written in this transaction; removed unless it commits
_PURGE = "evidence_purge"  # session.info: (storage, key) to remove once this transaction commits


def new_key() -> str:
    return secrets.token_hex(16)


class FolderStorage:
    """Files under a folder, two levels deep by the key's first characters."""

    name = "folder"
    transactional = False

    def __init__(self, root: str):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not key.isalnum():
            raise KeyError(key)
        return self.root / key[:2] / key

    def put(self, key: str, stream) -> None:
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(key + ".part")
        with open(partial, "wb") as out:
            while block := stream.read(CHUNK):
                out.write(block)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)

    def open(self, key: str):
        return open(self.path(key), "rb")

    def source(self, key: str) -> str:
        """What send_file serves: the file's path (FileNotFoundError when it is gone)."""
        path = self.path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return str(path)

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def keys(self) -> set:
        if not self.root.is_dir():
            return set()
        return {p.name for p in self.root.glob("*/*") if p.is_file() and p.name.isalnum()}


class DatabaseStorage:
    """Files as rows of chunks in evidence_chunks, written in the caller's transaction."""

    name = "database"
    transactional = True

    def put(self, key: str, stream) -> None:
        seq = 0
        while block := stream.read(CHUNK):
            db.session.add(EvidenceChunk(storage_key=key, seq=seq, data=block))
            seq += 1
        db.session.flush()

    def open(self, key: str):
        blocks = db.session.scalars(sa.select(EvidenceChunk.data).where(EvidenceChunk.storage_key == key)
                                    .order_by(EvidenceChunk.seq)).all()
        if not blocks:
            raise FileNotFoundError(key)
        return io.BytesIO(b"".join(blocks))

    source = open  # what send_file serves: the bytes in memory (a file is at most EVIDENCE_MAX_MB)

    def delete(self, key: str) -> None:
        db.session.execute(sa.delete(EvidenceChunk).where(EvidenceChunk.storage_key == key))

    def keys(self) -> set:
        return set(db.session.scalars(sa.select(EvidenceChunk.storage_key).distinct()))


def backend_name(config) -> str:
    chosen = config.get("EVIDENCE_STORAGE") or ""
    if chosen:
        return chosen
    return "database" if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql") else "folder"


def storage():
    """The storage the app's configuration chooses."""
    if backend_name(current_app.config) == "database":
        return DatabaseStorage()
    return FolderStorage(current_app.config["EVIDENCE_DIR"])


def write(store, key: str, stream) -> None:
    """Write a file's bytes before the row that points at it is committed (removed if it is not)."""
    store.put(key, stream)
    if not store.transactional:
        db.session.info.setdefault(_WRITTEN, []).append((store, key))


def remove_after_commit(store, key: str) -> None:
    """Remove a file's bytes: now, in the transaction (database), or once the transaction commits (folder)."""
    if store.transactional:
        store.delete(key)
    else:
        db.session.info.setdefault(_PURGE, []).append((store, key))


def _committed(session):
    session.info.pop(_WRITTEN, None)
    for store, key in session.info.pop(_PURGE, ()):
        store.delete(key)


def _ended(session, transaction):
    if transaction.parent is not None:
        return
    for store, key in session.info.pop(_WRITTEN, ()):
        store.delete(key)
    session.info.pop(_PURGE, None)


def install(session_factory) -> None:
    """Hook the clean-up into every session the factory makes. Called once by create_app."""
    if not sa.event.contains(session_factory, "after_commit", _committed):
        sa.event.listen(session_factory, "after_commit", _committed)
        sa.event.listen(session_factory, "after_transaction_end", _ended)
