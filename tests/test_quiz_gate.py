"""A quiz opens when its stage is open and its modules are read; submitting with blanks asks first.

The rule is pure (no app, no database); the pages, the start route and the service all follow it, also under
parallel requests; the confirmation works without scripts and loses nothing that was typed.
"""
import re
import threading
from dataclasses import replace
from datetime import date

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import GRADED, IN_PROGRESS, Answer, QuizAttempt
from onboarding.audit.models import AuditEvent
from onboarding.extensions import db
from onboarding.path.progress import (QuizGate, StageRequirements, TraineeFacts, compute_progress, quiz_gate,
                                           requirements_from)

from .conftest import AuthActions, read_modules_of
from .test_assessment import answer_all_right, start

# ---- the pure rule ----------------------------------------------------------------------------------------------


def test_no_module_read_lists_every_module_in_the_quizs_order():
    gate = quiz_gate(1, ("welcome", "policies", "team"), frozenset(), stage_locked=False)
    assert gate == QuizGate(unread=("welcome", "policies", "team"), locked_stage=None)
    assert not gate.open


def test_some_modules_read_lists_the_rest():
    gate = quiz_gate(1, ("welcome", "policies", "team"), frozenset({"policies", "elsewhere"}), stage_locked=False)
    assert gate.unread == ("welcome", "team") and gate.locked_stage is None and not gate.open


def test_every_module_read_opens_the_quiz():
    gate = quiz_gate(2, ("range", "prices"), frozenset({"range", "prices", "hello"}), stage_locked=False)
    assert gate.open and gate.unread == () and gate.locked_stage is None


def test_a_quiz_that_covers_no_module_opens_with_its_stage():
    assert quiz_gate(3, (), frozenset(), stage_locked=False).open
    assert quiz_gate(3, (), frozenset(), stage_locked=True) == QuizGate(unread=(), locked_stage=3)


def test_a_locked_stage_keeps_the_quiz_closed_even_with_every_module_read():
    gate = quiz_gate(3, ("mentor",), frozenset({"mentor"}), stage_locked=True)
    assert not gate.open and gate.locked_stage == 3 and gate.unread == ()


def test_a_locked_stage_and_unread_modules_give_both_reasons():
    gate = quiz_gate(3, ("mentor", "hello"), frozenset({"hello"}), stage_locked=True)
    assert gate == QuizGate(unread=("mentor",), locked_stage=3)


def test_a_module_named_twice_is_listed_once():
    assert quiz_gate(1, ("a", "b", "a"), frozenset(), stage_locked=False).unread == ("a", "b")


# ---- the next step on the home page (pure) ---------------------------------------------------------------------

START = date(2026, 1, 5)


def _stages(covers):
    one = StageRequirements(1, "One", 5, (("hello", ()), ("rules", ("hello",))), quizzes=("basics",),
                            quiz_modules=(("basics", covers),))
    two = StageRequirements(2, "Two", 10, (("range", ()),))
    return (one, two)


def test_the_next_step_is_the_quiz_once_it_is_open():
    p = compute_progress(_stages(("hello", "rules")), TraineeFacts(START, frozenset({"hello", "rules"})), START)
    assert p.next_quiz == "basics" and p.next_module is None


def test_the_next_step_never_points_at_a_closed_quiz_but_at_its_first_unread_module():
    # The quiz covers a module of another stage: it stays closed, and the next step is that module.
    p = compute_progress(_stages(("rules", "range")), TraineeFacts(START, frozenset({"hello", "rules"})), START)
    assert p.next_quiz is None and p.next_module == "range"


def test_while_the_stage_has_unread_modules_the_next_step_is_reading():
    p = compute_progress(_stages(("hello",)), TraineeFacts(START, frozenset({"hello"})), START)
    assert p.next_module == "rules" and p.next_quiz is None


def test_requirements_carry_what_each_quiz_covers(app):
    reqs = requirements_from(app.extensions["curriculum"])
    assert dict(reqs[0].quiz_modules)["basics"] == ("hello",)
    assert dict(reqs[2].quiz_modules)["written"] == ()


