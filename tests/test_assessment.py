"""Taking quizzes, honest attempts, the answer key, the grading inbox, extra attempts."""
import re
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from onboarding.assessment.models import GRADED, Answer, QuizAttempt
from onboarding.audit.models import AuditEvent
from onboarding.content import curriculum
from onboarding.extensions import db
from onboarding.notifications.models import Notification

from .conftest import AuthActions, complete_stages_before, read_modules_of, statements_during


def _attempt_id(response):
    return int(re.search(r"/attempts/(\d+)", response.headers["Location"]).group(1))


def start(client, auth, slug):
    response = client.post(f"/quizzes/{slug}/start", data={"csrf_token": auth.token(f"/quizzes/{slug}")})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return _attempt_id(response)


def key_answers(app, attempt_id, right=True):
    """Form data answering every question of an attempt, all right or all wrong."""
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        quiz = curriculum().quizzes[attempt.quiz_slug]
        from onboarding.assessment.grading import asked, option_pairs

        data = {}
        for q in asked(quiz, attempt.plan):  # a pooled quiz asks its draw only
            name = f"q-{q.id}"
            shown = {real: alias for alias, real in option_pairs(attempt.plan, q)}
            if q.type == "single":
                data[name] = shown[next(o.id for o in q.options if o.correct == right)]
            elif q.type == "multiple":
                data[name] = [shown[o.id] for o in q.options if o.correct == right]
                data[f"{name}-present"] = "1"
            elif q.type == "numeric":
                from onboarding.assessment.grading import expected_number

                value = expected_number(q, attempt.plan["draws"].get(q.id), curriculum().price_list)
                data[name] = str(value if right else value + 1000)
            else:
                data[name] = "A careful written answer." if right else ""
        return data


def answer_all_right(app, attempt_id):
    return key_answers(app, attempt_id, right=True)


def answer_all_wrong(app, attempt_id):
    return key_answers(app, attempt_id, right=False)


def take(client, auth, slug, answers):
    attempt_id = start(client, auth, slug)
    data = answers(client.application, attempt_id)
    data["csrf_token"] = auth.token(f"/attempts/{attempt_id}")
    response = client.post(f"/attempts/{attempt_id}/submit", data=data)
    assert response.status_code == 302
    return attempt_id


@pytest.fixture
def trainee(app, make_user):
    """Sam, who has read what the stage-1 quiz covers, so it is open to him (tests/test_quiz_gate.py: until then)."""
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    uid = make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor)
    read_modules_of(app, uid, "basics")
    return {"trainee": uid, "mentor": mentor}


def test_fail_then_pass_with_attempts_left(app, client, auth, trainee):
    auth.login("sam@example.com")
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "Start attempt 1" in page and "Pass mark" in page
    first = take(client, auth, "basics", answer_all_wrong)
    result = client.get(f"/attempts/{first}").get_data(as_text=True)
    assert "Not passed" in result and "You have 1 attempt left." in result
    assert "Correct answer</span>" not in result  # reveal: after_pass
    second = take(client, auth, "basics", answer_all_right)
    result = client.get(f"/attempts/{second}").get_data(as_text=True)
    assert "Passed" in result and "100%" in result
    assert "Correct answer</span>" in result  # now revealed
    with app.app_context():
        attempts = db.session.scalars(sa.select(QuizAttempt).order_by(QuizAttempt.number)).all()
        assert [(a.number, a.passed, a.state) for a in attempts] == [(1, False, GRADED), (2, True, GRADED)]
    assert "Quizzes passed: 1 of 1" in client.get("/").get_data(as_text=True)


def test_answers_are_saved_and_the_attempt_resumes(app, client, auth, trainee):
    auth.login("sam@example.com")
    attempt_id = start(client, auth, "basics")
    token = auth.token(f"/attempts/{attempt_id}")
    response = client.post(f"/attempts/{attempt_id}/save", data={"q-vat": "19.5", "csrf_token": token},
                           headers={"X-Requested-With": "fetch"})
    assert response.status_code == 200 and response.get_json() == {
        "saved": True, "state": "in_progress", "unanswered": 3,
        "unanswered_text": "3 questions were unanswered when you last saved."}
    assert start(client, auth, "basics") == attempt_id  # a second tab resumes the same attempt
    assert 'value="19.5"' in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    with app.app_context():
        from onboarding.assessment.grading import option_pairs

        plan = db.session.get(QuizAttempt, attempt_id).plan
        wrong = {real: alias for alias, real in option_pairs(plan, curriculum().quizzes["basics"].question("capital"))}
    client.post(f"/attempts/{attempt_id}/save", data={"q-capital": wrong["o2"], "csrf_token": token})
    client.post(f"/attempts/{attempt_id}/save", data={"q-pick-two": "o1", "q-pick-two-present": "1",
                                                      "csrf_token": token})  # a file id is not an answer
    with app.app_context():
        saved = {a.question_id: a.response for a in db.session.scalars(sa.select(Answer))}
        assert saved == {"vat": "19.5", "capital": "o2", "pick-two": ""}


