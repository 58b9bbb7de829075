"""The oral test: the examiner asks the attempt's questions in a meeting and records the points of each against
the same rubric; the attempt counts like a written one (the same attempts, the same pass mark)."""
import re

import pytest
import sqlalchemy as sa

from onboarding.assessment.models import GRADED, Answer, QuizAttempt
from onboarding.audit.models import AuditEvent
from onboarding.extensions import db
from onboarding.notifications.models import Notification

from .conftest import as_user, complete_stages_before, read_modules_of


@pytest.fixture
def examined(app, make_user):
    """Tia, in stage 3 with the written test's modules read; Marco mentors her, Mia mentors nobody."""
    ids = {"marco": make_user("mentor", email="marco@example.com", name="Marco Mentor"),
           "mia": make_user("mentor", email="mia@example.com", name="Mia Mentor"),
           "hana": make_user("head", email="hana@example.com", name="Hana Head")}
    ids["tia"] = make_user("trainee", email="tia@example.com", name="Tia Trainee", mentor=ids["marco"])
    complete_stages_before(app, ids["tia"], 3)
    read_modules_of(app, ids["tia"], "written")
    return ids


def _page(client, uid, query=""):
    response = client.get(f"/trainees/{uid}/quizzes/written/oral{query}")
    html = response.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    seed = re.search(r'name="seed" type="hidden" value="(\d+)"', html) or re.search(
        r'id="seed" name="seed" type="hidden" value="(\d+)"', html)
    return response, html, token[1] if token else None, seed[1] if seed else None


def _marks(html):
    """The question ids of the form's entries, in order."""
    return re.findall(r'name="(answers-\d+)-question_id" type="hidden" value="([a-z0-9-]+)"', html)


def _post(client, uid, token, seed, points: dict, notes=None):
    data = {"csrf_token": token, "seed": seed}
    for i, (qid, value) in enumerate(points.items()):
        data[f"answers-{i}-question_id"] = qid
        data[f"answers-{i}-points"] = value
        data[f"answers-{i}-comment"] = (notes or {}).get(qid, "")
    return client.post(f"/trainees/{uid}/quizzes/written/oral", data=data)


def test_the_mentor_records_an_oral_attempt_that_counts_like_a_written_one(app, examined):
    client = as_user(app, "marco@example.com")[0]
    uid = examined["tia"]
    assert "Record an oral attempt" in client.get(f"/trainees/{uid}").get_data(as_text=True)
    response, html, token, seed = _page(client, uid)
    assert response.status_code == 200 and seed
    assert "SECRET-RUBRIC offers the DL-70 from stock" in html and "SECRET-MODEL-ANSWER" in html  # the key, for them
    assert [q for _n, q in _marks(html)] == ["stock", "pick"]
    answer = _post(client, uid, token, seed, {"stock": "2", "pick": "0.5"}, {"stock": "Knew the DL-70, not the lead times."})
    assert answer.status_code == 302
    with app.app_context():
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == uid, QuizAttempt.quiz_slug == "written"))
        assert (attempt.mode, attempt.state, attempt.number, attempt.percent, attempt.passed) == (
            "oral", GRADED, 1, 50.0, True)  # 2.5 of 5 is exactly the pass mark of 50
        answers = {a.question_id: a for a in db.session.scalars(sa.select(Answer).where(Answer.attempt_id == attempt.id))}
        assert answers["stock"].comment == "Knew the DL-70, not the lead times."
        assert {a.grader_id for a in answers.values()} == {examined["marco"]}
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "quiz_oral_recorded")).actor_id == \
            examined["marco"]
        assert db.session.scalar(sa.select(Notification).where(Notification.user_id == uid,
                                                               Notification.kind == "attempt_graded"))
    shown = as_user(app, "tia@example.com")[0].get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Taken orally" in shown and "Knew the DL-70, not the lead times." in shown


