"""The pure grading rules: no app, no database."""
from decimal import Decimal
from pathlib import Path

import pytest

from onboarding.assessment import grading
from onboarding.content import load_curriculum

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def cur():
    return load_curriculum(HERE / "content", HERE / "quizzes")


@pytest.fixture(scope="module")
def basics(cur):
    return cur.quizzes["basics"]


@pytest.mark.parametrize("text,value", [
    ("20", "20"), (" 20 % ", "20"), ("1,234.50", "1234.50"), ("1 234,50", "1234.50"), ("EUR 980", "980"),
    ("12,5", "12.5"), ("1,234", "1234"), ("-3", "-3"), ("+3.25", "3.25"), ("1.234,50", "1234.50"),
    ("€1.234", "1234"), ("0.125", "0.125"), ("1,234,567.8", "1234567.8"), ("25 745,48 EUR", "25745.48"),
])
def test_parse_number_reads_what_people_type(text, value):
    assert grading.parse_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "--4", None, "1e3", "980 EUR for 2 units", "12-5", "1,2,3.4.5"])
def test_parse_number_refuses_non_numbers(text):
    assert grading.parse_number(text) is None


def test_single_choice(basics):
    q = basics.question("capital")
    assert grading.score(q, "o1") == 1
    assert grading.score(q, "o2") == 0
    assert grading.score(q, "") == 0
    assert grading.score(q, "o1,o2") == 0  # a forged second choice earns nothing


@pytest.mark.parametrize("response,points", [
    ("o1,o2", Decimal(2)), ("o1", Decimal(1)), ("o1,o3", Decimal(0)), ("o1,o2,o3", Decimal(1)), ("o3", Decimal(0)),
    ("", Decimal(0)),
])
def test_multiple_choice_partial_credit(basics, response, points):
    assert grading.score(basics.question("pick-two"), response) == points


def test_multiple_choice_all_or_nothing(basics):
    from dataclasses import replace

    q = replace(basics.question("pick-two"), scoring="all_or_nothing")
    assert grading.score(q, "o1,o2") == 2
    assert grading.score(q, "o1") == 0


def test_numeric_with_tolerance(basics):
    from dataclasses import replace

    q = replace(basics.question("vat"), tolerance=Decimal("0.5"))
    assert grading.score(q, "20", Decimal(20)) == 1
    assert grading.score(q, "20.5", Decimal(20)) == 1
    assert grading.score(q, "20.51", Decimal(20)) == 0
    assert grading.score(q, "twenty", Decimal(20)) == 0


def test_calculation_answer_comes_from_the_price_list(cur, basics):
    q = basics.question("quote")
    draw = {"sku": "BR-500", "quantity": 30, "term": "net30"}
    # 30 x 890.00 = 26,700.00; 5 % volume = 1,335.00; 25,365.00 + 1.5 % = 380.475 -> 380.48; net 25,745.48
    assert grading.expected_number(q, draw, cur.price_list) == Decimal("25745.48")
    assert grading.score(q, "25,745.48", Decimal("25745.48")) == 1
    assert grading.score(q, "25745.50", Decimal("25745.48")) == 0
    html = grading.prompt_html(q, draw, cur.catalog, cur.price_list)
    assert "30 × Breeze 500 air purifier (BR-500)" in html and "Payment within 30 days" in html


def test_text_answers_wait_for_a_person(cur):
    assert grading.score(cur.quizzes["written"].question("stock"), "anything") is None


def test_outcome_is_pending_until_everything_is_graded():
    result = grading.outcome([(1, 1), (None, 4)], pass_mark=50)
    assert result.pending == 1 and result.passed is None and result.score == 1
    final = grading.outcome([(1, 1), (2, 4)], pass_mark=60)
    assert final.percent == Decimal("60.00") and final.passed is True
    assert grading.outcome([(1, 1), (1.5, 4)], pass_mark=60).passed is False


def test_outcome_rounds_half_up():
    assert grading.outcome([(1, 3)], pass_mark=50).percent == Decimal("33.33")
    assert grading.outcome([(2, 3)], pass_mark=50).percent == Decimal("66.67")


@pytest.mark.parametrize("reveal,passed,used,allowed,finished,expected", [
    ("never", True, 1, 2, True, False),
    ("after_pass", False, 1, 2, True, False),
    ("after_pass", True, 1, 2, True, True),
    ("after_pass", False, 2, 2, True, False),
    ("after_last_attempt", False, 1, 2, True, False),
    ("after_last_attempt", False, 2, 2, True, True),
    ("after_last_attempt", True, 1, 2, True, True),
    ("after_pass", True, 1, 2, False, False),
])
def test_when_answers_may_be_revealed(reveal, passed, used, allowed, finished, expected):
    assert grading.may_reveal(reveal, passed, used, allowed, finished) is expected


def test_plan_is_fixed_by_the_seed_and_shuffles(basics):
    assert grading.plan_attempt(basics, 7) == grading.plan_attempt(basics, 7)
    orders = {tuple(grading.plan_attempt(basics, seed)["questions"]) for seed in range(30)}
    assert len(orders) > 1
    plan = grading.plan_attempt(basics, 3)
    assert sorted(plan["questions"]) == sorted(q.id for q in basics.questions)
    assert plan["draws"]["quote"] == {"sku": "BR-500", "quantity": 30, "term": "net30"}


def test_unshuffled_quiz_keeps_the_file_order(cur):
    quiz = cur.quizzes["written"]
    assert grading.plan_attempt(quiz, 99)["questions"] == [q.id for q in quiz.questions]
