"""Evidence on sign-off requests: uploads of every accepted type and refusals that keep the form, files served
only to those who may see the trainee with safe headers and byte ranges, and comments at a moment."""
import io
import re

import pytest
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.evidence.models import EvidenceComment, EvidenceFile
from onboarding.extensions import db
from onboarding.mentoring.models import SignOffEvent

from .conftest import as_user, complete_stages_before, staff_and_trainee
from .evidence_files import ACCEPTED, REFUSED


@pytest.fixture
def people(app, make_user):
    ids = staff_and_trainee(make_user)
    ids["other_trainee"] = make_user("trainee", email="other.trainee@example.com", mentor=ids["mentor"])
    ids["other_mentor"] = make_user("mentor", email="other.mentor@example.com")
    ids["director"] = make_user("director", email="director@example.com")
    complete_stages_before(app, ids["trainee"], 3)
    return ids


def _ask(app, uid, files, note="Here is my proposal", client=None):
    """The trainee asks for the proposal's sign-off with files: the response."""
    client, auth = client or as_user(app, "tom@example.com")
    token = auth.token(f"/trainees/{uid}/checklist")
    data = {"note": note, "evidence": "", "csrf_token": token,
            "files": [(io.BytesIO(data), name) for name, data in files]}
    return client.post(f"/trainees/{uid}/tasks/proposal/request", data=data, content_type="multipart/form-data")


def _files(app):
    with app.app_context():
        return db.session.scalars(sa.select(EvidenceFile).order_by(EvidenceFile.id)).all()


def test_every_accepted_type_is_attached_in_one_request(app, people):
    response = _ask(app, people["trainee"], [(n, d) for n, d, _m in ACCEPTED[:5]])
    assert response.status_code == 302
    response = _ask(app, people["trainee"], [(n, d) for n, d, _m in ACCEPTED[5:10]])
    assert response.status_code == 400  # the request is open: a second one is refused, its files with it
    files = _files(app)
    assert [(f.name, f.mime) for f in files] == [(n, m) for n, _d, m in ACCEPTED[:5]]
    with app.app_context():
        event = db.session.scalar(sa.select(SignOffEvent).where(SignOffEvent.kind == "requested"))
        assert {f.sign_off_event_id for f in files} == {event.id}
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "evidence_added", AuditEvent.trainee_id == people["trainee"])) == 5


@pytest.mark.parametrize("name,data,mime", ACCEPTED, ids=[a[0] for a in ACCEPTED])
def test_each_accepted_type_through_the_form(app, people, name, data, mime):
    assert _ask(app, people["trainee"], [(name, data)]).status_code == 302
    [row] = _files(app)
    assert (row.name, row.mime, row.size) == (name, mime, len(data))


@pytest.mark.parametrize("name,data,reason", REFUSED, ids=[r[0] + "-" + r[2] for r in REFUSED])
def test_a_refused_file_keeps_the_note_and_stores_nothing(app, people, name, data, reason):
    response = _ask(app, people["trainee"], [("good.pdf", ACCEPTED[0][1]), (name, data)], note="Typed by hand")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Typed by hand" in page and f"“{name}”" in page and "good.pdf" not in page.split("Typed by hand")[0][-200:]
    assert _files(app) == []
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(SignOffEvent.id))) == 0


def test_an_oversized_file_is_refused_with_the_limit(app, people):
    app.config["EVIDENCE_MAX_MB"] = 1
    big = ACCEPTED[10][1] + b"\0" * (1024 * 1024)
    response = _ask(app, people["trainee"], [("long.wav", big)], note="Long call")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "larger than 1 MB" in page and "Long call" in page
    assert _files(app) == []
    exactly = ACCEPTED[10][1][:44] + b"\0" * (1024 * 1024 - 44)  # a WAV header and silence: the limit itself
    assert _ask(app, people["trainee"], [("limit.wav", exactly)]).status_code == 302


def test_too_many_files_at_once(app, people):
    app.config["EVIDENCE_MAX_FILES"] = 2
    response = _ask(app, people["trainee"], [(n, d) for n, d, _m in ACCEPTED[:3]])
    assert response.status_code == 400 and "at most 2 files" in response.get_data(as_text=True)


