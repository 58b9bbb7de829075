"""Grading drafts: a grader keeps a partly graded attempt and finishes later (or another grader does); the trainee,
the API and readiness see nothing of it; finishing reports every missing or out-of-range point in one pass."""
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from onboarding import create_app
from onboarding.api.tokens import create_token
from onboarding.assessment.models import AWAITING, GRADED, Answer, QuizAttempt
from onboarding.audit.models import AuditEvent
from onboarding.auth.models import User
from onboarding.extensions import db
from onboarding.readiness.timeline import describe

from .conftest import as_user, complete_stages_before
from .test_assessment import answer_all_right, take

HERE = Path(__file__).resolve().parent

# The written test with three written answers (the shipped test content has one): enough to grade in two sittings.
WRITTEN = """slug: written
stage: 3
title: Written test
introduction: Free text graded by the mentor.
pass_mark: 50
attempts: 2
shuffle: false
reveal: never
questions:
  - id: stock
    type: text
    points: 4
    prompt: What do you offer when the DL-30 is out of stock?
    rubric:
      - {points: 4, criterion: offers the DL-70 from stock}
    model_answer: The DL-70 now.
  - id: objection
    type: text
    points: 3
    prompt: The client says the price is too high. What do you answer?
    rubric:
      - {points: 3, criterion: value before discount}
    model_answer: Cost of ownership.
  - id: follow
    type: text
    points: 2
    prompt: How do you follow up a first meeting?
    rubric:
      - {points: 2, criterion: a dated next step}
    model_answer: A written summary and a date.
  - id: pick
    type: single
    points: 1
    prompt: Pick the first.
    options:
      - {text: First, correct: true}
      - {text: Second}
before_role_play: true
"""


@pytest.fixture
def app(database_url, content_dir, tmp_path):
    quizzes = tmp_path / "quizzes"
    shutil.copytree(HERE / "quizzes", quizzes)
    (quizzes / "written.yaml").write_text(WRITTEN, encoding="utf-8")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "CONTENT_DIR": str(content_dir),
                      "QUIZZES_DIR": str(quizzes), "SECRET_KEY": "test-secret-key-that-is-long-enough-000"})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def submitted(app, make_user):
    """Sam's written test, submitted and waiting for Marco, his mentor; a head of sales grades too."""
    mentor = make_user("mentor", email="mentor@example.com", name="Marco Mentor")
    head = make_user("head", email="head@example.com", name="Hana Head")
    uid = make_user("trainee", email="sam@example.com", name="Sam Trainee", mentor=mentor)
    complete_stages_before(app, uid, 3)
    client, auth = as_user(app, "sam@example.com")
    attempt_id = take(client, auth, "written", answer_all_right)
    with app.app_context():
        order = db.session.get(QuizAttempt, attempt_id).plan["questions"]
    entries = [q for q in order if q != "pick"]  # the form's answers, in the attempt's order
    return {"attempt": attempt_id, "trainee": uid, "mentor": mentor, "head": head, "order": entries}


def grade_form(submitted, values: dict, action: str, token: str) -> dict:
    """The grading form as a browser posts it: {question id: (points, comment)}, in the page's order."""
    data = {"csrf_token": token, "action": action}
    for i, qid in enumerate(submitted["order"]):
        points, comment = values.get(qid, ("", ""))
        data.update({f"answers-{i}-question_id": qid, f"answers-{i}-points": points, f"answers-{i}-comment": comment})
    return data


def post_grades(client, auth, submitted, values, action):
    path = f"/attempts/{submitted['attempt']}/grade"
    return client.post(path, data=grade_form(submitted, values, action, auth.token(path)))


def _api_view(app, client, uid):
    with app.app_context():
        token = create_token(db.session.scalar(sa.select(User).where(User.email == "head@example.com")), "drafts")
        db.session.commit()
    return client.get(f"/api/v1/trainees/{uid}", headers={"Authorization": f"Bearer {token}"}).get_json()


