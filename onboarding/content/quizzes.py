"""Quiz files (quizzes/*.yaml): questions of four types, validated with `path:line: message`."""
import re
import string
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import product as combinations
from pathlib import Path

from .model import ROLE_PLAY_STAGE, Problem, split_locale
from .pools import Pool, short_group
from .pricing import PricingError, quote
from .render import render_markdown
from .yamlnodes import Lines
from .yamlutil import read_yaml

TYPES = ("single", "multiple", "numeric", "text")
REVEALS = ("never", "after_pass", "after_last_attempt")
#: How a quiz may be taken: in writing by the trainee, or orally, the examiner asking and recording the points.
FORMS = ("written", "oral")
SCORINGS = ("partial", "all_or_nothing")
FIGURES = ("net_total", "total_with_vat", "list_total", "volume_discount", "after_volume", "term_adjustment", "vat",
           "effective_discount_percent")
PLACEHOLDERS = {"sku", "product", "quantity", "term", "term_code", "unit_price"}
ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
QUIZ_FIELDS = {"slug", "stage", "title", "introduction", "pass_mark", "attempts", "shuffle", "reveal", "modules",
               "forms", "questions", "before_role_play", "pools"}
QUESTION_FIELDS = {"id", "type", "module", "points", "prompt", "options", "scoring", "answer", "tolerance", "unit",
                   "calculate", "rubric", "model_answer", "explanation", "tags"}
POOL_FIELDS = {"from", "draw"}


@dataclass(frozen=True)
class Option:
    id: str
    text: str
    correct: bool


@dataclass(frozen=True)
class Calculation:
    skus: tuple
    quantities: tuple
    terms: tuple
    figure: str


@dataclass(frozen=True)
class RubricItem:
    points: int
    criterion: str


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    module: str | None
    points: int
    prompt_html: str  # rendered once; calculation placeholders are filled per attempt
    options: tuple = ()
    scoring: str = "partial"
    answer: Decimal | None = None
    tolerance: Decimal = Decimal(0)
    unit: str = ""
    calculate: Calculation | None = None
    rubric: tuple = ()
    model_answer: str = ""
    explanation: str = ""
    prompt_source: str = ""  # the prompt as written, for checking a translation's placeholders
    tags: tuple = ()  # names a pool may draw by

    @property
    def graded_by_person(self) -> bool:
        return self.type == "text"


@dataclass(frozen=True)
class Quiz:
    slug: str
    stage: int
    title: str
    introduction_html: str
    pass_mark: int
    attempts: int
    shuffle: bool
    reveal: str
    modules: tuple
    questions: tuple
    path: str
    locale: str = ""  # "" for the original, else the language of this translation
    forms: tuple = ("written",)  # see FORMS
    before_role_play: bool = False  # passed before the role-play may be scheduled (role-play stage only)
    pools: tuple = ()  # see onboarding.content.pools: each attempt draws its questions; () asks them all

    @property
    def max_points(self) -> int:
        """The points of one attempt (the same for every draw: a pool's questions are worth the same)."""
        if self.pools:
            return sum(p.draw * p.points for p in self.pools)
        return sum(q.points for q in self.questions)

    @property
    def asked_count(self) -> int:
        """The questions of one attempt."""
        return sum(p.draw for p in self.pools) if self.pools else len(self.questions)

    @property
    def has_text_questions(self) -> bool:
        return any(q.graded_by_person for q in self.questions)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)


def _inline_html(text: str) -> str:
    html, _ = render_markdown(text)
    return html


def _number(value):
    if isinstance(value, bool) or value is None:
        raise InvalidOperation
    return Decimal(str(value))