def test_a_request_without_files_still_works(app, people):
    assert _ask(app, people["trainee"], []).status_code == 302
    assert _files(app) == []


def test_the_checklist_lists_the_files_and_plays_the_recording(app, people):
    _ask(app, people["trainee"], [("proposal.pdf", ACCEPTED[0][1]), ("call.wav", ACCEPTED[10][1])])
    pdf, wav = _files(app)
    mentor, _auth = as_user(app, "mentor@example.com")
    page = mentor.get(f"/trainees/{people['trainee']}/checklist").get_data(as_text=True)
    assert "proposal.pdf" in page and "Document (PDF)" in page and "Recording (WAV)" in page
    assert f'<audio controls preload="metadata" src="/evidence/{wav.id}"' in page
    assert f'<audio controls preload="metadata" src="/evidence/{pdf.id}"' not in page
    assert 'enctype="multipart/form-data"' not in page  # the mentor has no request form
    trainee, _auth = as_user(app, "tom@example.com")
    assert f'/evidence/{wav.id}/remove' in trainee.get(f"/trainees/{people['trainee']}/checklist").get_data(
        as_text=True)


# ---------------------------------------------------------------- serving

def _uploaded(app, people, files=(("call.wav", ACCEPTED[10][1]), ("proposal.pdf", ACCEPTED[0][1]))):
    assert _ask(app, people["trainee"], list(files)).status_code == 302
    return _files(app)


@pytest.mark.parametrize("email,status", [
    ("tom@example.com", 200), ("mentor@example.com", 200), ("head@example.com", 200), ("admin@example.com", 200),
    ("director@example.com", 200), ("other.trainee@example.com", 403), ("other.mentor@example.com", 403)])
def test_who_may_fetch_a_file(app, people, email, status):
    wav, pdf = _uploaded(app, people)
    client, _auth = as_user(app, email)
    for row in (wav, pdf):
        assert client.get(f"/evidence/{row.id}").status_code == status


