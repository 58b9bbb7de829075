"""E-mail: the outbox is written with the event, the worker delivers it to a real SMTP server (aiosmtpd in the test
process), retries with back-off, fails for good on a refusal and shows it to admins, never sends a message twice
(two workers racing), and nothing a user typed can add a header."""
import re
import threading
import time
from datetime import datetime, timedelta, timezone
from email import policy
from email.parser import BytesParser

import pytest
import sqlalchemy as sa

from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.config import ConfigError, load_config
from onboarding.extensions import db
from onboarding.mail import sender
from onboarding.mail.compose import MAX_REFERENCES, one_line, references_after
from onboarding.mail.models import FAILED, QUEUED, SENDING, SENT, MailPreference, OutboxMessage
from onboarding.mail.sender import (LEASE, MAX_ATTEMPTS, SmtpTransport, claim, record_failure, retry_delay,
                                    send_batch, send_due)
from onboarding.notifications.models import Notification
from onboarding.notifications.services import notify

from . import smtp_server
from .conftest import as_user, staff_and_trainee


@pytest.fixture
def smtp(app):
    """An SMTP server on a free local port; the app sends to it in clear (tls=none), as to a trusted relay."""
    recorder = smtp_server.Recorder()
    controller = smtp_server.start(recorder)
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}?tls=none"
    app.config["MAIL_FROM"] = "Calder Onboarding <onboarding@calder.example>"
    app.config["BASE_URL"] = "https://onboarding.calder.example"
    yield recorder
    controller.stop()


@pytest.fixture
def people(make_user, app):
    ids = staff_and_trainee(make_user)
    ids["arabic"] = make_user("trainee", email="layla@example.com", name="ليلى حداد", mentor=ids["mentor"])
    with app.app_context():
        db.session.get(User, ids["arabic"]).locale = "ar"
        db.session.execute(sa.delete(OutboxMessage))  # the welcome notices of the set-up (mentor assigned ...)
        db.session.commit()
    return ids


def _rows(app):
    with app.app_context():
        return db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def _send(app):
    with app.app_context():
        return send_due(sender.transport_for(app.config))


def _graded(app, uid, attempt=7, passed=True):
    """The notification a graded attempt sends, as assessment.services.grade writes it."""
    with app.app_context():
        notify([uid], "attempt_graded", link=f"/attempts/{attempt}", quiz="Written test", percent="80",
               passed=passed)
        db.session.commit()


# ---------------------------------------------------------------- the outbox and the transaction

def test_a_rolled_back_action_leaves_no_outbox_row_and_a_committed_one_does(app, people):
    with app.app_context():
        notes = db.session.scalar(sa.select(sa.func.count(Notification.id)))
        notify([people["trainee"]], "extra_attempt", link="/quizzes/basics", quiz="Basics")
        db.session.flush()  # written inside the transaction ...
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1
        db.session.rollback()  # ... and gone with it
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
        assert db.session.scalar(sa.select(sa.func.count(Notification.id))) == notes
    _graded(app, people["trainee"])
    rows = _rows(app)
    assert [(r.kind, r.to_address, r.state) for r in rows] == [("attempt_graded", "tom@example.com", QUEUED)]


def test_a_request_whose_commit_fails_after_notifying_leaves_no_message(app, people, monkeypatch):
    """A real action (a trainee asking for a sign-off) wrote its notification and e-mail, then its commit failed:
    neither is left. The same request that commits leaves the mentor's message."""
    from .conftest import complete_stages_before

    complete_stages_before(app, people["trainee"], 3)
    client, auth = as_user(app, "tom@example.com")
    path = f"/trainees/{people['trainee']}/tasks/proposal/request"
    form = {"note": "Please look at my proposal.", "evidence": "https://drive.example/p.pdf"}

    written = []

    def flush_then_fail():
        db.session.flush()  # the outbox row is written in the transaction ...
        written.append(db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))))
        raise RuntimeError("the database went away before COMMIT")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    with monkeypatch.context() as patch:
        patch.setattr(db.session, "commit", flush_then_fail)
        token = auth.token(f"/trainees/{people['trainee']}/checklist")
        assert client.post(path, data={**form, "csrf_token": token}).status_code == 500
    assert written == [1] and _rows(app) == []  # ... and gone with it
    token = auth.token(f"/trainees/{people['trainee']}/checklist")
    assert client.post(path, data={**form, "csrf_token": token}).status_code == 302
    assert [(r.kind, r.to_address) for r in _rows(app)] == [("sign_off_requested", "mentor@example.com")]