def test_a_draft_is_kept_invisible_and_another_grader_finishes_it(app, submitted):
    api_before = _api_view(app, app.test_client(), submitted["trainee"])
    mentor, mentor_auth = as_user(app, "mentor@example.com")
    page = mentor.get(f"/attempts/{submitted['attempt']}/grade").get_data(as_text=True)
    assert "Save draft" in page and "Finish grading" in page

    saved = post_grades(mentor, mentor_auth, submitted, {"stock": ("3", "DRAFT-COMMENT offers the DL-70"),
                                                         "objection": ("", "DRAFT-NOTE still to weigh")}, "draft")
    assert saved.status_code == 302
    with app.app_context():
        attempt = db.session.get(QuizAttempt, submitted["attempt"])
        answers = {a.question_id: a for a in attempt.answers}
        assert attempt.state == AWAITING and attempt.draft_by == submitted["mentor"] and attempt.draft_saved_at
        assert answers["stock"].draft_points == 3 and answers["stock"].mentor_score is None
        assert answers["stock"].comment is None and answers["objection"].draft_comment == "DRAFT-NOTE still to weigh"
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "grading_draft_saved"))
        assert event.trainee_id == submitted["trainee"] and event.actor_id == submitted["mentor"]
        assert event.details["graded"] == 1 and event.details["total"] == 3
        assert "Grading draft saved" in describe(event) and "1 of 3" in describe(event)

    # the trainee sees the attempt awaiting review, with nothing of the draft
    trainee, _ = as_user(app, "sam@example.com")
    result = trainee.get(f"/attempts/{submitted['attempt']}").get_data(as_text=True)
    assert "Awaiting review" in result
    assert "DRAFT-COMMENT" not in result and "DRAFT-NOTE" not in result and "3 of 4 points" not in result
    # the API and readiness see no grade: the trainee's answer is the same as before the draft
    assert _api_view(app, app.test_client(), submitted["trainee"]) == api_before
    with app.app_context():
        from onboarding.people.models import TraineeRecord
        from onboarding.readiness.report import trainee_report

        record = db.session.scalar(sa.select(TraineeRecord).where(TraineeRecord.user_id == submitted["trainee"]))
        status = trainee_report(record)["quiz_status"]["written"]
        assert status.awaiting and not status.passed and status.best_percent is None

    # the head of sales resumes Marco's draft: what he typed, who saved it and when
    head, head_auth = as_user(app, "head@example.com")
    page = head.get(f"/attempts/{submitted['attempt']}/grade").get_data(as_text=True)
    assert "Draft saved by Marco Mentor on" in page
    stock = submitted["order"].index("stock")
    assert re.search(rf'name="answers-{stock}-points"[^>]*value="3(\.0)?"', page)
    assert "DRAFT-COMMENT offers the DL-70" in page and "DRAFT-NOTE still to weigh" in page

    done = post_grades(head, head_auth, submitted, {"stock": ("3", "Good"), "objection": ("2", "Fair"),
                                                    "follow": ("2", "")}, "finish")
    assert done.status_code == 302
    with app.app_context():
        attempt = db.session.get(QuizAttempt, submitted["attempt"])
        assert attempt.state == GRADED and attempt.score == 8 and attempt.draft_by is None
        assert attempt.draft_saved_at is None
        assert all(a.draft_points is None and a.draft_comment is None for a in attempt.answers)
    assert "Good" in trainee.get(f"/attempts/{submitted['attempt']}").get_data(as_text=True)


def test_finish_reports_every_problem_at_once_and_keeps_what_was_typed(app, submitted):
    mentor, auth = as_user(app, "mentor@example.com")
    typed = {"stock": ("9", "TYPED-ONE"), "objection": ("", "TYPED-TWO"), "follow": ("lots", "TYPED-THREE")}
    response = post_grades(mentor, auth, submitted, typed, "finish")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert "There are 3 problems to fix" in summary
    index = {qid: i for i, qid in enumerate(submitted["order"])}
    for qid in typed:  # each linked to its field from the summary
        assert f'href="#answers-{index[qid]}-points"' in summary
    assert "Give between 0 and 4 points." in summary and "Give the points, 0 or more." in summary
    assert "Not a valid decimal value." in summary
    for points, comment in typed.values():  # every typed value is still there
        assert comment in page
        if points and points != "lots":
            assert re.search(rf'value="{points}"', page)
    assert 'value="lots"' not in page  # a number input cannot hold letters: it comes back empty, marked
    with app.app_context():  # and nothing was kept: not a grade, not a draft
        answers = db.session.scalars(sa.select(Answer).where(Answer.attempt_id == submitted["attempt"])).all()
        assert all(a.mentor_score is None and a.draft_points is None for a in answers)
        assert db.session.get(QuizAttempt, submitted["attempt"]).state == AWAITING


def test_a_draft_takes_blanks_but_not_points_out_of_range(app, submitted):
    mentor, auth = as_user(app, "mentor@example.com")
    refused = post_grades(mentor, auth, submitted, {"stock": ("5", "kept"), "follow": ("-1", "")}, "draft")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "There are 2 problems to fix" in page and "kept" in page
    assert "Give the points, 0 or more." not in page  # blanks are fine in a draft
    with app.app_context():
        assert db.session.get(QuizAttempt, submitted["attempt"]).draft_saved_at is None
    assert post_grades(mentor, auth, submitted, {"follow": ("1.5", "")}, "draft").status_code == 302
    with app.app_context():
        answers = {a.question_id: a for a in db.session.get(QuizAttempt, submitted["attempt"]).answers}
        assert answers["follow"].draft_points == 1.5 and answers["stock"].draft_points is None