def test_just_below_the_pass_mark_fails_and_uses_up_an_attempt(app, examined):
    client = as_user(app, "marco@example.com")[0]
    uid = examined["tia"]
    _response, _html, token, seed = _page(client, uid)
    assert _post(client, uid, token, seed, {"stock": "2", "pick": "0"}).status_code == 302  # 2 of 5: 40 %
    with app.app_context():
        first = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.user_id == uid, QuizAttempt.quiz_slug == "written"))
        assert (first.percent, first.passed) == (40.0, False)
    # the trainee's written attempt is the second of two
    trainee, auth = as_user(app, "tia@example.com")
    started = trainee.post("/quizzes/written/start", data={"csrf_token": auth.token("/quizzes/written")})
    assert started.status_code == 302
    with app.app_context():
        numbers = sorted(db.session.scalars(sa.select(QuizAttempt.number).where(QuizAttempt.user_id == uid,
                                                                     QuizAttempt.quiz_slug == "written")))
    assert numbers == [1, 2]
    # an oral attempt waits while the written one is open
    refused = client.get(f"/trainees/{uid}/quizzes/written/oral")
    assert refused.status_code == 302
    assert "has a written attempt open" in client.get(refused.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("points, message", [
    ({"stock": "5", "pick": "1"}, "Give between 0 and 4 points."),
    ({"stock": "-1", "pick": "1"}, "Give between 0 and 4 points."),
    ({"stock": "", "pick": "1"}, "Give the points, 0 or more."),
    ({"stock": "two", "pick": "1"}, "Not a valid decimal value"),
])
def test_refused_points_come_back_with_everything_typed(app, examined, points, message):
    client = as_user(app, "marco@example.com")[0]
    uid = examined["tia"]
    _response, _html, token, seed = _page(client, uid)
    answer = _post(client, uid, token, seed, points, {"stock": "A note kept as typed.", "pick": "Said the first."})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and message in html
    assert "A note kept as typed." in html and "Said the first." in html
    assert f'value="{seed}"' in html  # the same questions and figures, not a new draw
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)
                                  .where(QuizAttempt.quiz_slug == "written")) == 0


def test_every_question_asked_needs_its_points(app, examined):
    client = as_user(app, "marco@example.com")[0]
    uid = examined["tia"]
    _response, _html, token, seed = _page(client, uid)
    answer = _post(client, uid, token, seed, {"stock": "3"})  # the second question left out of the post
    assert answer.status_code == 400 and "Give the points, 0 or more." in answer.get_data(as_text=True)


def test_a_quiz_taken_in_writing_only_has_no_oral_attempt(app, examined):
    client = as_user(app, "marco@example.com")[0]
    uid = examined["tia"]
    refused = client.get(f"/trainees/{uid}/quizzes/basics/oral")
    assert refused.status_code == 302
    assert "This quiz is taken in writing only." in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert f"/trainees/{uid}/quizzes/basics/oral" not in client.get(f"/trainees/{uid}").get_data(as_text=True)


def test_a_quiz_taken_orally_only_cannot_be_started_in_writing(app, examined):
    import dataclasses

    from onboarding.assessment.services import AttemptError, start_attempt
    from onboarding.auth.models import User
    from onboarding.content import curriculum
    from onboarding.people.services import record_of
    from onboarding.path.service import trainee_progress

    with app.test_request_context():
        quiz = dataclasses.replace(curriculum().quizzes["written"], forms=("oral",))
        tia = db.session.get(User, examined["tia"])
        with pytest.raises(AttemptError, match="taken orally"):
            start_attempt(tia, quiz, trainee_progress(record_of(tia)))


def test_other_examiners_and_the_trainee_are_refused(app, examined):
    uid = examined["tia"]
    assert as_user(app, "mia@example.com")[0].get(f"/trainees/{uid}/quizzes/written/oral").status_code == 403
    assert as_user(app, "tia@example.com")[0].get(f"/trainees/{uid}/quizzes/written/oral").status_code == 403
    head = as_user(app, "hana@example.com")[0]
    assert head.get(f"/trainees/{uid}/quizzes/written/oral").status_code == 200  # a head of sales examines too


def test_a_tampered_seed_is_refused(app, examined):
    client = as_user(app, "marco@example.com")[0]
    uid = examined["tia"]
    assert client.get(f"/trainees/{uid}/quizzes/written/oral?seed=abc").status_code == 400
    assert client.get(f"/trainees/{uid}/quizzes/written/oral?seed=99999999999").status_code == 400