# ---- the pages, the start route and the service ----------------------------------------------------------------


@pytest.fixture
def sam(app, make_user):
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    return make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor)


def _attempts(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(QuizAttempt.id)))


def test_a_closed_quiz_page_lists_what_remains_instead_of_the_start_button(app, client, auth, sam):
    auth.login("sam@example.com")
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "This quiz opens when you have read the modules it covers." in page
    assert "Still to read: 1 module." in page
    assert re.search(r'<a href="/modules/hello"[^>]*>Hello</a>', page)
    assert "Start attempt" not in page and "/quizzes/basics/start" not in page
    # The home page's next step is reading, not the closed quiz.
    home = client.get("/").get_data(as_text=True)
    assert "/modules/hello" in home and "Take the quiz" not in home


def test_the_quiz_opens_once_its_modules_are_read(app, client, auth, sam):
    read_modules_of(app, sam, "basics")
    auth.login("sam@example.com")
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "Start attempt 1" in page and "Still to read" not in page
    assert start(client, auth, "basics")


def test_the_home_page_leads_to_the_quiz_once_the_stage_is_read(app, client, auth, sam):
    from onboarding.learning.models import ModuleCompletion

    read_modules_of(app, sam, "basics")
    with app.app_context():
        rules = app.extensions["curriculum"].modules["rules"]
        db.session.add(ModuleCompletion(user_id=sam, module_slug="rules", content_version=rules.version))
        db.session.commit()
    auth.login("sam@example.com")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/quizzes/basics">Take the quiz: Basics</a>' in home


def test_an_attempt_already_in_progress_can_be_continued(app, client, auth, sam):
    from onboarding.assessment.grading import plan_attempt

    with app.app_context():  # started before the quiz had to wait for its modules
        quiz = app.extensions["curriculum"].quizzes["basics"]
        started = QuizAttempt(user_id=sam, quiz_slug="basics", number=1, allowed=quiz.attempts,
                              state=IN_PROGRESS, plan=plan_attempt(quiz, 3))
        db.session.add(started)
        db.session.commit()
        started_id = started.id
    auth.login("sam@example.com")
    assert start(client, auth, "basics") == started_id
    assert _attempts(app) == 1


def test_modules_of_a_locked_stage_are_listed_without_a_link(app, client, auth, sam, monkeypatch):
    cur = app.extensions["curriculum"]
    monkeypatch.setitem(cur.quizzes, "basics", replace(cur.quizzes["basics"], modules=("hello", "mentor")))
    auth.login("sam@example.com")
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "Still to read: 2 modules." in page
    assert re.search(r'<a href="/modules/hello"[^>]*>Hello</a>', page)
    assert 'href="/modules/mentor"' not in page.split("Still to read")[1]
    assert re.search(r"<span[^>]*>Mentor</span> <span class=\"muted\">· stage 3, not open yet</span>", page)


def test_a_quiz_in_a_locked_stage_says_so(client, auth, sam):
    auth.login("sam@example.com")
    page = client.get("/quizzes/written").get_data(as_text=True)
    assert "This quiz opens with its stage." in page and "Start attempt" not in page


def test_starting_a_closed_quiz_is_refused_with_the_reason(app, client, auth, sam):
    auth.login("sam@example.com")
    response = client.post("/quizzes/basics/start", data={"csrf_token": auth.token("/quizzes/basics")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/quizzes/basics")
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "This quiz opens when you have read the modules it covers. Still to read: Hello." in page
    assert _attempts(app) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.action == "quiz_attempt_started")) == 0


