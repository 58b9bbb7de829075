"""Grading rules: planning an attempt, scoring answers, the outcome, when answers may be revealed.

Pure functions of the quiz, the price list and the answers given; no Flask, no database.
"""
import random
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from html import escape

from ..content.pools import draw
from ..content.pricing import quote

TWO = Decimal("0.01")


def _round(value) -> Decimal:
    return Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


# ---------------------------------------------------------------- planning an attempt

def plan_attempt(quiz, seed: int) -> dict:
    """Question order, option order and calculation figures for one attempt, fixed by its seed.

    Stored with the attempt, so what the trainee saw is what gets graded even if the file changes later.
    """
    rng = random.Random(seed)
    questions = list(quiz.questions)
    if quiz.pools:  # this attempt's own selection, in the file's order unless shuffled
        drawn = set(draw(quiz.pools, rng))
        questions = [q for q in questions if q.id in drawn]
    if quiz.shuffle:
        rng.shuffle(questions)
    plan = {"questions": [], "options": {}, "draws": {}}
    for q in questions:
        plan["questions"].append(q.id)
        if q.options:
            ids = [o.id for o in q.options]
            if quiz.shuffle:
                rng.shuffle(ids)
            # Each option gets a random name for this attempt: the form never shows the file's order.
            aliases = set()
            while len(aliases) < len(ids):
                aliases.add(f"{rng.getrandbits(40):010x}")
            plan["options"][q.id] = [[alias, real] for alias, real in zip(sorted(aliases, key=lambda _: rng.random()), ids)]
        if q.calculate is not None:
            c = q.calculate
            plan["draws"][q.id] = {"sku": rng.choice(c.skus), "quantity": rng.choice(c.quantities),
                                   "term": rng.choice(c.terms)}
    return plan


def asked(quiz, plan: dict) -> list:
    """The questions of an attempt, in the file's order: every question, or the pools' draw for this attempt."""
    ids = set(plan["questions"])
    return [q for q in quiz.questions if q.id in ids]


def expected_number(question, draw: dict | None, price_list) -> Decimal:
    """The right answer of a numeric question: fixed, or computed from the price list for this attempt's draw."""
    if question.calculate is None:
        return question.answer
    q = quote(price_list, draw["sku"], int(draw["quantity"]), draw["term"])
    figure = question.calculate.figure
    return q.effective_discount_percent if figure == "effective_discount_percent" else getattr(q, figure)


def prompt_html(question, draw: dict | None, catalog, price_list) -> str:
    """The question's rendered prompt with this attempt's figures filled in (escaped)."""
    html = question.prompt_html
    if not draw:
        return html
    term = price_list.terms[draw["term"]]
    values = {"sku": draw["sku"], "product": catalog.products[draw["sku"]].name, "quantity": draw["quantity"],
              "term": term.label, "term_code": term.code,
              "unit_price": f"{price_list.currency} {price_list.prices[draw['sku']]:,.2f}"}
    for name, value in values.items():
        html = html.replace("{" + name + "}", escape(str(value)))
    return html


# ---------------------------------------------------------------- reading and scoring answers

UNITS = re.compile(r"(?i)\b(eur|euro|euros)\b|يورو|€|%|\s")
# Arabic keyboards type Arabic-Indic digits and their own separators: read them as the same number.
ARABIC_MARKS = str.maketrans({"٫": ".", "٬": ",", "٪": "%", "،": ","})
NUMBER = re.compile(r"^[+-]?\d[\d.,]*$")