class QuizLoader:
    """Loads every quiz file of a folder against the known stages, modules and price list."""

    def __init__(self, folder: Path, rel, problems, stages: set, modules: dict, catalog, price_list):
        """modules: {slug: stage number} of every module."""
        self.folder, self.rel, self.problems = folder, rel, problems
        self.stages, self.modules, self.catalog, self.prices = stages, modules, catalog, price_list

    def load(self) -> dict:
        quizzes = {}
        if not self.folder.is_dir():
            return quizzes
        for path in sorted(self.folder.glob("*.yaml")):
            if split_locale(path):
                continue  # a translation: read with the originals by translations.py
            quiz = self.load_file(path)
            if quiz is None:
                continue
            if quiz.slug in quizzes:
                self.problem(path, 1, f"duplicate quiz slug `{quiz.slug}` (also {quizzes[quiz.slug].path})")
            quizzes[quiz.slug] = quiz
        return quizzes

    def problem(self, path, line, message):
        self.problems.append(Problem(self.rel(path), line, message))

    def load_file(self, path: Path) -> Quiz | None:
        before = len(self.problems)
        text, data = read_yaml(path, self.rel(path), self.problems)
        if data is None and len(self.problems) > before:
            return None
        lines = Lines(text)
        if not isinstance(data, dict):
            self.problem(path, 1, "a quiz file must be a mapping of fields")
            return None
        for name in ("slug", "stage", "title", "pass_mark", "attempts", "questions"):
            if name not in data:
                self.problem(path, 1, f"missing field `{name}`")
        for name in set(data) - QUIZ_FIELDS:
            self.problem(path, lines.of(name), f"unknown field `{name}`")
        if len(self.problems) > before:
            return None
        if data["slug"] != path.stem:
            self.problem(path, lines.of("slug"), f"slug `{data['slug']}` must match the file name `{path.stem}`")
        if data["stage"] not in self.stages:
            self.problem(path, lines.of("stage"), f"unknown stage {data['stage']!r}")
        pass_mark = data["pass_mark"]
        if isinstance(pass_mark, bool) or not isinstance(pass_mark, int) or not 1 <= pass_mark <= 100:
            self.problem(path, lines.of("pass_mark"), "`pass_mark` must be a whole percentage from 1 to 100")
        attempts = data["attempts"]
        if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
            self.problem(path, lines.of("attempts"), "`attempts` must be a whole number, at least 1")
        reveal = data.get("reveal", "after_pass")
        if reveal not in REVEALS:
            self.problem(path, lines.of("reveal"), f"`reveal` must be one of {', '.join(REVEALS)}")
        if not isinstance(data.get("shuffle", False), bool):
            self.problem(path, lines.of("shuffle"), "`shuffle` must be true or false")
        before_role_play = data.get("before_role_play", False)
        if not isinstance(before_role_play, bool):
            self.problem(path, lines.of("before_role_play"), "`before_role_play` must be true or false")
        elif "before_role_play" in data and data["stage"] != ROLE_PLAY_STAGE:
            self.problem(path, lines.of("before_role_play"), "`before_role_play` belongs only to a quiz of the "
                         f"role-play stage (stage {ROLE_PLAY_STAGE}); this quiz is stage {data['stage']!r}")
        forms = data.get("forms", ["written"])
        if (not isinstance(forms, list) or not forms or any(f not in FORMS for f in forms)
                or len(set(forms)) < len(forms)):
            self.problem(path, lines.of("forms"), f"`forms` must list one or both of {', '.join(FORMS)}, each once")
            forms = ["written"]
        modules = data.get("modules") or []
        for slug in modules if isinstance(modules, list) else []:
            if slug not in self.modules:
                self.problem(path, lines.of("modules"), f"unknown module `{slug}`")
            elif isinstance(data["stage"], int) and self.modules[slug] > data["stage"]:
                # A quiz opens once its modules are read, and a later stage's module cannot be read first.
                self.problem(path, lines.of("modules"), f"module `{slug}` is in stage {self.modules[slug]}, after "
                             f"this quiz's stage {data['stage']}: the quiz could never open")
        raw_questions = data["questions"]
        if not isinstance(raw_questions, list) or not raw_questions:
            self.problem(path, lines.of("questions"), "`questions` must be a non-empty list")
            return None
        questions, seen = [], {}
        for i, raw in enumerate(raw_questions):
            question = self.question(path, lines, i, raw)
            if question is None:
                continue
            if question.id in seen:
                self.problem(path, lines.of("questions", i, "id"), f"duplicate question id `{question.id}`")
            seen[question.id] = i
            questions.append(question)
        pools = self.pools(path, lines, data["pools"], questions) if "pools" in data else ()
        if len(self.problems) > before:
            return None
        return Quiz(slug=data["slug"], stage=data["stage"], title=str(data["title"]),
                    introduction_html=_inline_html(str(data.get("introduction", ""))), pass_mark=pass_mark,
                    attempts=attempts, shuffle=data.get("shuffle", False), reveal=reveal, modules=tuple(modules),
                    questions=tuple(questions), path=self.rel(path), before_role_play=before_role_play,
                    forms=tuple(forms), pools=pools)

    def pools(self, path, lines, raw_pools, questions) -> tuple:
        """The quiz's pools, each resolved to the questions it may draw; problems when a draw cannot be filled."""
        if not isinstance(raw_pools, list) or not raw_pools:
            self.problem(path, lines.of("pools"), "`pools` must be a non-empty list of {from: [ids or tags], draw: N}")
            return ()
        ids = {q.id for q in questions}
        tagged = {}
        for q in questions:
            for tag in q.tags:
                tagged.setdefault(tag, set()).add(q.id)
        pools = []
        for i, raw in enumerate(raw_pools):
            at = lambda *keys: lines.of("pools", i, *keys)  # noqa: E731
            label = f"pool {i + 1}"
            if not isinstance(raw, dict) or set(raw) != POOL_FIELDS:
                self.problem(path, at(), f"{label}: needs exactly `from` (question ids or tags) and `draw`")
                continue
            sources = raw["from"] if isinstance(raw["from"], list) else [raw["from"]]
            draw = raw["draw"]
            if not sources:
                self.problem(path, at("from"), f"{label}: `from` must name at least one question id or tag")
                continue
            if isinstance(draw, bool) or not isinstance(draw, int) or draw < 1:
                self.problem(path, at("draw"), f"{label}: `draw` must be a whole number, at least 1")
                continue
            chosen = set()
            for name in map(str, sources):
                if name in ids and name in tagged:
                    self.problem(path, at("from"), f"{label}: `{name}` is both a question id and a tag; rename one")
                elif name in ids or name in tagged:
                    chosen |= {name} if name in ids else tagged[name]
                else:
                    self.problem(path, at("from"), f"{label}: unknown question id or tag `{name}`")
            candidates = tuple(q.id for q in questions if q.id in chosen)
            if not candidates:
                continue
            if draw > len(candidates):
                self.problem(path, at("draw"), f"{label} draws {draw} questions from {len(candidates)} "
                             f"({', '.join(candidates)})")
            worth = sorted({q.points for q in questions if q.id in chosen})
            if len(worth) > 1:
                self.problem(path, at("from"), f"{label}: its questions are worth different points "
                             f"({', '.join(map(str, worth))}); a pool draws questions of equal worth, so every "
                             "attempt is out of the same points")
            pools.append(Pool(tuple(map(str, sources)), draw, candidates, worth[0]))
        if len(pools) < len(raw_pools):
            return ()
        drawn = {qid for p in pools for qid in p.candidates}
        never = [q.id for q in questions if q.id not in drawn]
        if never:
            self.problem(path, lines.of("pools"), f"no pool draws {', '.join(never)}: they would never be asked "
                         "(add them to a pool or remove them)")
        group = short_group(pools) if all(p.draw <= len(p.candidates) for p in pools) else None
        if group is not None:
            shared = sorted({qid for i in group for qid in pools[i].candidates})
            self.problem(path, lines.of("pools", group[-1]),
                         f"pools {', '.join(str(i + 1) for i in group)} overlap: together they draw "
                         f"{sum(pools[i].draw for i in group)} questions from {len(shared)} ({', '.join(shared)}), "
                         "and a question is drawn once at most")
        return tuple(pools)

    def question(self, path, lines, i, raw) -> Question | None:
        at = lambda *keys: lines.of("questions", i, *keys)  # noqa: E731
        before = len(self.problems)
        if not isinstance(raw, dict):
            self.problem(path, at(), "each question must be a mapping of fields")
            return None
        for name in ("id", "type", "points", "prompt"):
            if name not in raw:
                self.problem(path, at(), f"question {i + 1}: missing field `{name}`")
        for name in set(raw) - QUESTION_FIELDS:
            self.problem(path, at(name), f"question {raw.get('id', i + 1)}: unknown field `{name}`")
        if len(self.problems) > before:
            return None
        qid, kind = str(raw["id"]), raw["type"]
        label = f"question `{qid}`"
        if not ID.match(qid):
            self.problem(path, at("id"), f"{label}: an id uses lowercase letters, digits and hyphens")
        if kind not in TYPES:
            self.problem(path, at("type"), f"{label}: unknown type `{kind}` (use {', '.join(TYPES)})")
            return None
        points = raw["points"]
        if isinstance(points, bool) or not isinstance(points, int) or points < 1:
            self.problem(path, at("points"), f"{label}: `points` must be a whole number, at least 1")
            return None
        module = raw.get("module")
        if module is not None and module not in self.modules:
            self.problem(path, at("module"), f"{label}: unknown module `{module}`")
        tags = raw.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) and ID.match(t) for t in tags):
            self.problem(path, at("tags"), f"{label}: `tags` must list names of lowercase letters, digits and hyphens")
            tags = []
        fields = {"id": qid, "type": kind, "module": module, "points": points,
                  "explanation": str(raw.get("explanation", "")), "tags": tuple(tags)}
        handler = getattr(self, "_" + kind)
        extra = handler(path, at, label, raw)
        if extra is None or len(self.problems) > before:
            return None
        return Question(prompt_html=_inline_html(str(raw["prompt"])), prompt_source=str(raw["prompt"]), **fields, **extra)

    def _options(self, path, at, label, raw):
        options = raw.get("options")
        if not isinstance(options, list) or len(options) < 2:
            self.problem(path, at("options"), f"{label}: needs a list of at least 2 `options`")
            return None
        result = []
        for j, opt in enumerate(options):
            if not isinstance(opt, dict) or "text" not in opt or set(opt) - {"text", "correct"}:
                self.problem(path, at("options", j), f"{label}: option {j + 1} needs `text` (and `correct: true` if right)")
                return None
            result.append(Option(f"o{j + 1}", str(opt["text"]), opt.get("correct") is True))
        texts = [o.text for o in result]
        if len(set(texts)) != len(texts):
            self.problem(path, at("options"), f"{label}: two options have the same text")
        return tuple(result)

    def _single(self, path, at, label, raw):
        options = self._options(path, at, label, raw)
        if options is None:
            return None
        if sum(o.correct for o in options) != 1:
            self.problem(path, at("options"), f"{label}: a single-choice question needs exactly one correct option")
        return {"options": options}

    def _multiple(self, path, at, label, raw):
        options = self._options(path, at, label, raw)
        if options is None:
            return None
        if not any(o.correct for o in options):
            self.problem(path, at("options"), f"{label}: no correct option")
        scoring = raw.get("scoring", "partial")
        if scoring not in SCORINGS:
            self.problem(path, at("scoring"), f"{label}: `scoring` must be partial or all_or_nothing")
        return {"options": options, "scoring": scoring}

    def _numeric(self, path, at, label, raw):
        try:
            tolerance = _number(raw.get("tolerance", 0))
            if tolerance < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            self.problem(path, at("tolerance"), f"{label}: `tolerance` must be a number, 0 or more")
            return None
        fields = {"tolerance": tolerance, "unit": str(raw.get("unit", ""))}
        if "calculate" in raw:
            if "answer" in raw:
                self.problem(path, at("answer"), f"{label}: give either `answer` or `calculate`, not both")
            calc = self._calculation(path, at, label, raw["calculate"], str(raw["prompt"]))
            return None if calc is None else {**fields, "calculate": calc}
        try:
            fields["answer"] = _number(raw.get("answer"))
        except (InvalidOperation, ValueError):
            self.problem(path, at("answer") if "answer" in raw else at(),
                         f"{label}: a numeric question needs a number `answer` (or a `calculate` block)")
            return None
        return fields

    def _calculation(self, path, at, label, raw, prompt):
        if not isinstance(raw, dict) or not {"sku", "quantity", "term", "figure"} <= set(raw):
            self.problem(path, at("calculate"), f"{label}: `calculate` needs sku, quantity, term and figure")
            return None
        listed = {k: raw[k] if isinstance(raw[k], list) else [raw[k]] for k in ("sku", "quantity", "term")}
        if raw["figure"] not in FIGURES:
            self.problem(path, at("calculate", "figure"), f"{label}: unknown figure `{raw['figure']}`")
            return None
        for _, name, _, _ in string.Formatter().parse(prompt):
            if name is not None and name not in PLACEHOLDERS:
                self.problem(path, at("prompt"), f"{label}: unknown placeholder {{{name}}} in the prompt")
        if self.prices is None or self.catalog is None:
            return None
        for sku, qty, term in combinations(listed["sku"], listed["quantity"], listed["term"]):
            reason = None
            if sku not in self.catalog.products:
                reason = f"unknown SKU {sku}"
            elif isinstance(qty, bool) or not isinstance(qty, int) or qty < 1:
                reason = f"quantity {qty!r} is not a whole number >= 1"
            elif qty % self.catalog.products[sku].pack_size:
                reason = f"{sku} is sold in packs of {self.catalog.products[sku].pack_size}, not {qty}"
            else:
                try:
                    quote(self.prices, sku, qty, str(term))
                except PricingError as exc:
                    reason = str(exc)
            if reason:
                self.problem(path, at("calculate"), f"{label}: cannot compute {sku} × {qty} on {term}: {reason}")
                return None
        return Calculation(tuple(map(str, listed["sku"])), tuple(listed["quantity"]), tuple(map(str, listed["term"])),
                           raw["figure"])

    def _text(self, path, at, label, raw):
        rubric = raw.get("rubric")
        if not isinstance(rubric, list) or not rubric:
            self.problem(path, at("rubric") if "rubric" in raw else at(), f"{label}: a text question needs a `rubric`")
            return None
        items = []
        for j, item in enumerate(rubric):
            if (not isinstance(item, dict) or set(item) != {"points", "criterion"} or isinstance(item["points"], bool)
                    or not isinstance(item["points"], int) or item["points"] < 0):
                self.problem(path, at("rubric", j), f"{label}: rubric item {j + 1} needs whole `points` and a `criterion`")
                return None
            items.append(RubricItem(item["points"], str(item["criterion"])))
        total = sum(i.points for i in items)
        if total != raw["points"]:
            self.problem(path, at("rubric"), f"{label}: rubric points add up to {total}, the question is worth {raw['points']}")
        if not str(raw.get("model_answer", "")).strip():
            self.problem(path, at(), f"{label}: a text question needs a `model_answer` for the grader")
        return {"rubric": tuple(items), "model_answer": str(raw.get("model_answer", ""))}