def test_the_service_refuses_a_closed_quiz_on_its_own(app, sam):
    from onboarding.assessment.services import QuizClosed, start_attempt
    from onboarding.auth.models import User
    from onboarding.content import curriculum

    from onboarding.people.services import record_of
    from onboarding.path.service import trainee_progress

    with app.app_context():
        user = db.session.get(User, sam)
        path = trainee_progress(record_of(user))
        with pytest.raises(QuizClosed) as refused:
            start_attempt(user, curriculum().quizzes["basics"], path)
        assert refused.value.gate == QuizGate(unread=("hello",), locked_stage=None)
        assert "Still to read: Hello." in str(refused.value)
        with pytest.raises(QuizClosed) as locked:
            start_attempt(user, curriculum().quizzes["written"], path)
        assert locked.value.gate.locked_stage == 3
    assert _attempts(app) == 0


def test_twenty_parallel_starts_of_a_closed_quiz_are_all_refused(app, sam):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("sam@example.com")
    cookie = client.get_cookie("session").value
    token = auth.token("/quizzes/basics")
    statuses, locations, lock, barrier = [], [], threading.Lock(), threading.Barrier(20)

    def post():
        c = app.test_client()
        c.set_cookie("session", cookie)
        barrier.wait()
        response = c.post("/quizzes/basics/start", data={"csrf_token": token})
        with lock:
            statuses.append(response.status_code)
            locations.append(response.headers.get("Location", ""))

    threads = [threading.Thread(target=post) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [302] * 20
    assert all(loc.endswith("/quizzes/basics") for loc in locations), locations  # none to an attempt
    assert _attempts(app) == 0


# ---- submitting with unanswered questions ----------------------------------------------------------------------


@pytest.fixture
def attempt(app, client, auth, sam):
    """Sam signed in, with an attempt at the basics quiz open: (attempt id, its form token)."""
    read_modules_of(app, sam, "basics")
    auth.login("sam@example.com")
    attempt_id = start(client, auth, "basics")
    return attempt_id, auth.token(f"/attempts/{attempt_id}")


def _number_of(app, attempt_id, question_id):
    with app.app_context():
        return db.session.get(QuizAttempt, attempt_id).plan["questions"].index(question_id) + 1


def _state(app, attempt_id):
    with app.app_context():
        return db.session.get(QuizAttempt, attempt_id).state


def _saved(app, attempt_id):
    with app.app_context():
        return {a.question_id: a.response for a in db.session.scalars(
            sa.select(Answer).where(Answer.attempt_id == attempt_id))}


def _submissions(app):
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "quiz_submitted"))


def test_one_unanswered_question_asks_for_confirmation_and_keeps_what_was_typed(app, client, attempt):
    attempt_id, token = attempt
    data = {**answer_all_right(app, attempt_id), "q-vat": "  ", "csrf_token": token}
    response = client.post(f"/attempts/{attempt_id}/submit", data=data)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    number = _number_of(app, attempt_id, "vat")
    assert "Submit with unanswered questions?" in page and "1 question has no answer:" in page
    assert f'<a href="/attempts/{attempt_id}#question-vat">Question {number}</a>' in page
    assert page.count("#question-") == 1
    # A form that works without scripts: POST to submit, with the token and the confirmation.
    form = re.search(r'<form method="post" action="/attempts/%d/submit"[^>]*>(.*?)</form>' % attempt_id, page, re.S)
    assert form and 'name="csrf_token"' in form.group(1)
    assert '<input type="hidden" name="confirm_unanswered" value="1">' in form.group(1)
    assert "Submit anyway" in form.group(1)
    assert f'href="/attempts/{attempt_id}">Back to the quiz</a>' in page
    # Nothing submitted; what was typed is saved and shown when going back.
    assert _state(app, attempt_id) == IN_PROGRESS and _submissions(app) == 0
    saved = _saved(app, attempt_id)
    assert saved["capital"] and saved["pick-two"] and saved["quote"] and not saved["vat"].strip()
    back = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert 'id="quiz-form"' in back and "1 question was unanswered when you last saved." in back
    assert f'value="{data["q-quote"]}"' in back


def test_submit_anyway_submits_what_was_saved(app, client, attempt):
    attempt_id, token = attempt
    data = {**answer_all_right(app, attempt_id), "q-vat": "", "csrf_token": token}
    assert client.post(f"/attempts/{attempt_id}/submit", data=data).status_code == 200
    response = client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token, "confirm_unanswered": "1"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/attempts/{attempt_id}")
    assert _state(app, attempt_id) == GRADED and _submissions(app) == 1
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.score == 4 and attempt.max_score == 5  # the typed answers counted; the blank one scored 0