def test_an_autosave_answers_in_a_fixed_number_of_statements(app, client, auth, trainee):
    """The autosave runs every few seconds while a trainee types: it reads the user, the attempt and its answers,
    writes, and words its answer before the commit (reading after it would load the attempt again)."""
    auth.login("sam@example.com")
    attempt_id = start(client, auth, "basics")
    token = auth.token(f"/attempts/{attempt_id}")

    def save(vat):
        return client.post(f"/attempts/{attempt_id}/save", data={"q-vat": vat, "csrf_token": token},
                           headers={"X-Requested-With": "fetch"})

    save("19")
    response, statements = statements_during(app, lambda: save("19.5"))
    assert response.get_json()["saved"] is True and response.get_json()["unanswered"] == 3
    # the user, the attempt, the guarded UPDATE, the answers (the count is taken from them), the changed one's UPDATE
    assert statements == 5
    response, statements = statements_during(app, lambda: save("19.5"))  # nothing changed: no answer written
    assert response.get_json()["unanswered"] == 3 and statements == 4


def test_a_double_submit_records_one_submission(app, client, auth, trainee):
    auth.login("sam@example.com")
    attempt_id = start(client, auth, "basics")
    data = answer_all_right(app, attempt_id)
    data["csrf_token"] = auth.token(f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/submit", data=data)
    data["q-capital"] = "anything-else"
    client.post(f"/attempts/{attempt_id}/submit", data=data)
    late = client.post(f"/attempts/{attempt_id}/save", data={"q-vat": "1", "csrf_token": data["csrf_token"]},
                       headers={"X-Requested-With": "fetch"})
    assert late.status_code == 409
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "quiz_submitted")) == 1
        answer = db.session.scalar(sa.select(Answer).where(Answer.question_id == "capital"))
        assert answer.response == "o1" and answer.auto_score == 1


def test_parallel_submissions_record_one(app, trainee):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("sam@example.com")
    attempt_id = start(client, auth, "basics")
    data = answer_all_right(app, attempt_id)
    data["csrf_token"] = auth.token(f"/attempts/{attempt_id}")
    cookie = client.get_cookie("session").value
    statuses, barrier = [], threading.Barrier(10)

    def post():
        c = app.test_client()
        c.set_cookie("session", cookie)
        barrier.wait()
        statuses.append(c.post(f"/attempts/{attempt_id}/submit", data=data).status_code)

    threads = [threading.Thread(target=post) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * 10
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "quiz_submitted")) == 1
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 4


def test_parallel_starts_never_exceed_the_attempts_allowed(app, trainee):
    client = app.test_client()
    AuthActions(client).login("sam@example.com")
    cookie = client.get_cookie("session").value
    token = AuthActions(client).token("/quizzes/basics")
    barrier = threading.Barrier(8)

    def post():
        c = app.test_client()
        c.set_cookie("session", cookie)
        barrier.wait()
        c.post("/quizzes/basics/start", data={"csrf_token": token})

    threads = [threading.Thread(target=post) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(QuizAttempt.id))) == 1


def test_the_database_refuses_attempts_beyond_the_limit(app, trainee):
    with app.app_context():
        def add(number, allowed=2, state="graded"):
            db.session.add(QuizAttempt(user_id=trainee["trainee"], quiz_slug="basics", number=number,
                                       allowed=allowed, state=state, plan={}))
            db.session.commit()

        add(1)
        add(2)
        for number, state in [(3, "graded"), (2, "graded")]:
            with pytest.raises(IntegrityError):
                add(number, state=state)
            db.session.rollback()
        db.session.execute(sa.delete(QuizAttempt))
        add(1, state="in_progress")
        with pytest.raises(IntegrityError):  # a second open attempt
            add(2, state="in_progress")
        db.session.rollback()