def test_anonymous_is_sent_to_sign_in(app, people, client):
    wav, _pdf = _uploaded(app, people)
    response = client.get(f"/evidence/{wav.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get("/evidence/999999").status_code == 302


def test_headers_documents_download_and_audio_plays(app, people):
    wav, pdf = _uploaded(app, people)
    client, _auth = as_user(app, "mentor@example.com")
    doc = client.get(f"/evidence/{pdf.id}")
    assert doc.data == ACCEPTED[0][1] and doc.mimetype == "application/pdf"
    assert doc.headers["Content-Disposition"].startswith("attachment;") and "proposal.pdf" in doc.headers[
        "Content-Disposition"]
    audio = client.get(f"/evidence/{wav.id}")
    assert audio.headers["Content-Disposition"].startswith("inline;") and audio.mimetype == "audio/wav"
    for response in (doc, audio):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'; media-src 'self'; sandbox;")
        assert "private" in response.headers["Cache-Control"]
        assert response.headers["Accept-Ranges"] == "bytes"


def test_a_name_in_arabic_is_kept_in_the_download(app, people):
    [row] = _uploaded(app, people, [("عرض.pdf", ACCEPTED[0][1])])
    client, _auth = as_user(app, "mentor@example.com")
    assert row.name == "عرض.pdf"
    assert "filename*=UTF-8''%D8%B9%D8%B1%D8%B6.pdf" in client.get(f"/evidence/{row.id}").headers[
        "Content-Disposition"]


@pytest.mark.parametrize("storage", ["folder", "database"])
def test_ranges_let_a_long_call_be_scrubbed(app, people, storage):
    app.config["EVIDENCE_STORAGE"] = storage
    wav, _pdf = _uploaded(app, people)
    data = ACCEPTED[10][1]
    client, _auth = as_user(app, "mentor@example.com")
    part = client.get(f"/evidence/{wav.id}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.data == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = client.get(f"/evidence/{wav.id}", headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.data == data[-10:]
    beyond = client.get(f"/evidence/{wav.id}", headers={"Range": f"bytes={len(data)}-"})
    assert beyond.status_code == 416
    assert client.get(f"/evidence/{wav.id}", headers={"If-None-Match": f'"{wav.sha256}"'}).status_code == 304


def test_a_file_whose_bytes_are_gone_is_not_found(app, people):
    from onboarding.evidence.storage import storage

    wav, _pdf = _uploaded(app, people)
    with app.app_context():
        storage().delete(wav.storage_key)
        db.session.commit()
    client, _auth = as_user(app, "mentor@example.com")
    assert client.get(f"/evidence/{wav.id}").status_code == 404


# ---------------------------------------------------------------- comments at a moment

def _comment(client, auth, file_id, at, body):
    token = auth.token(f"/evidence/{file_id}/review")
    return client.post(f"/evidence/{file_id}/comments", data={"at": at, "body": body, "csrf_token": token})


def test_a_mentor_comments_at_a_moment_and_a_click_plays_from_there(app, people):
    wav, pdf = _uploaded(app, people)
    mentor, auth = as_user(app, "mentor@example.com")
    assert _comment(mentor, auth, wav.id, "01:23", "You did not ask who decides").status_code == 302
    assert _comment(mentor, auth, wav.id, "0:05", "Good opening").status_code == 302
    assert _comment(mentor, auth, pdf.id, "0:10", "Add the delivery terms").status_code == 302
    with app.app_context():
        rows = db.session.scalars(sa.select(EvidenceComment).order_by(EvidenceComment.id)).all()
        assert [(c.at_seconds, c.body) for c in rows] == [
            (83, "You did not ask who decides"), (5, "Good opening"), (None, "Add the delivery terms")]
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence_commented"))
        assert event.trainee_id == people["trainee"] and event.details["at"] == "01:23"
    trainee, _auth = as_user(app, "tom@example.com")
    page = trainee.get(f"/evidence/{wav.id}/review").get_data(as_text=True)
    assert page.index("Good opening") < page.index("You did not ask who decides")  # by moment
    assert f'href="/evidence/{wav.id}#t=83" data-seconds="83"' in page and "js/evidence.js" in page
    assert 'id="evidence-player"' in page and "Add the comment" not in page  # the trainee reads, not writes


@pytest.mark.parametrize("at", ["1:60", "abc", "12345:00"])
def test_a_bad_moment_keeps_the_comment(app, people, at):
    wav, _pdf = _uploaded(app, people)
    mentor, auth = as_user(app, "mentor@example.com")
    response = _comment(mentor, auth, wav.id, at, "Kept as typed")
    assert response.status_code == 400 and "Kept as typed" in response.get_data(as_text=True)
    assert "minutes and seconds" in response.get_data(as_text=True)


def test_only_graders_of_the_trainee_comment(app, people):
    wav, _pdf = _uploaded(app, people)
    for email in ("other.mentor@example.com", "tom@example.com", "director@example.com"):
        client, auth = as_user(app, email)
        token = auth.token("/account/password")
        assert client.post(f"/evidence/{wav.id}/comments", data={"at": "", "body": "x", "csrf_token": token}
                           ).status_code == 403
    head, auth = as_user(app, "head@example.com")
    assert _comment(head, auth, wav.id, "", "Whole call: fine").status_code == 302


def _change(client, auth, comment_id, file_id, at, body):
    token = auth.token(f"/evidence/{file_id}/review")
    return client.post(f"/evidence/comments/{comment_id}", data={f"c{comment_id}-at": at,
                                                                 f"c{comment_id}-body": body,
                                                                 f"c{comment_id}-csrf_token": token})


def test_only_the_author_edits_and_only_until_the_sign_off_is_decided(app, people):
    wav, _pdf = _uploaded(app, people)
    mentor, m_auth = as_user(app, "mentor@example.com")
    _comment(mentor, m_auth, wav.id, "1:23", "You did not ask who decides")
    with app.app_context():
        comment_id = db.session.scalar(sa.select(EvidenceComment.id))
    head, h_auth = as_user(app, "head@example.com")
    assert _change(head, h_auth, comment_id, wav.id, "1:20", "Not mine").status_code == 403
    assert _change(mentor, m_auth, comment_id, wav.id, "1:20", "Ask who decides, here").status_code == 302
    with app.app_context():
        c = db.session.get(EvidenceComment, comment_id)
        assert (c.at_seconds, c.body) == (80, "Ask who decides, here") and c.updated_at is not None
        edited = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence_comment_edited"))
        assert edited.details["before"]["at"] == "01:23" and edited.details["after"]["at"] == "01:20"
    token = m_auth.token(f"/trainees/{people['trainee']}/checklist")
    assert mentor.post(f"/trainees/{people['trainee']}/tasks/proposal/sign",
                       data={"note": "Good", "csrf_token": token}).status_code == 302
    refused = _change(mentor, m_auth, comment_id, wav.id, "1:00", "Too late")
    assert refused.status_code == 400 and "is decided" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(EvidenceComment, comment_id).body == "Ask who decides, here"
    page = mentor.get(f"/evidence/{wav.id}/review").get_data(as_text=True)
    assert "Change this comment" not in page


def test_the_comment_is_in_the_trainee_timeline(app, people):
    wav, _pdf = _uploaded(app, people)
    mentor, auth = as_user(app, "mentor@example.com")
    _comment(mentor, auth, wav.id, "1:23", "You did not ask who decides")
    page = mentor.get(f"/trainees/{people['trainee']}/timeline").get_data(as_text=True)
    assert "Comment on “call.wav” at 01:23: You did not ask who decides" in page
    assert "Evidence “call.wav” uploaded" in page


def test_review_page_of_a_removed_file_is_gone(app, people):
    wav, _pdf = _uploaded(app, people)
    trainee, auth = as_user(app, "tom@example.com")
    token = auth.token(f"/trainees/{people['trainee']}/checklist")
    assert trainee.post(f"/evidence/{wav.id}/remove", data={"csrf_token": token}).status_code == 302
    assert trainee.get(f"/evidence/{wav.id}/review").status_code == 404
    assert re.search("call.wav", trainee.get(f"/trainees/{people['trainee']}/checklist").get_data(as_text=True)) \
        is None


# ---------------------------------------------------------------- evidence in the record

@pytest.mark.parametrize("storage", ["folder", "database"])
def test_a_removed_file_loses_its_bytes_unless_a_decision_relied_on_it(app, people, storage):
    from onboarding.evidence.storage import storage as current_storage

    app.config["EVIDENCE_STORAGE"] = storage
    wav, pdf = _uploaded(app, people)
    uid = people["trainee"]
    head, h_auth = as_user(app, "head@example.com")
    response = head.post(f"/trainees/{uid}/readiness-decision", data={
        "decision": "rejected", "note": "Not yet: more calls first.", "csrf_token": h_auth.token(f"/trainees/{uid}")})
    assert response.status_code == 302
    with app.app_context():
        from onboarding.readiness.models import ReadinessDecision

        frozen = db.session.scalar(sa.select(ReadinessDecision.evidence))
        assert [(f["name"], f["type"], f["size"], f["task"]) for f in frozen["files"]] == [
            ("call.wav", "audio/wav", len(ACCEPTED[10][1]), "proposal"),
            ("proposal.pdf", "application/pdf", len(ACCEPTED[0][1]), "proposal")]
        assert all(db.session.get(EvidenceFile, f.id).kept for f in (wav, pdf))
    # A third file, after the decision: not relied on.
    trainee, t_auth = as_user(app, "tom@example.com")
    with app.app_context():
        from onboarding.auth.models import User
        from onboarding.evidence.services import Upload, attach

        event = db.session.get(SignOffEvent, wav.sign_off_event_id)
        [late] = attach(event, uid, [Upload("late.png", io.BytesIO(ACCEPTED[4][1]))], db.session.get(User, uid))
        db.session.commit()
        late_id, late_key = late.id, late.storage_key
    token = t_auth.token(f"/trainees/{uid}/checklist")
    for file_id in (wav.id, late_id):
        assert trainee.post(f"/evidence/{file_id}/remove", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        keys = current_storage().keys()
        assert wav.storage_key in keys and late_key not in keys
        assert db.session.get(EvidenceFile, wav.id).deleted_at is not None
        assert {e.details["name"] for e in db.session.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "evidence_removed"))} == {"call.wav", "late.png"}
    assert trainee.get(f"/evidence/{wav.id}").data == ACCEPTED[10][1]  # the decision's file stays readable
    assert trainee.get(f"/evidence/{late_id}").status_code == 404
    page = head.get(f"/trainees/{uid}").get_data(as_text=True)
    assert "Evidence files it relied on:" in page and "removed from its request; kept for a decision" in page
    assert "late.png" not in page
    checklist = trainee.get(f"/trainees/{uid}/checklist").get_data(as_text=True)
    assert "proposal.pdf" in checklist and f"/evidence/{wav.id}/remove" not in checklist


def test_the_trainee_page_and_the_report_list_the_evidence(app, people):
    _uploaded(app, people)
    uid = people["trainee"]
    for email in ("tom@example.com", "mentor@example.com", "director@example.com"):
        client, _auth = as_user(app, email)
        for url in (f"/trainees/{uid}", f"/trainees/{uid}/report"):
            page = client.get(url).get_data(as_text=True)
            assert "call.wav" in page and "Recording (WAV)" in page and "Sign-off: Write a proposal" in page, url
            assert "proposal.pdf" in page and "Document (PDF)" in page, url


def test_only_the_uploader_removes_and_only_while_the_request_is_open(app, people):
    wav, pdf = _uploaded(app, people)
    uid = people["trainee"]
    mentor, m_auth = as_user(app, "mentor@example.com")
    token = m_auth.token(f"/trainees/{uid}/checklist")
    assert mentor.post(f"/evidence/{wav.id}/remove", data={"csrf_token": token}).status_code == 403
    mentor.post(f"/trainees/{uid}/tasks/proposal/return", data={"note": "Add the terms", "csrf_token": token})
    trainee, t_auth = as_user(app, "tom@example.com")
    response = trainee.post(f"/evidence/{wav.id}/remove", data={"csrf_token": t_auth.token(f"/trainees/{uid}/checklist")},
                            follow_redirects=True)
    assert "already decided" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(EvidenceFile, wav.id).deleted_at is None
    assert trainee.post(f"/evidence/{wav.id}/remove", data={}).status_code == 400  # no CSRF token


# ---------------------------------------------------------------- the demo

@pytest.fixture(scope="module")
def demo(tmp_path_factory, migrated_template):
    from .conftest import seeded_demo

    yield from seeded_demo(tmp_path_factory, migrated_template, "evidence-demo")


def test_the_demo_has_a_commented_call_and_a_proposal_for_trainee2(demo):
    from onboarding.evidence.storage import storage

    with demo.app_context():
        from onboarding.auth.models import User

        t2 = db.session.scalar(sa.select(User).where(User.email == "trainee2@example.com"))
        files = db.session.scalars(sa.select(EvidenceFile).where(EvidenceFile.trainee_id == t2.id)
                                   .order_by(EvidenceFile.id)).all()
        assert [(f.name, f.mime) for f in files] == [("commercial-proposal.pdf", "application/pdf"),
                                                     ("cold-call-northgate.wav", "audio/wav")]
        pdf, wav = files
        assert pdf.sign_off_event.task_id == "commercial-proposal" and wav.activity_entry is not None
        assert storage().open(wav.storage_key).read()[:4] == b"RIFF"
        assert storage().open(pdf.storage_key).read().startswith(b"%PDF-1.4")
        comments = db.session.scalars(sa.select(EvidenceComment).where(EvidenceComment.file_id == wav.id)
                                      .order_by(EvidenceComment.at_seconds)).all()
        assert [c.at_seconds for c in comments] == [1, 4] and "who decides" in comments[1].body
        wav_id = wav.id
    client = demo.test_client()
    from .conftest import AuthActions

    assert AuthActions(client).login("mentor@example.com", "demo-pass-2024").status_code == 302
    page = client.get(f"/evidence/{wav_id}/review").get_data(as_text=True)
    assert 'data-seconds="4"' in page and "00:04" in page
    assert client.get(f"/evidence/{wav_id}", headers={"Range": "bytes=0-3"}).data == b"RIFF"


# ---------------------------------------------------------------- supervision notes and ledger days

def _note(app, uid, files, advice="Offer net-30 first."):
    mentor, auth = as_user(app, "mentor@example.com")
    return mentor.post(f"/trainees/{uid}/supervision", content_type="multipart/form-data", data={
        "week_of": __import__("datetime").date.today().isoformat(), "situation": "A client asked for net-60.",
        "advice": advice, "csrf_token": auth.token(f"/trainees/{uid}/supervision"),
        "files": [(io.BytesIO(d), n) for n, d in files]})


def test_a_supervision_note_carries_a_recording(app, people):
    uid = people["trainee"]
    complete_stages_before(app, uid, 4)
    refused = _note(app, uid, [("call.mp3", REFUSED[0][1])], advice="Kept as typed")
    assert refused.status_code == 400 and "Kept as typed" in refused.get_data(as_text=True)
    assert _files(app) == []
    assert _note(app, uid, [("client-call.ogg", ACCEPTED[9][1])]).status_code == 302
    [row] = _files(app)
    assert row.supervision_note_id is not None and row.uploaded_by == people["mentor"]
    trainee, _auth = as_user(app, "tom@example.com")
    page = trainee.get(f"/trainees/{uid}/supervision").get_data(as_text=True)
    assert "client-call.ogg" in page and f'src="/evidence/{row.id}"' in page
    assert "Supervision note, week of" in trainee.get(f"/trainees/{uid}").get_data(as_text=True)


FIGURES = {"prospects": "3", "calls": "18", "meetings": "0", "applications": "1", "orders": "0", "referrals": "1",
           "events": "0", "decision_makers": "2", "deals": "0"}


def _log_day(client, auth, uid, files, **extra):
    from datetime import date

    return client.post(f"/trainees/{uid}/activity", content_type="multipart/form-data", data={
        **FIGURES, "day": date.today().isoformat(), "csrf_token": auth.token(f"/trainees/{uid}/activity"),
        "files": [(io.BytesIO(d), n) for n, d in files], **extra})


def test_a_ledger_day_carries_a_recorded_call_until_it_is_confirmed(app, people):
    uid = people["trainee"]
    trainee, auth = as_user(app, "tom@example.com")
    refused = _log_day(trainee, auth, uid, [("call.mp3", REFUSED[0][1])], note="Kept", calls="17")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Kept" in page and 'value="17"' in page and "whatever its name says" in page
    with app.app_context():
        from onboarding.activity.models import ActivityEntry

        assert db.session.scalar(sa.select(sa.func.count(ActivityEntry.id))) == 0
    assert _log_day(trainee, auth, uid, [("call.webm", ACCEPTED[11][1])]).status_code == 302
    [row] = _files(app)
    assert row.activity_entry_id is not None and row.mime == "audio/webm"
    page = trainee.get(f"/trainees/{uid}/activity").get_data(as_text=True)
    assert "call.webm" in page and f"/evidence/{row.id}/remove" in page
    # A file added to a logged day, with nothing else changed, says so.
    from datetime import date

    loaded = trainee.get(f"/trainees/{uid}/activity?day={date.today().isoformat()}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="([^"]+)"', loaded).group(1)
    added = _log_day(trainee, auth, uid, [("crm.png", ACCEPTED[4][1])], version=version)
    assert added.status_code == 302
    assert "1 file is attached to" in trainee.get(added.headers["Location"]).get_data(as_text=True)
    mentor, m_auth = as_user(app, "mentor@example.com")
    assert mentor.post(f"/activity/{row.activity_entry_id}/confirm",
                       data={"csrf_token": m_auth.token(f"/trainees/{uid}/activity")}).status_code == 302
    page = trainee.get(f"/trainees/{uid}/activity").get_data(as_text=True)
    assert "call.webm" in page and f"/evidence/{row.id}/remove" not in page
    refused = trainee.post(f"/evidence/{row.id}/remove", data={"csrf_token": auth.token(f"/trainees/{uid}/activity")},
                           follow_redirects=True)
    assert "already decided" in refused.get_data(as_text=True)


def test_the_recorder_is_offered_to_the_owner_only_and_hidden_until_a_script_shows_it(app, people):
    uid = people["trainee"]
    trainee, _auth = as_user(app, "tom@example.com")
    for url in (f"/trainees/{uid}/checklist", f"/trainees/{uid}/activity"):
        page = trainee.get(url).get_data(as_text=True)
        assert re.search(r'<div class="recorder" data-recorder-for="files[^"]*" hidden', page), url
        assert "js/recorder.js" in page and 'type="file"' in page and "multiple" in page
    mentor, _auth = as_user(app, "mentor@example.com")
    assert "js/recorder.js" not in mentor.get(f"/trainees/{uid}/activity").get_data(as_text=True)