def test_every_question_answered_submits_at_once(app, client, attempt):
    attempt_id, token = attempt
    response = client.post(f"/attempts/{attempt_id}/submit", data={**answer_all_right(app, attempt_id),
                                                                    "csrf_token": token})
    assert response.status_code == 302 and _state(app, attempt_id) == GRADED and _submissions(app) == 1


def test_saved_answers_count_with_the_submitted_ones(app, client, attempt):
    attempt_id, token = attempt
    answers = answer_all_right(app, attempt_id)
    client.post(f"/attempts/{attempt_id}/save", data={"q-vat": answers["q-vat"], "csrf_token": token})
    rest = {k: v for k, v in answers.items() if k != "q-vat"}
    response = client.post(f"/attempts/{attempt_id}/submit", data={**rest, "csrf_token": token})
    assert response.status_code == 302 and _state(app, attempt_id) == GRADED
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).score == 5


def test_a_submitted_blank_replaces_a_saved_answer_and_is_counted(app, client, attempt):
    attempt_id, token = attempt
    answers = answer_all_right(app, attempt_id)
    client.post(f"/attempts/{attempt_id}/save", data={**answers, "csrf_token": token})
    response = client.post(f"/attempts/{attempt_id}/submit", data={**answers, "q-vat": "", "csrf_token": token})
    assert response.status_code == 200 and "1 question has no answer:" in response.get_data(as_text=True)
    assert _state(app, attempt_id) == IN_PROGRESS and _saved(app, attempt_id)["vat"] == ""


def test_the_confirmation_of_an_attempt_already_submitted_changes_nothing(app, client, attempt):
    attempt_id, token = attempt
    answers = answer_all_right(app, attempt_id)
    client.post(f"/attempts/{attempt_id}/submit", data={**answers, "csrf_token": token})
    late = client.post(f"/attempts/{attempt_id}/submit", data={"q-vat": "", "csrf_token": token})
    assert late.status_code == 302 and _submissions(app) == 1
    assert _saved(app, attempt_id)["vat"] == answers["q-vat"]


def test_the_unanswered_count_is_current(app, client, attempt):
    attempt_id, token = attempt
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert '<span id="unanswered-count">4 questions were unanswered when you last saved.</span>' in page
    answers = answer_all_right(app, attempt_id)
    saved = client.post(f"/attempts/{attempt_id}/save", data={"q-vat": answers["q-vat"], "q-quote": " ",
                                                              "csrf_token": token},
                        headers={"X-Requested-With": "fetch"}).get_json()
    assert saved["unanswered"] == 3 and saved["unanswered_text"] == "3 questions were unanswered when you last saved."
    assert "3 questions were unanswered" in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    saved = client.post(f"/attempts/{attempt_id}/save", data={**answers, "csrf_token": token},
                        headers={"X-Requested-With": "fetch"}).get_json()
    assert saved["unanswered"] == 0 and saved["unanswered_text"] == ""
    assert '<span id="unanswered-count"></span>' in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)


def test_written_answers_left_blank_ask_too(app, client, auth, sam):
    from .conftest import complete_stages_before

    complete_stages_before(app, sam, 3)
    auth.login("sam@example.com")
    attempt_id = start(client, auth, "written")
    token = auth.token(f"/attempts/{attempt_id}")
    response = client.post(f"/attempts/{attempt_id}/submit",
                           data={**answer_all_right(app, attempt_id), "q-stock": "\n  ", "csrf_token": token})
    assert response.status_code == 200 and "#question-stock" in response.get_data(as_text=True)
    client.post(f"/attempts/{attempt_id}/submit", data={"csrf_token": token, "confirm_unanswered": "1"})
    assert _state(app, attempt_id) == GRADED  # the empty written answer had nothing to review: not AWAITING