def test_written_answers_await_review_then_the_mentor_grades(app, client, auth, trainee):
    with app.app_context():  # stage 3 must be open: let the trainee through stages 1 and 2 quickly
        _open_stage_three(app, trainee["trainee"])
    auth.login("sam@example.com")
    attempt_id = take(client, auth, "written", lambda a, i: {**answer_all_right(a, i),
                                                             "q-stock": "The DL-70 from stock."})
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Awaiting review" in result and "1 of 1 points" in result
    assert "0 of 4" not in result and "Not passed" not in result
    auth.logout()

    with app.app_context():
        note = db.session.scalar(sa.select(Notification).where(Notification.user_id == trainee["mentor"],
                                                               Notification.kind == "answers_waiting"))
        assert note.kind == "answers_waiting" and note.link == f"/attempts/{attempt_id}/grade"
    auth.login("mentor@example.com")
    inbox = client.get("/grading").get_data(as_text=True)
    assert "Sam Trainee" in inbox and "Written test" in inbox
    page = client.get(f"/attempts/{attempt_id}/grade").get_data(as_text=True)
    assert "SECRET-RUBRIC" in page and "SECRET-MODEL-ANSWER" in page
    token = auth.token(f"/attempts/{attempt_id}/grade")
    bad = client.post(f"/attempts/{attempt_id}/grade", data={"answers-0-question_id": "stock", "answers-0-points": "9",
                                                            "answers-0-comment": "Kept text", "csrf_token": token})
    assert bad.status_code == 400 and "Give between 0 and 4 points." in bad.get_data(as_text=True)
    assert "Kept text" in bad.get_data(as_text=True)
    ok = client.post(f"/attempts/{attempt_id}/grade", data={"answers-0-question_id": "stock", "answers-0-points": "3",
                                                           "answers-0-comment": "Good; add lead times.",
                                                           "csrf_token": token})
    assert ok.status_code == 302
    assert "Nothing waits for grading" in client.get("/grading").get_data(as_text=True)
    auth.logout()

    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.state == GRADED and attempt.score == 4 and attempt.passed
        note = db.session.scalar(sa.select(Notification).where(Notification.user_id == trainee["trainee"],
                                                               Notification.kind != "mentor_named"))
        assert note.kind == "attempt_graded"
    auth.login("sam@example.com")
    result = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Good; add lead times." in result and "80%" in result
    assert "SECRET-RUBRIC" not in result and "SECRET-MODEL-ANSWER" not in result  # reveal: never
    assert "Notifications <span class=\"count\"" in client.get("/").get_data(as_text=True)


def _open_stage_three(app, uid):
    complete_stages_before(app, uid, 3)


def test_only_the_trainees_own_mentor_head_or_admin_grade(app, client, auth, trainee, make_user):
    make_user("mentor", email="other@example.com")
    make_user("head", email="head@example.com")
    with app.app_context():
        _open_stage_three(app, trainee["trainee"])
    auth.login("sam@example.com")
    attempt_id = take(client, auth, "written", lambda a, i: {**answer_all_right(a, i), "q-stock": "Answer"})
    assert client.get(f"/attempts/{attempt_id}/grade").status_code == 403  # a trainee cannot grade
    auth.logout()
    auth.login("other@example.com")
    assert client.get(f"/attempts/{attempt_id}/grade").status_code == 403
    assert client.get(f"/attempts/{attempt_id}").status_code == 403
    assert "Sam Trainee" not in client.get("/grading").get_data(as_text=True)
    auth.logout()
    auth.login("head@example.com")
    assert "Sam Trainee" in client.get("/grading").get_data(as_text=True)
    assert client.get(f"/attempts/{attempt_id}/grade").status_code == 200


def test_blocked_trainee_and_the_extra_attempt(app, client, auth, trainee, make_user):
    make_user("head", email="head@example.com")
    auth.login("sam@example.com")
    take(client, auth, "basics", answer_all_wrong)
    take(client, auth, "basics", answer_all_wrong)
    refused = client.post("/quizzes/basics/start", data={"csrf_token": auth.token("/quizzes/basics")},
                          follow_redirects=True)
    assert "You have used every attempt" in refused.get_data(as_text=True)
    auth.logout()

    auth.login("mentor@example.com")
    page = client.get(f"/trainees/{trainee['trainee']}").get_data(as_text=True)
    assert "Blocked: every attempt used" in page and "Grant one more attempt" not in page
    assert "Blocked on a quiz" in client.get("/").get_data(as_text=True)
    token = auth.token("/")
    assert client.post(f"/quizzes/basics/extra/{trainee['trainee']}",
                       data={"reason": "Because I say so", "csrf_token": token}).status_code == 403
    auth.logout()

    auth.login("head@example.com")
    token = auth.token(f"/trainees/{trainee['trainee']}")
    empty = client.post(f"/quizzes/basics/extra/{trainee['trainee']}", data={"reason": " ", "csrf_token": token},
                        follow_redirects=True)
    assert "Write the reason." in empty.get_data(as_text=True)
    client.post(f"/quizzes/basics/extra/{trainee['trainee']}",
                data={"reason": "Ill on the day of the second attempt.", "csrf_token": token})
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "extra_attempt_granted"))
        assert event.details["reason"] == "Ill on the day of the second attempt."
    auth.logout()

    auth.login("sam@example.com")
    third = take(client, auth, "basics", answer_all_right)
    with app.app_context():
        assert db.session.get(QuizAttempt, third).number == 3 and db.session.get(QuizAttempt, third).passed