def parse_number(text: str | None) -> Decimal | None:
    """A number as people type it: '1 234,50', '1.234,50', '1,234.50', 'EUR 980', '12 %' all read as numbers,
    and so do Arabic-Indic digits with Arabic separators ('١٬٢٣٤٫٥٠ يورو').

    The last separator is the decimal point when both kinds appear; a lone separator followed by exactly three
    digits (and not after a leading 0) separates thousands. Anything else in the text (letters, a second number)
    makes it unreadable: None, never a guess.
    """
    if text is None:
        return None
    cleaned = UNITS.sub("", text.translate(ARABIC_MARKS))
    if not NUMBER.match(cleaned):
        return None
    sign, digits = ("-" if cleaned[0] == "-" else ""), cleaned.lstrip("+-")
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        digits = digits.replace(thousands, "").replace(decimal_mark, ".")
    else:
        mark = "," if "," in digits else "." if "." in digits else None
        if mark is not None:
            head, _, tail = digits.rpartition(mark)
            if digits.count(mark) > 1 or (len(tail) == 3 and head not in ("0", "")):
                digits = digits.replace(mark, "")  # thousands: 1,234 or 1.234.567
            else:
                digits = digits.replace(mark, ".")  # decimals: 12,5 or 0.125
    if not re.fullmatch(r"\d+(\.\d+)?", digits):
        return None
    try:
        return Decimal(sign + digits)
    except InvalidOperation:
        return None


def selected(response: str | None) -> list:
    return [part for part in (response or "").split(",") if part]


def option_pairs(plan: dict, question) -> list:
    """[(name shown in the form, option id)] in this attempt's order."""
    entries = plan.get("options", {}).get(question.id)
    if not entries:
        return [(o.id, o.id) for o in question.options]
    return [(e[0], e[1]) if isinstance(e, list) else (e, e) for e in entries]


def score(question, response: str | None, expected: Decimal | None = None) -> Decimal | None:
    """Points for one answer; None for a free-text answer, which a person grades."""
    points = Decimal(question.points)
    if question.type == "text":
        return None
    if question.type == "single":
        chosen = selected(response)
        right = {o.id for o in question.options if o.correct}
        return points if chosen and set(chosen) == right else Decimal(0)
    if question.type == "multiple":
        chosen = set(selected(response))
        right = {o.id for o in question.options if o.correct}
        if question.scoring == "all_or_nothing":
            return points if chosen == right else Decimal(0)
        hits, misses = len(chosen & right), len(chosen - right)
        return _round(max(Decimal(0), points * (hits - misses) / len(right)))
    value = parse_number(response)
    if value is None:
        return Decimal(0)
    return points if abs(value - expected) <= question.tolerance else Decimal(0)


def partial_credit_rule(question) -> str:
    """The rule as stated to the trainee, for multiple-choice questions."""
    if question.type != "multiple":
        return ""
    return "all_or_nothing" if question.scoring == "all_or_nothing" else "partial"


# ---------------------------------------------------------------- the outcome of an attempt

@dataclass(frozen=True)
class Outcome:
    score: Decimal  # points so far (graded answers only)
    max_score: Decimal
    pending: int  # answers still waiting for a person
    pass_mark: int

    @property
    def percent(self) -> Decimal:
        return _round(100 * self.score / self.max_score) if self.max_score else Decimal(100)

    @property
    def passed(self) -> bool | None:
        """None while anything waits for review: never a pass or fail on part of the answers."""
        if self.pending:
            return None
        return self.percent >= self.pass_mark


def outcome(scores, pass_mark: int) -> Outcome:
    """scores: (points awarded or None if waiting, points possible) per question."""
    total = sum((Decimal(str(s)) for s, _ in scores if s is not None), Decimal(0))
    possible = sum((Decimal(str(m)) for _, m in scores), Decimal(0))
    pending = sum(1 for s, _ in scores if s is None)
    return Outcome(_round(total), _round(possible), pending, pass_mark)


# ---------------------------------------------------------------- revealing answers

def may_reveal(reveal: str, passed: bool, attempts_used: int, attempts_allowed: int, finished: bool) -> bool:
    """Whether correct answers may be shown for a finished attempt."""
    if not finished or reveal == "never":
        return False
    if reveal == "after_pass":
        return passed
    return passed or attempts_used >= attempts_allowed
