"""What a page shows of a quiz attempt: questions in the attempt's order, answers, and the key only when allowed."""
from dataclasses import dataclass

from . import grading


@dataclass(frozen=True)
class ShownOption:
    id: str
    text: str
    chosen: bool
    correct: bool | None  # None unless answers may be revealed


@dataclass(frozen=True)
class ShownQuestion:
    id: str
    type: str
    number: int
    prompt_html: str
    points: int
    unit: str
    scoring: str
    options: tuple
    response: str  # what was given, as text
    awarded: float | None
    waiting: bool
    comment: str | None
    grader: str | None
    explanation: str
    module: str | None
    expected: str | None  # the right number, when revealed
    model_answer: str | None  # when revealed
    rubric: tuple  # when revealed


def show(quiz, attempt, answers: dict, cur, reveal: bool = False, typed: dict | None = None) -> list:
    """The questions of an attempt as displayed; answer keys only when reveal is True. `typed` ({question id:
    response}) shows what was just sent in place of the stored answers (a refused save keeps what was typed)."""
    shown = []
    for number, qid in enumerate(attempt.plan["questions"], start=1):
        q = quiz.question(qid)
        if q is None:  # the quiz file dropped this question since
            continue
        answer = answers.get(qid)
        response = answer.response if answer is not None else None
        if typed is not None and qid in typed:
            response = typed[qid]
        draw = attempt.plan["draws"].get(qid)
        chosen = set(grading.selected(response)) if q.options else set()
        by_id = {o.id: o for o in q.options}
        options = tuple(ShownOption(name, by_id[oid].text, oid in chosen, by_id[oid].correct if reveal else None)
                        for name, oid in grading.option_pairs(attempt.plan, q) if oid in by_id)
        expected = None
        if reveal and q.type == "numeric":
            value = grading.expected_number(q, draw, cur.price_list)
            expected = f"{value:,.2f}".rstrip("0").rstrip(".") if "." in f"{value}" else f"{value:,}"
        shown.append(ShownQuestion(
            id=qid, type=q.type, number=number, prompt_html=grading.prompt_html(q, draw, cur.catalog, cur.price_list),
            points=q.points, unit=q.unit, scoring=q.scoring, options=options, response=response or "",
            awarded=answer.points if answer is not None else None,
            waiting=bool(answer is not None and answer.needs_review and answer.mentor_score is None),
            comment=answer.comment if answer is not None else None,
            grader=answer.grader.full_name if answer is not None and answer.grader else None,
            explanation=q.explanation, module=q.module, expected=expected,
            model_answer=q.model_answer if reveal and q.type == "text" else None,
            rubric=q.rubric if reveal else ()))
    return shown


def unanswered(quiz, attempt, responses: dict) -> list:
    """(number, question id) of each question of the attempt left blank in `responses`, in the attempt's order."""
    return [(number, qid) for number, qid in enumerate(attempt.plan["questions"], start=1)
            if quiz.question(qid) is not None and not (responses.get(qid) or "").strip()]
