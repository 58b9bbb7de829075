"""The answer key never reaches a trainee before it may, for every shipped quiz.

Two proofs per quiz: the key's texts (model answers, rubric criteria, explanations)
are absent from the attempt page and the autosave answer; and the attempt page is
byte-for-byte the same when the correct options and expected numbers are changed,
so nothing in it depends on the key.
"""
import re
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from onboarding import create_app
from onboarding.content import load_curriculum
from onboarding.extensions import db
from onboarding.learning.models import ModuleCompletion

from .conftest import AuthActions, complete_stages_before, read_modules_of

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = load_curriculum(ROOT / "content", ROOT / "quizzes")


@pytest.fixture
def shipped_app(tmp_path, migrated_template, make_user):
    shutil.copy(migrated_template, tmp_path / "shipped.db")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shipped.db'}",
                      "CONTENT_DIR": str(ROOT / "content"), "QUIZZES_DIR": str(ROOT / "quizzes")})
    yield app
    with app.app_context():
        db.engine.dispose()


def _trainee_with_every_stage_open(app):
    from onboarding.people.services import create_user

    with app.app_context():
        user = create_user("key@example.com", "Key Tester", "trainee", "correct-horse-battery", None)
        cur = app.extensions["curriculum"]
        for stage in cur.stages[:-1]:
            for m in stage.modules:
                db.session.add(ModuleCompletion(user_id=user.id, module_slug=m.slug, content_version=m.version))
        db.session.commit()
        return user.id


def _pass_earlier_stage_quizzes(app, uid, stage_number):
    complete_stages_before(app, uid, stage_number)


def _normalise(html: str) -> str:
    return re.sub(r'name="csrf_token" (type="hidden" )?value="[^"]+"', 'name="csrf_token"', html)


def _flipped(quiz):
    """The same quiz with a different key: other options correct, other numbers expected."""
    questions = []
    for q in quiz.questions:
        if q.type == "single":
            idx = next(i for i, o in enumerate(q.options) if o.correct)
            new = (idx + 1) % len(q.options)
            q = replace(q, options=tuple(replace(o, correct=i == new) for i, o in enumerate(q.options)))
        elif q.type == "multiple":
            q = replace(q, options=tuple(replace(o, correct=not o.correct) for o in q.options))
        elif q.type == "numeric" and q.calculate is None:
            q = replace(q, answer=q.answer + Decimal(7))
        elif q.type == "text":
            q = replace(q, model_answer="DIFFERENT MODEL", rubric=tuple(replace(r, criterion="DIFFERENT") for r in q.rubric))
        questions.append(q)
    return replace(quiz, questions=tuple(questions))


def _open_attempt(app, slug):
    """A trainee with the quiz's stage open and its modules read, an attempt started: (client, auth, attempt url)."""
    uid = _trainee_with_every_stage_open(app)
    _pass_earlier_stage_quizzes(app, uid, SHIPPED.quizzes[slug].stage)
    read_modules_of(app, uid, slug)
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login("key@example.com", "correct-horse-battery").status_code == 302
    response = client.post(f"/quizzes/{slug}/start", data={"csrf_token": auth.token(f"/quizzes/{slug}")})
    assert re.search(r"/attempts/\d+$", response.headers["Location"]), response.headers["Location"]
    return client, auth, response.headers["Location"]


@pytest.mark.parametrize("slug", sorted(SHIPPED.quizzes))
def test_no_answer_key_in_an_open_attempt(shipped_app, slug):
    app = shipped_app
    quiz = SHIPPED.quizzes[slug]
    client, auth, attempt_url = _open_attempt(app, slug)
    page = client.get(attempt_url).get_data(as_text=True)
    assert 'id="quiz-form"' in page

    secrets = []
    for q in quiz.questions:
        secrets += [q.model_answer, q.explanation] + [r.criterion for r in q.rubric]
    for secret in filter(None, (s.strip() for s in secrets)):
        assert secret not in page, f"{slug}: key text in the attempt page: {secret[:60]}"
    assert "data-correct" not in page and "Correct answer" not in page
    assert not re.search(r'value="o\d+"', page), "option values must be this attempt's names, not the file's ids"

    save = client.post(f"{attempt_url}/save", data={"csrf_token": auth.token(attempt_url)},
                       headers={"X-Requested-With": "fetch"})
    blank = quiz.asked_count  # nothing answered yet (a pooled quiz asks its draw only)
    assert save.get_json() == {"saved": True, "state": "in_progress", "unanswered": blank,
                               "unanswered_text": f"{blank} questions were unanswered when you last saved."}

    cur = app.extensions["curriculum"]
    original = cur.quizzes[slug]
    cur.quizzes[slug] = _flipped(original)
    try:
        flipped_page = client.get(attempt_url).get_data(as_text=True)
    finally:
        cur.quizzes[slug] = original
    assert _normalise(flipped_page) == _normalise(page), f"{slug}: the attempt page depends on the answer key"


@pytest.mark.parametrize("slug", sorted(s for s, q in SHIPPED.quizzes.items() if q.reveal != "after_last_attempt"
                                        or q.attempts > 1))
def test_a_failed_first_attempt_reveals_no_key(shipped_app, slug):
    quiz = SHIPPED.quizzes[slug]
    client, auth, attempt_url = _open_attempt(shipped_app, slug)
    submitted = client.post(f"{attempt_url}/submit", data={"csrf_token": auth.token(attempt_url),
                                                           "confirm_unanswered": "1"})  # every answer blank
    assert submitted.status_code == 302
    result = client.get(attempt_url).get_data(as_text=True)
    assert 'id="quiz-form"' not in result  # the result page, not the attempt still open
    assert "Correct answer</span>" not in result
    for q in quiz.questions:
        assert not q.model_answer or q.model_answer.strip() not in result
        for r in q.rubric:
            assert r.criterion not in result