def test_a_locked_stage_quiz_cannot_be_started(client, auth, trainee):
    auth.login("sam@example.com")
    response = client.post("/quizzes/written/start", data={"csrf_token": auth.token("/quizzes/written")})
    assert response.status_code == 403


def test_other_trainees_attempts_are_out_of_reach(app, client, auth, trainee, make_user):
    make_user("trainee", email="eve@example.com")
    auth.login("sam@example.com")
    attempt_id = start(client, auth, "basics")
    auth.logout()
    auth.login("eve@example.com")
    token = auth.token("/")
    assert client.get(f"/attempts/{attempt_id}").status_code == 403
    assert client.post(f"/attempts/{attempt_id}/save", data={"q-vat": "1", "csrf_token": token}).status_code == 403
    assert client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Answer.id))) == 0


@pytest.mark.parametrize("button", ["save", "submit"])
def test_an_answer_over_the_limit_is_refused_whole_with_every_answer_kept(app, client, auth, trainee, button):
    """A client that ignores the input's maxlength sends a longer answer: nothing is cut short or stored, the page
    comes back (400) with the error beside the question, in the summary, and every other answer as typed."""
    from onboarding.assessment.services import RESPONSE_MAX_LENGTH

    auth.login("sam@example.com")
    attempt_id = start(client, auth, "basics")
    token = auth.token(f"/attempts/{attempt_id}")
    client.post(f"/attempts/{attempt_id}/save", data={"q-vat": "19", "csrf_token": token})
    with app.app_context():
        from onboarding.assessment.grading import option_pairs

        plan = db.session.get(QuizAttempt, attempt_id).plan
        alias = {real: alias for alias, real in option_pairs(plan, curriculum().quizzes["basics"].question("capital"))}
    too_long = "7" * (RESPONSE_MAX_LENGTH + 1)
    response = client.post(f"/attempts/{attempt_id}/{button}",
                           data={"q-vat": too_long, "q-capital": alias["o2"], "csrf_token": token})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'class="error-summary"' in html and 'href="#q-vat"' in html
    assert f"at most {RESPONSE_MAX_LENGTH} characters long; this one has {RESPONSE_MAX_LENGTH + 1}" in html
    assert re.search(r'<input[^>]*name="q-vat"[^>]*aria-invalid="true"', html)
    assert f'value="{too_long}"' in html
    assert re.search(rf'value="{alias["o2"]}" checked', html), "the chosen option is still chosen"
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        saved = {a.question_id: a.response for a in db.session.scalars(sa.select(Answer))}
        assert attempt.state == "in_progress" and saved == {"vat": "19"}, "nothing of the refused form is stored"
    # Exactly at the limit is kept whole.
    at_limit = "7" * RESPONSE_MAX_LENGTH
    assert client.post(f"/attempts/{attempt_id}/save", data={"q-vat": at_limit, "csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Answer.response).where(Answer.question_id == "vat")) == at_limit


def test_the_autosave_refuses_an_answer_over_the_limit_with_a_reason(app, client, auth, trainee):
    from onboarding.assessment.services import RESPONSE_MAX_LENGTH

    auth.login("sam@example.com")
    attempt_id = start(client, auth, "basics")
    token = auth.token(f"/attempts/{attempt_id}")
    response = client.post(f"/attempts/{attempt_id}/save", headers={"X-Requested-With": "fetch"},
                           data={"q-vat": "1" * (RESPONSE_MAX_LENGTH + 1), "csrf_token": token})
    assert response.status_code == 400
    assert response.get_json()["saved"] is False and str(RESPONSE_MAX_LENGTH) in response.get_json()["error"]