def test_inactive_people_get_no_email(app, people):
    with app.app_context():
        db.session.get(User, people["trainee"]).active = False
        db.session.commit()
    _graded(app, people["trainee"])
    assert _rows(app) == []


# ---------------------------------------------------------------- what arrives

def test_the_message_arrives_with_both_parts_a_clear_subject_one_link_and_the_unsubscribe_header(app, smtp, people):
    _graded(app, people["trainee"])
    tally = _send(app)
    assert (tally.sent, tally.retrying, tally.failed) == (1, 0, 0)
    [(mail_from, rcpt, msg)] = smtp.messages
    assert mail_from == "onboarding@calder.example" and rcpt == ["tom@example.com"]
    assert msg["Subject"] == "Your attempt at “Written test” is graded: 80%, passed."
    assert msg["From"].addresses[0].addr_spec == "onboarding@calder.example"
    assert str(msg["To"]) == "Tom Becker <tom@example.com>"
    assert msg["Content-Language"] == "en" and msg["Auto-Submitted"] == "auto-generated"
    assert msg.get_content_type() == "multipart/alternative"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Hello Tom Becker," in text and "Your attempt at “Written test” is graded" in text
    links = set(re.findall(r'href="([^"]+)"', html))
    act = "https://onboarding.calder.example/attempts/7"
    assert act in links and act in text
    unsubscribe = re.fullmatch(r"<(https://onboarding\.calder\.example/mail/unsubscribe/[^>]+)>",
                               msg["List-Unsubscribe"])
    assert unsubscribe and msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert links == {"https://onboarding.calder.example/attempts/7", unsubscribe.group(1)}  # one link to act
    with app.app_context():
        row = db.session.scalar(sa.select(OutboxMessage))
        assert row.state == SENT and row.sent_at is not None and row.attempts == 1
        assert msg["Message-ID"] == row.message_id


def test_an_arabic_reader_gets_arabic_right_to_left(app, smtp, people):
    _graded(app, people["arabic"])
    _send(app)
    [msg] = smtp.by_recipient("layla@example.com")
    assert msg["Content-Language"] == "ar"
    assert re.search(r"[\u0600-\u06ff]", str(msg["Subject"])) and "graded" not in str(msg["Subject"])
    html = msg.get_body(("html",)).get_content()
    assert '<html lang="ar" dir="rtl">' in html and "Hello" not in html
    assert "ليلى حداد" in msg.get_body(("plain",)).get_content()


def test_messages_about_one_attempt_form_a_thread_and_other_attempts_another(app, smtp, people):
    for attempt in (7, 7, 8):
        _graded(app, people["trainee"], attempt=attempt)
    _send(app)
    rows = _rows(app)
    by_id = {r.message_id: r for r in rows}
    first, second, other = (next(m for _f, _t, m in smtp.messages if m["Message-ID"] == r.message_id) for r in rows)
    root = first["In-Reply-To"]
    assert root == first["References"] and root.startswith("<thread.")
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"].split() == [root, first["Message-ID"]]
    assert other["In-Reply-To"] != root and other["References"].split() == [other["In-Reply-To"]]
    assert len({m["Message-ID"] for m in (first, second, other)}) == 3 and len(by_id) == 3


