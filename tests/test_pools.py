"""Question pools: each attempt draws its own questions; check-content refuses pools that cannot fill their draw."""
import random
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings, strategies as st

from onboarding import create_app
from onboarding.assessment import grading
from onboarding.assessment.models import Answer, QuizAttempt
from onboarding.content import load_curriculum
from onboarding.content.pools import Pool, draw, short_group
from onboarding.extensions import db

from .conftest import AuthActions, read_modules_of
from .test_assessment import answer_all_right, take
from .test_quiz_files import dirs, edit, problems  # noqa: F401  (dirs is a fixture)

ROOT = Path(__file__).resolve().parent.parent

# The test quiz `basics` (capital 1 point, pick-two 2, vat 1, quote 1) drawing 3 of its 4 questions, 4 points.
POOLED = """pools:
  - {from: [one-point], draw: 2}
  - {from: [pick-two], draw: 1}
questions:"""
TAGS = [("  - id: capital\n", "  - id: capital\n    tags: [one-point]\n"),
        ("  - id: vat\n", "  - id: vat\n    tags: [one-point]\n"),
        ("  - id: quote\n", "  - id: quote\n    tags: [one-point]\n")]


def pooled(quizzes: Path, pools: str = POOLED) -> None:
    path = quizzes / "basics.yaml"
    text = path.read_text().replace("questions:", pools, 1)
    for old, new in TAGS:
        text = text.replace(old, new, 1)
    path.write_text(text)


# ---------------------------------------------------------------- drawing, without a quiz file

def pool(candidates, n, points=1):
    return Pool(tuple(candidates), n, tuple(candidates), points)


def feasible_by_search(slots, used=frozenset()) -> bool:
    """Whether each slot can get its own question, by trying every choice in turn (independent of pools.py)."""
    return not slots or any(feasible_by_search(slots[1:], used | {q}) for q in slots[0] if q not in used)


pools_strategy = st.lists(
    st.tuples(st.sets(st.sampled_from("abcdefg"), min_size=1), st.integers(1, 3)), min_size=1, max_size=4,
).map(lambda raw: tuple(pool(sorted(c), n) for c, n in raw))


# Timing is no part of these rules: on a shared, loaded machine neither a slow example nor slow generation fails.
UNTIMED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@UNTIMED
@given(pools_strategy, st.integers(0, 2 ** 32 - 1))
def test_draws_never_repeat_and_each_pool_draws_its_count(pools, seed):
    if short_group(pools) is not None:
        with pytest.raises(LookupError):
            draw(pools, random.Random(seed))
        return
    chosen = draw(pools, random.Random(seed))
    assert len(chosen) == len(set(chosen)) == sum(p.draw for p in pools)
    at = 0
    for p in pools:  # in pool order, each pool's share from its own questions
        assert set(chosen[at:at + p.draw]) <= set(p.candidates)
        at += p.draw


@UNTIMED
@given(pools_strategy)
def test_a_short_group_exactly_when_no_draw_can_work(pools):
    group = short_group(pools)
    assert (group is None) == feasible_by_search([p.candidates for p in pools for _ in range(p.draw)])
    if group is not None:
        union = {q for i in group for q in pools[i].candidates}
        assert sum(pools[i].draw for i in group) > len(union)


def test_an_early_pool_never_takes_what_a_later_one_needs():
    # Pool 1 may take a or b; pool 2 has only a: every seed must leave a to pool 2.
    pools = (pool("ab", 1), pool("a", 1))
    for seed in range(50):
        assert draw(pools, random.Random(seed)) == ["b", "a"]


def test_the_draw_is_fixed_by_the_seed_and_varies_between_seeds():
    pools = (pool("abcdefgh", 3), pool("cdefgh", 2))
    assert draw(pools, random.Random(5)) == draw(pools, random.Random(5))
    assert len({tuple(sorted(draw(pools, random.Random(s)))) for s in range(30)}) > 5


def test_every_question_of_the_bank_gets_drawn_sometimes():
    pools = (pool("abcdef", 2),)
    seen = {q for s in range(200) for q in draw(pools, random.Random(s))}
    assert seen == set("abcdef")


# ---------------------------------------------------------------- check-content

def test_a_pooled_quiz_loads(dirs):  # noqa: F811
    pooled(dirs[1])
    quiz = load_curriculum(*dirs).quizzes["basics"]
    assert quiz.asked_count == 3 and quiz.max_points == 4
    assert [(p.candidates, p.draw, p.points) for p in quiz.pools] == [(("capital", "vat", "quote"), 2, 1),
                                                                      (("pick-two",), 1, 2)]
    assert quiz.question("vat").tags == ("one-point",)


