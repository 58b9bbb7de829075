"""Evidence files: the pure rules (type from content, limits, zip bombs, names, times) and the two storages, each
test run against both (on the PostgreSQL pass the database storage is PostgreSQL's)."""
import io

import pytest
import sqlalchemy as sa

from onboarding.evidence import rules

from .evidence_files import ACCEPTED, REFUSED

LIMIT = 25 * 1024 * 1024


# ---------------------------------------------------------------- rules, without an app

@pytest.mark.parametrize("name,data,mime", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_accepted_type_is_known_by_its_bytes(name, data, mime):
    assert rules.judge(io.BytesIO(data), len(data), LIMIT).mime == mime


@pytest.mark.parametrize("name,data,reason", REFUSED, ids=[r[0] + "-" + r[2] for r in REFUSED])
def test_refused_files_whatever_their_name(name, data, reason):
    with pytest.raises(rules.Refused) as refused:
        rules.judge(io.BytesIO(data), len(data), LIMIT)
    assert refused.value.reason == reason


def test_the_size_limit_is_inclusive():
    data = ACCEPTED[0][1]
    assert rules.judge(io.BytesIO(data), len(data), len(data)).kind == rules.DOCUMENT
    with pytest.raises(rules.Refused, match="too_large"):
        rules.judge(io.BytesIO(data), len(data), len(data) - 1)


def test_a_docx_just_under_the_ratio_passes_and_one_over_is_a_bomb():
    import zipfile

    def docx_of(member: bytes, level) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("_rels/.rels", "x")
            archive.writestr("word/document.xml", member, compresslevel=level)
        return out.getvalue()

    import random

    noisy = random.Random(1).randbytes(2 * 1024 * 1024)  # does not compress: ratio about 1
    assert rules.judge(io.BytesIO(docx_of(noisy, 6)), len(docx_of(noisy, 6)), LIMIT).kind == rules.DOCUMENT
    zeros = docx_of(b"\0" * (2 * 1024 * 1024), 9)  # 2 MB of zeros packs a thousand times
    with pytest.raises(rules.Refused, match="zip_bomb"):
        rules.judge(io.BytesIO(zeros), len(zeros), LIMIT)


def test_a_truncated_docx_is_broken():
    from .evidence_files import docx

    data = docx()[:-30]
    with pytest.raises(rules.Refused, match="broken"):
        rules.judge(io.BytesIO(data), len(data), LIMIT)


@pytest.mark.parametrize("raw,safe", [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\me\\call.mp3", "call.mp3"), ("", "file"), ("...", "file"),
    ("عرض تجاري.pdf", "عرض تجاري.pdf"), ("a\x00b\nc.pdf", "a_b_c.pdf"), ('x"<y>.pdf', "x_y_.pdf"),
    ("a" * 300 + ".pdf", "a" * 146 + ".pdf"),
])
def test_safe_names(raw, safe):
    assert rules.safe_name(raw) == safe


@pytest.mark.parametrize("text,seconds", [("1:23", 83), ("01:23", 83), ("0:00", 0), ("1:02:03", 3723),
                                          ("", None), ("  ", None), ("90:00", 5400)])
def test_times(text, seconds):
    assert rules.parse_mmss(text) == seconds


@pytest.mark.parametrize("text", ["1:60", "abc", "1:2", "-1:00", "1:60:00", "1.5"])
def test_bad_times(text):
    with pytest.raises(ValueError):
        rules.parse_mmss(text)


def test_mmss_round_trips():
    assert [rules.mmss(s) for s in (0, 83, 599, 3723)] == ["00:00", "01:23", "09:59", "1:02:03"]
    assert rules.parse_mmss(rules.mmss(3723)) == 3723


# ---------------------------------------------------------------- the storages

@pytest.fixture(params=["folder", "database"])
def store_app(request, app):
    app.config["EVIDENCE_STORAGE"] = request.param
    return app


def _sign_off_request(app, make_user):
    """A trainee and an open sign-off request of theirs: (trainee id, event id)."""
    from onboarding.extensions import db
    from onboarding.mentoring.models import SignOffEvent

    trainee = make_user("trainee")
    with app.app_context():
        event = SignOffEvent(trainee_id=trainee, task_id="proposal", kind="requested", actor_id=trainee)
        db.session.add(event)
        db.session.commit()
        return trainee, event.id


def _attach(trainee_id, event_id, files):
    from onboarding.auth.models import User
    from onboarding.evidence.services import Upload, attach
    from onboarding.extensions import db
    from onboarding.mentoring.models import SignOffEvent

    return attach(db.session.get(SignOffEvent, event_id), trainee_id,
                  [Upload(name, io.BytesIO(data)) for name, data in files], db.session.get(User, trainee_id))


def _committed_pdf(app, make_user):
    """A proposal attached to a new open request and committed: (its id, its storage key)."""
    from onboarding.extensions import db

    trainee, event = _sign_off_request(app, make_user)
    with app.app_context():
        [row] = _attach(trainee, event, [("proposal.pdf", ACCEPTED[0][1])])
        db.session.commit()
        return row.id, row.storage_key


def test_a_committed_file_reads_back_byte_for_byte(store_app, make_user):
    from onboarding.evidence.storage import backend_name, storage
    from onboarding.extensions import db

    trainee, event = _sign_off_request(store_app, make_user)
    wav = ACCEPTED[10][1]
    with store_app.app_context():
        [row] = _attach(trainee, event, [("call.wav", wav)])
        db.session.commit()
        key = row.storage_key
    with store_app.app_context():
        assert backend_name(store_app.config) == store_app.config["EVIDENCE_STORAGE"]
        assert storage().open(key).read() == wav
        assert key in storage().keys()
        import hashlib

        assert row.sha256 == hashlib.sha256(wav).hexdigest() and row.size == len(wav)


def test_large_files_span_chunks(store_app, make_user):
    from onboarding.evidence.storage import CHUNK, storage
    from onboarding.extensions import db

    trainee, event = _sign_off_request(store_app, make_user)
    from onboarding.evidence.samples import tone_wav

    wav = tone_wav(80)  # 1.28 MB: three chunks
    assert len(wav) > 2 * CHUNK
    with store_app.app_context():
        [row] = _attach(trainee, event, [("long.wav", wav)])
        db.session.commit()
        assert storage().open(row.storage_key).read() == wav


def test_a_rolled_back_upload_leaves_no_bytes(store_app, make_user):
    from onboarding.evidence.storage import storage
    from onboarding.extensions import db

    trainee, event = _sign_off_request(store_app, make_user)
    with store_app.app_context():
        [row] = _attach(trainee, event, [("proposal.pdf", ACCEPTED[0][1])])
        key = row.storage_key
        assert key in storage().keys()  # written before the row is committed
        db.session.rollback()
        assert storage().keys() == set()
        from onboarding.evidence.models import EvidenceFile

        assert db.session.scalar(sa.select(sa.func.count(EvidenceFile.id))) == 0


def test_a_request_that_ends_without_commit_leaves_no_bytes(store_app, make_user):
    """The session closed at the end of a request (no rollback called) removes the folder's file too."""
    from onboarding.evidence.storage import storage

    trainee, event = _sign_off_request(store_app, make_user)
    with store_app.app_context():
        _attach(trainee, event, [("proposal.pdf", ACCEPTED[0][1])])
    with store_app.app_context():
        assert storage().keys() == set()


def test_one_refused_file_stores_none(store_app, make_user):
    from onboarding.evidence.services import EvidenceRefused
    from onboarding.evidence.storage import storage

    trainee, event = _sign_off_request(store_app, make_user)
    with store_app.app_context(), pytest.raises(EvidenceRefused) as refused:
        _attach(trainee, event, [("proposal.pdf", ACCEPTED[0][1]), ("call.mp3", REFUSED[0][1])])
    assert len(refused.value.problems) == 1 and "call.mp3" in str(refused.value.problems[0])
    with store_app.app_context():
        assert storage().keys() == set()


def test_the_orphan_check_reports_both_ways(store_app, make_user, runner):
    from onboarding.evidence.storage import storage, write
    from onboarding.extensions import db

    file_id, key = _committed_pdf(store_app, make_user)
    assert store_app.test_cli_runner().invoke(args=["evidence-orphans"]).exit_code == 0
    with store_app.app_context():
        store = storage()
        write(store, "0" * 32, io.BytesIO(b"stray"))
        store.delete(key)
        db.session.commit()
    result = store_app.test_cli_runner().invoke(args=["evidence-orphans"])
    assert result.exit_code == 1
    assert "0" * 32 in result.output and f"file {file_id}: its bytes are missing" in result.output


def test_backup_includes_the_files(store_app, make_user, tmp_path):
    _file_id, key = _committed_pdf(store_app, make_user)
    target = tmp_path / "backup.db"
    if store_app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("the PostgreSQL backup is pg_dump's (tests/test_cli.py); its rows hold the database storage")
    result = store_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    copied = tmp_path / "backup.db.evidence" / key[:2] / key
    if store_app.config["EVIDENCE_STORAGE"] == "folder":
        assert copied.read_bytes() == ACCEPTED[0][1]
        assert "Evidence files" in result.stderr and "1 evidence file(s) copied" in result.stdout
    else:
        import sqlite3

        assert not copied.exists()
        with sqlite3.connect(target) as conn:
            data = b"".join(r[0] for r in conn.execute(
                "SELECT data FROM evidence_chunks WHERE storage_key = ? ORDER BY seq", (key,)))
        assert data == ACCEPTED[0][1]


def test_the_storage_follows_the_database_unless_configured():
    from onboarding.evidence.storage import backend_name

    assert backend_name({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"}) == "folder"
    assert backend_name({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://h/db"}) == "database"
    assert backend_name({"SQLALCHEMY_DATABASE_URI": "sqlite:///x.db", "EVIDENCE_STORAGE": "database"}) == "database"


def test_evidence_storage_must_be_one_of_two(tmp_path):
    from onboarding.config import ConfigError, load_config

    assert load_config(str(tmp_path), {"EVIDENCE_STORAGE": "Folder"})["EVIDENCE_STORAGE"] == "folder"
    with pytest.raises(ConfigError, match="EVIDENCE_STORAGE"):
        load_config(str(tmp_path), {"EVIDENCE_STORAGE": "s3"})