def test_references_stay_short_in_a_long_thread():
    root, previous = "<root@x>", ()
    for n in range(30):
        reply_to, refs = references_after(root, previous)
        previous = (f"<m{n}@x>", refs)
    assert refs.split()[0] == root and len(refs.split()) == 1 + MAX_REFERENCES and refs.split()[-1] == "<m28@x>"
    assert reply_to == "<m28@x>"


def test_a_name_with_line_breaks_cannot_add_headers_or_recipients(app, smtp, people):
    with app.app_context():
        user = db.session.get(User, people["trainee"])
        user.full_name = "Eve\r\nBcc: victim@evil.example\r\nX-Injected: yes"
        db.session.commit()
        notify([people["mentor"]], "sign_off_requested", link=f"/trainees/{user.id}/checklist",
               trainee="Eve\nBcc: other@evil.example", task="Proposal\r\n\r\n<b>body</b>")
        notify([user.id], "mentor_named", link="/", mentor="Marco\rSubject: hijacked")
        db.session.commit()
    _send(app)
    assert sorted(rcpt for _f, to, _m in smtp.messages for rcpt in to) == ["mentor@example.com", "tom@example.com"]
    for _f, _to, msg in smtp.messages:
        assert msg["Bcc"] is None and msg["X-Injected"] is None
        assert len(msg.get_all("Subject")) == 1 and len(msg.get_all("To")) == 1
        assert "\n" not in str(msg["Subject"]) and "\r" not in str(msg["Subject"])
    tom = smtp.by_recipient("tom@example.com")[0]
    assert len(tom["To"].addresses) == 1 and tom["To"].addresses[0].addr_spec == "tom@example.com"
    assert tom["To"].addresses[0].display_name == "Eve Bcc: victim@evil.example X-Injected: yes"
    marco = smtp.by_recipient("mentor@example.com")[0]
    assert str(marco["Subject"]) == "Eve Bcc: other@evil.example asks you to sign off “Proposal <b>body</b>”."
    assert "&lt;b&gt;body&lt;/b&gt;" in marco.get_body(("html",)).get_content()  # escaped in the HTML part


def test_one_line_removes_every_kind_of_line_break_and_shortens():
    assert one_line("a\r\nb\nc\rd\x0be\x0cf\u2028g\u2029h\x85i\x00j") == "a b c d e f g h i j"
    assert one_line("word " * 100, 20) == "word word word word…"
    assert len(one_line("x" * 500, 150)) == 150


# ---------------------------------------------------------------- retries, back-off, permanent failure

def test_back_off_doubles_from_a_minute_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_delay(6) == timedelta(minutes=32) and retry_delay(7) == timedelta(minutes=60)
    assert retry_delay(20) == timedelta(minutes=60)


def test_a_message_fails_for_good_on_the_last_attempt_not_before():
    now = datetime(2026, 11, 30, 9, tzinfo=timezone.utc)
    row = OutboxMessage(state=SENDING, attempts=MAX_ATTEMPTS - 2)
    record_failure(row, OSError("connection refused"), now)
    assert (row.state, row.attempts) == (QUEUED, MAX_ATTEMPTS - 1)
    assert row.next_attempt_at == now + retry_delay(MAX_ATTEMPTS - 1)
    record_failure(row, OSError("connection refused"), now)
    assert (row.state, row.attempts, row.failed_at) == (FAILED, MAX_ATTEMPTS, now)


def test_a_refusing_server_is_retried_after_the_back_off_and_then_delivers(app, smtp, people):
    smtp.refuse_data = "451 4.3.0 Try again later"
    _graded(app, people["trainee"])
    start = datetime.now(timezone.utc)
    with app.app_context():
        transport = sender.transport_for(app.config)
        first = send_due(transport, now=start)
        assert (first.sent, first.retrying) == (0, 1)
        row = db.session.scalar(sa.select(OutboxMessage))
        assert (row.state, row.attempts) == (QUEUED, 1) and "451" in row.last_error
        smtp.refuse_data = None
        early = send_due(transport, now=start + retry_delay(1) - timedelta(seconds=1))
        assert early.handled == 0 and smtp.messages == []  # not due before its back-off ends
        later = send_due(transport, now=start + retry_delay(1))
        assert later.sent == 1
        db.session.refresh(row)
        assert (row.state, row.attempts, row.last_error) == (SENT, 2, None)
        transport.close()
    assert len(smtp.messages) == 1