@pytest.mark.parametrize("pools,expected", [
    ("pools:\n  - {from: [one-point, nowhere], draw: 2}\n  - {from: [pick-two], draw: 1}\nquestions:",
     "quizzes/basics.yaml:11: pool 1: unknown question id or tag `nowhere`"),
    ("pools:\n  - {from: [one-point], draw: 4}\n  - {from: [pick-two], draw: 1}\nquestions:",
     "quizzes/basics.yaml:11: pool 1 draws 4 questions from 3 (capital, vat, quote)"),
    ("pools:\n  - {from: [one-point], draw: 0}\n  - {from: [pick-two], draw: 1}\nquestions:",
     "quizzes/basics.yaml:11: pool 1: `draw` must be a whole number, at least 1"),
    ("pools:\n  - {from: [one-point], draw: 2}\n  - {from: [pick-two], draw: 1}\n  - {from: [vat, quote], draw: 2}\n"
     "questions:", "quizzes/basics.yaml:13: pools 1, 3 overlap: together they draw 4 questions from 3"),
    ("pools:\n  - {from: [capital, quote], draw: 2}\n  - {from: [vat, capital], draw: 1}\n  - {from: [vat, quote], "
     "draw: 1}\n  - {from: [pick-two], draw: 1}\nquestions:",
     "quizzes/basics.yaml:13: pools 1, 2, 3 overlap: together they draw 4 questions from 3 (capital, quote, vat)"),
    ("pools:\n  - {from: [one-point, pick-two], draw: 3}\nquestions:",
     "quizzes/basics.yaml:11: pool 1: its questions are worth different points (1, 2)"),
    ("pools:\n  - {from: [one-point], draw: 2}\nquestions:",
     "quizzes/basics.yaml:10: no pool draws pick-two: they would never be asked"),
    ("pools:\n  - {from: [one-point], draw: 2}\n  - {from: pick-two, draws: 1}\nquestions:",
     "quizzes/basics.yaml:12: pool 2: needs exactly `from` (question ids or tags) and `draw`"),
    ("pools:\n  - {from: [], draw: 2}\n  - {from: [pick-two], draw: 1}\nquestions:",
     "quizzes/basics.yaml:11: pool 1: `from` must name at least one question id or tag"),
    ("pools: []\nquestions:", "quizzes/basics.yaml:10: `pools` must be a non-empty list"),
])
def test_pools_that_cannot_fill_their_draw(dirs, pools, expected):  # noqa: F811
    pooled(dirs[1], pools)
    found = problems(dirs)
    assert any(p.startswith(expected) for p in found), found


def test_a_name_both_id_and_tag_and_a_bad_tag(dirs):  # noqa: F811
    pooled(dirs[1])
    edit(dirs, "basics.yaml", "  - id: quote\n    tags: [one-point]", "  - id: quote\n    tags: [one-point, vat]")
    edit(dirs, "basics.yaml", "  - id: capital\n    tags: [one-point]", "  - id: capital\n    tags: [One Point]")
    found = problems(dirs)
    assert any(p.startswith("quizzes/basics.yaml:15: question `capital`: `tags` must list names") for p in found), found
    edit(dirs, "basics.yaml", "tags: [One Point]", "tags: [one-point]")
    edit(dirs, "basics.yaml", "from: [pick-two]", "from: [pick-two, vat]")
    found = problems(dirs)
    assert any(p.startswith("quizzes/basics.yaml:12: pool 2: `vat` is both a question id and a tag") for p in found), found


def test_a_translation_cannot_bring_pools_or_tags(dirs):  # noqa: F811
    pooled(dirs[1])
    (dirs[1] / "basics.ar.yaml").write_text("title: أساسيات\npools:\n  - {from: [vat], draw: 1}\nquestions:\n"
                                            "  - id: capital\n    tags: [arabic]\n", encoding="utf-8")
    found = problems(dirs)
    assert any(p.startswith("quizzes/basics.ar.yaml:2: `pools` belongs to the original quiz") for p in found), found


# ---------------------------------------------------------------- attempts of a pooled quiz

def test_an_attempt_asks_the_drawn_questions_only(tmp_path, database_url, content_dir, quizzes_dir, make_user):
    shutil.copytree(quizzes_dir, tmp_path / "quizzes")
    pooled(tmp_path / "quizzes")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "CONTENT_DIR": str(content_dir),
                      "QUIZZES_DIR": str(tmp_path / "quizzes"),
                      "SECRET_KEY": "test-secret-key-that-is-long-enough-000"})
    uid = make_user("trainee", email="pia@example.com", name="Pia Pool")  # in the same database
    read_modules_of(app, uid, "basics")
    client = app.test_client()
    auth = AuthActions(client)
    assert auth.login("pia@example.com").status_code == 302
    page = client.get("/quizzes/basics").get_data(as_text=True)
    assert "3, drawn for each attempt from 4" in page
    attempt_id = take(client, auth, "basics", answer_all_right)
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        asked = attempt.plan["questions"]
        answered = set(db.session.scalars(sa.select(Answer.question_id).where(Answer.attempt_id == attempt_id)))
        assert len(asked) == 3 and "pick-two" in asked and answered == set(asked)
        assert (attempt.score, attempt.max_score, attempt.passed) == (4, 4, True)
        shown = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        left_out = ({"capital", "vat", "quote"} - set(asked)).pop()
        assert f'id="q-{left_out}' not in shown


# ---------------------------------------------------------------- the shipped pooled quiz

@pytest.fixture(scope="module")
def shipped():
    return load_curriculum(ROOT / "content", ROOT / "quizzes").quizzes["company-basics"]


def test_two_attempts_of_the_shipped_pooled_quiz_differ(shipped):
    first, second = (grading.plan_attempt(shipped, seed) for seed in (1, 2))
    assert set(first["questions"]) != set(second["questions"])
    for seed in range(40):
        plan = grading.plan_attempt(shipped, seed)
        asked = grading.asked(shipped, plan)
        assert len(asked) == shipped.asked_count == 16 < len(shipped.questions)
        assert sum(q.points for q in asked) == shipped.max_points == 20
        assert "discount-above-limit" in plan["questions"]


def test_an_unshuffled_pooled_quiz_keeps_the_file_order(dirs):  # noqa: F811
    pooled(dirs[1])
    edit(dirs, "basics.yaml", "shuffle: true", "shuffle: false")
    quiz = load_curriculum(*dirs).quizzes["basics"]
    order = [q.id for q in quiz.questions]
    plans = [grading.plan_attempt(quiz, seed)["questions"] for seed in range(20)]
    assert all(plan == sorted(plan, key=order.index) for plan in plans)
    assert len({tuple(plan) for plan in plans}) == 3  # capital, vat or quote left out, beside pick-two