def test_finishing_from_the_inbox_returns_to_it_and_a_foreign_next_is_ignored(app, submitted):
    mentor, auth = as_user(app, "mentor@example.com")
    path = f"/attempts/{submitted['attempt']}/grade?next=/inbox"
    page = mentor.get(path).get_data(as_text=True)
    assert '<input type="hidden" name="next" value="/inbox">' in page
    data = grade_form(submitted, {"stock": ("1", "")}, "draft", auth.token(path))
    assert mentor.post(path, data={**data, "next": "/inbox"}).headers["Location"].endswith("/inbox")
    data = grade_form(submitted, {"stock": ("1", "")}, "draft", auth.token(path))
    for foreign in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        location = mentor.post(f"/attempts/{submitted['attempt']}/grade", data={**data, "next": foreign}).headers["Location"]
        assert location.endswith(f"/attempts/{submitted['attempt']}/grade"), foreign


def test_the_grading_list_marks_a_draft_and_offers_to_resume_it(app, submitted):
    mentor, auth = as_user(app, "mentor@example.com")
    before = mentor.get("/grading").get_data(as_text=True)
    assert "Resume grading" not in before and "saved by" not in before
    post_grades(mentor, auth, submitted, {"stock": ("3", "")}, "draft")
    after = mentor.get("/grading").get_data(as_text=True)
    assert "Resume grading" in after and "Draft</span> saved by Marco Mentor on" in after


def _loaded_form(client, path):
    """The grading page's own form as a browser would send it: the hidden fields it was loaded with."""
    page = client.get(path).get_data(as_text=True)
    return {name: value for name, value in re.findall(r'<input[^>]*name="(loaded|csrf_token)"[^>]*value="([^"]*)"', page)}


@pytest.mark.parametrize("action", ["draft", "finish"])
def test_a_draft_saved_by_another_grader_since_the_page_opened_is_not_overwritten(app, submitted, action):
    """Two graders open the same attempt; the head saves a draft first. The mentor's save is refused with the
    reason, what the mentor typed comes back, and sending it again (having compared) goes through."""
    path = f"/attempts/{submitted['attempt']}/grade"
    mentor, mentor_auth = as_user(app, "mentor@example.com")
    head, head_auth = as_user(app, "head@example.com")
    mentor_page = _loaded_form(mentor, path)
    assert mentor_page["loaded"] == ""  # no draft yet
    assert post_grades(head, head_auth, submitted, {"stock": ("1", "HEAD-DRAFT")}, "draft").status_code == 302

    typed = {"stock": ("4", "MENTOR-TYPED"), "objection": ("2", "M2"), "follow": ("1", "M3")}
    data = grade_form(submitted, typed, action, mentor_page["csrf_token"]) | {"loaded": mentor_page["loaded"]}
    refused = mentor.post(path, data=data)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Another grader saved a draft of this attempt after you opened it" in html
    assert "MENTOR-TYPED" in html and "Draft saved by Hana Head" in html
    with app.app_context():
        answers = {a.question_id: a for a in db.session.scalars(
            sa.select(Answer).where(Answer.attempt_id == submitted["attempt"]))}
        assert answers["stock"].draft_comment == "HEAD-DRAFT" and answers["stock"].mentor_score is None
    # The answer carries the newer draft's stamp: sending again, having compared, saves.
    again = _loaded_form_from(html)
    assert again["loaded"] != ""
    assert mentor.post(path, data=data | {"loaded": again["loaded"]}).status_code == 302
    with app.app_context():
        stock = db.session.scalar(sa.select(Answer).where(Answer.attempt_id == submitted["attempt"],
                                                          Answer.question_id == "stock"))
        assert (stock.draft_comment == "MENTOR-TYPED") if action == "draft" else (stock.mentor_score == 4)


def _loaded_form_from(html):
    return {name: value for name, value in re.findall(r'<input[^>]*name="(loaded|csrf_token)"[^>]*value="([^"]*)"', html)}


def test_the_services_refuse_a_stale_draft_stamp_and_accept_the_current_one(app, submitted):
    from onboarding.assessment.services import DraftChanged, draft_stamp, save_draft

    with app.app_context():
        attempt = db.session.get(QuizAttempt, submitted["attempt"])
        mentor = db.session.get(User, submitted["mentor"])
        save_draft(attempt, mentor, {"stock": (1, "")}, "")
        db.session.commit()
        stamp = draft_stamp(attempt)
        with pytest.raises(DraftChanged):
            save_draft(attempt, mentor, {"stock": (2, "")}, "")
        db.session.rollback()
        save_draft(attempt, mentor, {"stock": (2, "")}, stamp)
        db.session.commit()
        assert db.session.scalar(sa.select(Answer.draft_points).where(Answer.question_id == "stock")) == 2