def test_a_server_that_is_down_loses_nothing(app, people):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.free_port()}?tls=none"  # nobody listens
    _graded(app, people["trainee"])
    tally = _send(app)
    assert (tally.sent, tally.retrying, tally.failed) == (0, 1, 0)
    [row] = _rows(app)
    assert row.state == QUEUED and row.attempts == 1 and row.raw


def test_a_permanent_refusal_fails_at_once_and_the_admin_sees_it_and_sends_it_again(app, smtp, people):
    smtp.refuse_rcpt = "550 5.1.1 No such mailbox"
    _graded(app, people["trainee"])
    tally = _send(app)
    assert (tally.sent, tally.retrying, tally.failed) == (0, 0, 1)
    [row] = _rows(app)
    assert row.state == FAILED and row.attempts == 1 and "550" in row.last_error
    client, auth = as_user(app, "admin@example.com")
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "1 message could not be delivered." in page and "tom@example.com" in page and "550" in page
    failed = client.get("/admin/mail?state=failed").get_data(as_text=True)
    assert "Your attempt at “Written test” is graded" in failed
    shown = client.get(f"/admin/mail/{row.id}").get_data(as_text=True)
    assert "Hello Tom Becker," in shown and row.message_id.strip("<>") in shown
    assert client.get(f"/admin/mail/{row.id + 1000}").status_code == 404
    response = client.post(f"/admin/mail/{row.id}/send-again", data={"csrf_token": auth.token(f"/admin/mail/{row.id}")})
    assert response.status_code == 302
    with app.app_context():
        again = db.session.get(OutboxMessage, row.id)
        assert (again.state, again.attempts) == (QUEUED, 0)
        assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == "mail_requeued"))
    smtp.refuse_rcpt = None
    assert _send(app).sent == 1
    mentor, _auth = as_user(app, "mentor@example.com")
    assert mentor.get("/admin/mail").status_code == 403


# ---------------------------------------------------------------- no message twice

def _queue_many(app, people, count):
    with app.app_context():
        for n in range(count):
            notify([people["trainee"]], "attempt_graded", link=f"/attempts/{n + 1}", quiz="Q", percent="1",
                   passed=False)
        db.session.commit()


def test_a_claimed_message_is_not_claimed_again_until_its_lease_ends(app, people):
    _queue_many(app, people, 3)
    now = datetime.now(timezone.utc) + timedelta(seconds=1)
    with app.app_context():
        first = claim(db.session, 2, now, "worker-a")
        db.session.commit()
        second = claim(db.session, 5, now, "worker-b")
        db.session.commit()
        assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
        assert claim(db.session, 5, now + LEASE - timedelta(seconds=1), "worker-c") == []
        db.session.commit()
        assert sorted(claim(db.session, 5, now + LEASE + timedelta(seconds=1), "worker-c")) == sorted(first + second)
        db.session.commit()


def test_a_second_worker_does_not_take_a_row_the_first_is_claiming(app, people):
    """Worker A has claimed a row and not committed yet; worker B, at the same moment, gets nothing: on PostgreSQL
    it skips the locked row, on SQLite its UPDATE waits for A and then finds the row no longer queued."""
    _queue_many(app, people, 1)
    now = datetime.now(timezone.utc) + timedelta(seconds=1)
    results = {}
    with app.app_context():
        assert len(claim(db.session, 5, now, "worker-a")) == 1  # uncommitted: the row is locked

        def worker_b():
            with app.app_context():
                results["b"] = claim(db.session, 5, now, "worker-b")
                db.session.commit()

        thread = threading.Thread(target=worker_b)
        thread.start()
        time.sleep(0.5)
        db.session.commit()
        thread.join(20)
    assert results == {"b": []}
    [row] = _rows(app)
    assert (row.state, row.claimed_by) == (SENDING, "worker-a")


def test_two_workers_racing_send_every_message_exactly_once(app, smtp, people):
    count = 30
    _queue_many(app, people, count)
    errors = []

    def worker():
        try:
            with app.app_context():
                transport = sender.transport_for(app.config)
                while send_batch(transport, limit=3).handled:
                    pass
                transport.close()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    ids = [m["Message-ID"] for _f, _t, m in smtp.messages]
    assert len(ids) == count and len(set(ids)) == count
    assert {r.state for r in _rows(app)} == {SENT}


def test_two_postgresql_workers_skip_each_others_locked_rows(app, people):
    """FOR UPDATE SKIP LOCKED: while A's claim is open, B takes the other rows at once, without waiting."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite has no row locks: the conditional UPDATE keeps the claim safe there (test above)")
    _queue_many(app, people, 4)
    now = datetime.now(timezone.utc) + timedelta(seconds=1)
    with app.app_context():
        a = claim(db.session, 2, now, "worker-a")
        with sa.orm.Session(db.engine) as other:
            other.execute(sa.text("SET LOCAL lock_timeout = '3s'"))  # waiting on A's rows would fail, not hang
            started = time.monotonic()
            b = claim(other, 5, now, "worker-b")
            other.commit()
            assert time.monotonic() - started < 2
        db.session.commit()
    assert len(a) == 2 and len(b) == 2 and not set(a) & set(b)


# ---------------------------------------------------------------- transports

def test_without_mail_url_messages_become_eml_files_a_mail_client_opens(app, people, tmp_path):
    app.config["MAIL_URL"], app.config["MAIL_DIR"] = "", str(tmp_path / "mail")
    _graded(app, people["trainee"])
    assert _send(app).sent == 1
    [path] = (tmp_path / "mail").glob("*.eml")
    msg = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert msg["To"].addresses[0].addr_spec == "tom@example.com"
    assert "Your attempt at" in msg.get_body(("plain",)).get_content()
    assert not list((tmp_path / "mail").glob(".*.part"))


def test_starttls_is_used_and_required_with_smtp_urls(app, people, tmp_path):
    cert, key = smtp_server.make_certificate(tmp_path)
    recorder = smtp_server.Recorder()
    controller = smtp_server.start(recorder, starttls_context=smtp_server.server_context(cert, key))
    try:
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}?cafile={cert}"
        _graded(app, people["trainee"])
        assert _send(app).sent == 1 and len(recorder.messages) == 1
    finally:
        controller.stop()
    plain = smtp_server.Recorder()
    controller = smtp_server.start(plain)  # offers no STARTTLS: nothing is sent in clear
    try:
        app.config["MAIL_URL"] = f"smtp://127.0.0.1:{controller.port}"
        _graded(app, people["trainee"], attempt=9)
        tally = _send(app)
        assert (tally.sent, tally.retrying) == (0, 1) and plain.messages == []
        assert "STARTTLS" in _rows(app)[-1].last_error
    finally:
        controller.stop()


def test_smtps_speaks_tls_from_the_first_byte(app, people, tmp_path):
    cert, key = smtp_server.make_certificate(tmp_path)
    recorder = smtp_server.Recorder()
    controller = smtp_server.start(recorder, implicit_context=smtp_server.server_context(cert, key))
    try:
        app.config["MAIL_URL"] = f"smtps://127.0.0.1:{controller.port}?cafile={cert}"
        _graded(app, people["trainee"])
        assert _send(app).sent == 1 and len(recorder.messages) == 1
    finally:
        controller.stop()


def test_a_password_is_never_sent_without_tls():
    with pytest.raises(ConfigError):
        SmtpTransport("smtp://user:secret@127.0.0.1:25?tls=none", "a@b.example")
    transport = SmtpTransport("smtp://us%40er:p%3Ass@mail.example", "a@b.example")
    assert (transport.username, transport.password, transport.port, transport.starttls) == ("us@er", "p:ss", 587, True)
    assert SmtpTransport("smtps://mail.example", "a@b.example").port == 465


@pytest.mark.parametrize("env,problem", [
    ({"MAIL_URL": "http://mail.example"}, "smtp://"),
    ({"MAIL_URL": "smtp://"}, "smtp://"),
    ({"MAIL_URL": "smtp://host:port"}, "not a valid address"),
    ({"MAIL_FROM": "Eve <eve@example.com>\r\nBcc: x@example.com"}, "MAIL_FROM"),
    ({"MAIL_FROM": "no address"}, "MAIL_FROM"),
    ({"MAIL_URL": "smtp://user:pw@mail.example?tls=none"}, "without TLS"),
    ({"BASE_URL": "javascript:alert(1)"}, "BASE_URL"),
    ({"BASE_URL": "https://example.com/<x>"}, "BASE_URL"),
])
def test_bad_mail_settings_stop_the_app_with_a_reason(tmp_path, env, problem):
    with pytest.raises(ConfigError, match=problem):
        load_config(str(tmp_path), env)


def test_mail_settings_default_to_files_and_a_local_sender(tmp_path):
    config = load_config(str(tmp_path), {"PORT": "8000"})
    assert config["MAIL_URL"] == "" and config["MAIL_DIR"] == str(tmp_path / "mail")
    assert config["MAIL_FROM"] == "Onboarding <onboarding@localhost>"
    assert config["BASE_URL"] == "http://127.0.0.1:8000"


def test_send_mail_once_from_the_command_line(app, smtp, people, runner):
    _graded(app, people["trainee"])
    result = runner.invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 0 to retry, 0 failed." in result.output and len(smtp.messages) == 1
    assert "0 sent" in runner.invoke(args=["send-mail", "--once"]).output


def test_the_worker_runs_until_stopped(app, smtp, people):
    with app.app_context():
        stop = threading.Event()
        transport = sender.transport_for(app.config)
        thread = threading.Thread(target=lambda: _run_in(app, transport, stop))
        thread.start()
        _graded(app, people["trainee"])
        deadline = time.monotonic() + 10
        while not smtp.messages and time.monotonic() < deadline:
            time.sleep(0.05)
        stop.set()
        thread.join(10)
    assert len(smtp.messages) == 1 and not thread.is_alive()


def _run_in(app, transport, stop):
    with app.app_context():
        sender.run(transport, stop, poll=0.05, echo=lambda _m: None)


# ---------------------------------------------------------------- unsubscribing

def test_the_one_click_unsubscribe_switches_that_kind_off_without_signing_in(app, smtp, people, client):
    _graded(app, people["trainee"])
    _send(app)
    url = re.fullmatch(r"<(.+)>", smtp.messages[0][2]["List-Unsubscribe"]).group(1)
    path = url.removeprefix("https://onboarding.calder.example")
    page = client.get(path)
    assert page.status_code == 200 and "Stop e-mail about your graded quiz attempts to t***@example.com" in \
        page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MailPreference)) == 0  # GET changes nothing
    response = client.post(path, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")  # as a mail provider posts it
    assert response.status_code == 200 and "gets no more e-mail" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MailPreference, (people["trainee"], "attempt_graded")).choice == "off"
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mail_unsubscribed")).actor_id \
            == people["trainee"]
    before = len(_rows(app))
    _graded(app, people["trainee"], attempt=8)
    with app.app_context():
        notify([people["trainee"]], "extra_attempt", link="/quizzes/basics", quiz="Basics")
        db.session.commit()
    assert [r.kind for r in _rows(app)[before:]] == ["extra_attempt"]  # only that kind is off
    client.post(path, data={"resume": "1"})
    _graded(app, people["trainee"], attempt=9)
    assert _rows(app)[-1].kind == "attempt_graded"


@pytest.mark.parametrize("token", ["nonsense", "WzEsImF0dGVtcHRfZ3JhZGVkIl0.forged", "..", "a" * 300])
def test_a_forged_or_broken_unsubscribe_link_is_not_found(client, people, token):
    assert client.get(f"/mail/unsubscribe/{token}").status_code == 404
    assert client.post(f"/mail/unsubscribe/{token}").status_code == 404


def test_a_link_signed_for_an_unknown_kind_or_person_is_not_found(app, client, people):
    from onboarding.mail.tokens import unsubscribe_token

    with app.test_request_context():
        for uid, kind in ((people["trainee"], "no_such_kind"), (999999, "attempt_graded"), (2**40, "attempt_graded")):
            assert client.post(f"/mail/unsubscribe/{unsubscribe_token(uid, kind)}").status_code == 404


# ---------------------------------------------------------------- the demo

@pytest.fixture
def demo(tmp_path_factory, migrated_template):
    from .conftest import seeded_demo

    yield from seeded_demo(tmp_path_factory, migrated_template, "mail-demo")


def test_in_the_demo_a_mentor_grading_a_written_test_leaves_an_eml_file_to_open(demo, tmp_path):
    """`make run` without MAIL_URL: the mentor grades trainee4's written test, the worker writes the trainee's
    message under MAIL_DIR, and it parses back as the mail a client would show. The seed itself e-mails no one."""
    from onboarding.assessment.models import QuizAttempt

    demo.config.update(MAIL_URL="", MAIL_DIR=str(tmp_path / "mail"))
    assert _rows(demo) == []  # the demo's history is not mailed
    with demo.app_context():
        trainee = db.session.scalar(sa.select(User).where(User.email == "trainee4@example.com"))
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == trainee.id,
                                                                 QuizAttempt.state == "awaiting_grading"))
    client = demo.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "mentor@example.com", "password": "demo-pass-2024", "csrf_token": token})
    form = client.get(f"/attempts/{attempt.id}/grade").get_data(as_text=True)
    data = {"csrf_token": re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1),
            "action": "finish"}
    for index, qid in re.findall(r'name="answers-(\d+)-question_id"[^>]*value="([^"]+)"', form):
        data.update({f"answers-{index}-question_id": qid, f"answers-{index}-points": "1",
                     f"answers-{index}-comment": "Clear and right."})
    assert client.post(f"/attempts/{attempt.id}/grade", data=data).status_code == 302
    result = demo.test_cli_runner().invoke(args=["send-mail", "--once"])
    assert result.exit_code == 0 and str(tmp_path / "mail") in result.output, result.output
    files = sorted((tmp_path / "mail").glob("*.eml"))
    messages = [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in files]
    graded = [m for m in messages if m["To"].addresses[0].addr_spec == "trainee4@example.com"
              and "is graded" in str(m["Subject"])]  # (the demo's reminders go out with it)
    assert len(graded) == 1 and "is graded" in str(graded[0]["Subject"])
    assert f"/attempts/{attempt.id}" in graded[0].get_body(("plain",)).get_content()


def test_every_kind_of_notification_has_a_label_for_its_unsubscribe_page():
    """An unsubscribe link names a kind the page can say in words (an unknown kind's link is a 404)."""
    from pathlib import Path

    from onboarding.mail.kinds import LABELS

    source = (Path(__file__).resolve().parent.parent / "onboarding/notifications/services.py").read_text()
    worded = set(re.findall(r'^\s+"([a-z_]+)": lambda', source, flags=re.M))
    assert len(worded) > 20 and worded - set(LABELS) == set()
