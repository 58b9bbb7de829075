"""Content translations beside their originals, and the curriculum as one language reads it.

A translation is a file named like its original with the language before the extension:
`welcome.ar.md` beside `welcome.md`, `stage.ar.yaml` beside `stage.yaml`, `job-description.ar.md`
beside `job-description.md`, `prices.ar.yaml` and `catalog.ar.yaml` beside the data (their words), and in
quizzes/ `company-basics.ar.yaml` beside `company-basics.yaml`, `checklists/stage-1.ar.yaml`
beside `checklists/stage-1.yaml` and `scenarios/SLUG.ar.yaml` beside `scenarios/SLUG.yaml`. A translation carries words only; numbers, order, answers and links to other items come from the
original, so the two can never disagree on what is right.
"""
import dataclasses
import hashlib
import string
from pathlib import Path

from .model import Problem, split_locale
from .practice import _html
from .quizzes import _inline_html
from .yamlnodes import Lines
from .yamlutil import key_line, read_yaml, split_front_matter

MODULE_FIELDS = {"title": True, "summary": False}  # name -> required
STAGE_FIELDS = {"title": True, "summary": False}
DOCUMENT_FIELDS = {"title": True, "approved_by": False}
QUIZ_FIELDS = {"slug", "title", "introduction", "questions"}
QUESTION_FIELDS = {"id", "prompt", "options", "unit", "rubric", "model_answer", "explanation"}


def _digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode())
    return h.hexdigest()


def _check_fields(meta, allowed, rel, text, problems, first_line, what) -> bool:
    """Required text fields present and strings; anything else belongs to the original."""
    ok = True
    for name, required in allowed.items():
        if required and name not in meta:
            problems.append(Problem(rel, 1, f"missing field `{name}`"))
            ok = False
        elif name in meta and not isinstance(meta[name], str):
            problems.append(Problem(rel, key_line(text, name, first_line=first_line), f"`{name}` must be text"))
            ok = False
    for name in sorted(set(meta) - set(allowed)):
        problems.append(Problem(rel, key_line(text, name, first_line=first_line),
                                f"`{name}` belongs to the original {what}: a translation gives only "
                                + ", ".join(f"`{n}`" for n in allowed)))
        ok = False
    return ok


class TranslationLoader:
    """Reads every translation of one content set, checking each against its original."""

    def __init__(self, loader):
        self.loader = loader  # the _Loader reading the originals: rel(), read(), problems, render()
        self.problems = loader.problems

    def problem(self, path, line, message):
        self.problems.append(Problem(self.loader.rel(path), line, message))

    def _front(self, path):
        text = self.loader.read(path)
        if text is None:
            return None
        parts = split_front_matter(text)
        if parts is None:
            self.problem(path, 1, "missing front matter: the file must start with a `---` block")
            return None
        front, body, body_line = parts
        _, meta = read_yaml(path, self.loader.rel(path), self.problems, text=front, first_line=2)
        if not isinstance(meta, dict):
            self.problem(path, 2, "front matter must be a mapping of fields")
            return None
        if not body.strip():
            self.problem(path, body_line, "the translation has no text")
        return text, front, meta, body, body_line

    def _rendered(self, path, fields, kind: str, expander, known: set):
        """A Markdown translation read, checked and rendered: (text, meta, body, html, toc), or None once its
        problems are reported."""
        parts = self._front(path)
        if parts is None:
            return None
        text, front, meta, body, body_line = parts
        if not _check_fields(meta, fields, self.loader.rel(path), front, self.problems, 2, kind):
            return None
        html, toc = self.loader.render({"body": body, "body_line": body_line, "rel": self.loader.rel(path)},
                                       expander, known)
        return text, meta, body, html, toc

    def modules(self, paths, originals: dict, expanders, known: set, data_version: str) -> dict:
        """locale -> {slug: Module in that language}; orphans and stray fields reported."""
        found = {}
        for path in paths:
            slug, locale = split_locale(path)
            original = originals.get(slug)
            if original is None or Path(original.path).name != f"{slug}.md" or \
                    not (path.parent / f"{slug}.md").exists():
                self.problem(path, 1, f"translation of `{slug}` ({locale}) has no original `{slug}.md` beside it")
                continue
            read = self._rendered(path, MODULE_FIELDS, "module", expanders(locale), known)
            if read is None:
                continue
            text, meta, body, html, toc = read
            found.setdefault(locale, {})[slug] = dataclasses.replace(
                original, title=meta["title"], summary=meta.get("summary", original.summary), html=html, toc=toc,
                version=_digest(text, data_version), path=self.loader.rel(path), words=len(body.split()),
                locale=locale)
        return found

    def stages(self, paths, numbers_by_folder: dict) -> dict:
        """locale -> {stage number: (title, summary)}."""
        found = {}
        for path in paths:
            _, locale = split_locale(path)
            number = numbers_by_folder.get(path.parent)
            if number is None:
                self.problem(path, 1, f"translation of a stage ({locale}) has no `stage.yaml` beside it")
                continue
            text, meta = read_yaml(path, self.loader.rel(path), self.problems)
            self.loader.read(path)
            if not isinstance(meta, dict):
                self.problem(path, 1, "a stage translation must be a mapping of fields (title, summary)")
                continue
            if _check_fields(meta, STAGE_FIELDS, self.loader.rel(path), text, self.problems, 1, "stage"):
                found.setdefault(locale, {})[number] = (meta["title"], meta.get("summary"))
        return found

    def documents(self, paths, original, expanders, known: set) -> dict:
        """locale -> Document in that language (its version is set by the caller)."""
        found = {}
        for path in paths:
            slug, locale = split_locale(path)
            if original is None or slug != original.slug:
                self.problem(path, 1, f"translation of `{slug}` ({locale}) has no original `{slug}.md` beside it")
                continue
            read = self._rendered(path, DOCUMENT_FIELDS, "document", expanders(locale), known)
            if read is None:
                continue
            text, meta, _body, html, toc = read
            found[locale] = (text, dataclasses.replace(
                original, title=meta["title"], approved_by=meta.get("approved_by", original.approved_by),
                html=html, toc=toc, path=self.loader.rel(path), locale=locale))
        return found

    def price_lists(self, root, original) -> dict:
        """locale -> the price list with its payment terms worded in that language (numbers from the original)."""
        found = {}
        for path in sorted(root.glob("prices.*.yaml")):
            parts = split_locale(path)
            if parts is None:
                continue
            locale = parts[1]
            self.loader.read(path)
            if original is None:
                continue  # the original's own problems are reported already
            text, data = read_yaml(path, self.loader.rel(path), self.problems)
            lines = Lines(text)
            if not isinstance(data, dict) or not isinstance(data.get("payment_terms"), list):
                self.problem(path, 1, "a price-list translation gives `payment_terms`: a list of code, label, approval")
                continue
            for name in sorted(set(data) - {"payment_terms"}):
                self.problem(path, lines.of(name), f"`{name}` belongs to the original price list: a translation "
                                                   "gives only the payment terms' label and approval")
            terms = dict(original.terms)
            for i, raw in enumerate(data["payment_terms"]):
                code = raw.get("code") if isinstance(raw, dict) else None
                if code not in original.terms:
                    self.problem(path, lines.of("payment_terms", i), f"unknown payment term `{code}`")
                    continue
                for name in sorted(set(raw) - {"code", "label", "approval"}):
                    self.problem(path, lines.of("payment_terms", i, name),
                                 f"payment term `{code}`: `{name}` belongs to the original")
                terms[code] = dataclasses.replace(
                    original.terms[code], label=str(raw.get("label", original.terms[code].label)),
                    approval=str(raw.get("approval", original.terms[code].approval)))
            found[locale] = dataclasses.replace(original, terms=terms)
        return found

    def catalogs(self, root, original) -> dict:
        """locale -> the catalog with its products' words in that language (figures from the original)."""
        found = {}
        for path in sorted(root.glob("catalog.*.yaml")):
            parts = split_locale(path)
            if parts is None or original is None:
                continue
            locale = parts[1]
            self.loader.read(path)
            before = len(self.problems)
            text, data = read_yaml(path, self.loader.rel(path), self.problems)
            lines = Lines(text)
            if not isinstance(data, dict) or not isinstance(data.get("products"), list):
                if len(self.problems) == before:
                    self.problem(path, 1, "a catalog translation gives `products`: a list of sku and its words")
                continue
            for name in sorted(set(data) - {"warehouse", "products"}):
                self.problem(path, lines.of(name), f"`{name}` belongs to the original catalog")
            products = dict(original.products)
            for i, raw in enumerate(data["products"]):
                sku = raw.get("sku") if isinstance(raw, dict) else None
                if sku not in original.products:
                    self.problem(path, lines.of("products", i), f"unknown SKU {sku}")
                    continue
                products[sku] = self.product(path, lines, i, raw, original.products[sku])
            if len(self.problems) == before:
                found[locale] = dataclasses.replace(original, products=products,
                                                    warehouse=str(data.get("warehouse", original.warehouse)))
        return found

    def product(self, path, lines, i, raw, p):
        at = lambda *keys: lines.of("products", i, *keys)  # noqa: E731
        words = {"sku", "name", "summary", "specs", "packaging", "conditions_of_use", "competitors"}
        for name in sorted(set(raw) - words):
            self.problem(path, at(name), f"{p.sku}: `{name}` belongs to the original; translate only the words")
        changes = {k: str(raw[k]) for k in ("name", "summary", "packaging", "conditions_of_use") if k in raw}
        if "specs" in raw:
            specs = raw["specs"]
            if not isinstance(specs, dict) or len(specs) != len(p.specs):
                self.problem(path, at("specs"), f"{p.sku}: the specifications must be the original's "
                                                f"{len(p.specs)}, in the same order")
            else:
                changes["specs"] = tuple((str(k), str(v)) for k, v in specs.items())
        if "competitors" in raw:
            rivals = raw["competitors"]
            if not isinstance(rivals, list) or len(rivals) != len(p.competitors) or not all(
                    isinstance(c, dict) and set(c) <= {"name", "comparison"} for c in rivals):
                self.problem(path, at("competitors"), f"{p.sku}: the competitors must be the original's "
                                                      f"{len(p.competitors)}, each with its `comparison`")
            else:
                changes["competitors"] = tuple(dataclasses.replace(
                    c, name=str(r.get("name", c.name)), comparison=str(r.get("comparison", c.comparison)))
                    for c, r in zip(p.competitors, rivals))
        return dataclasses.replace(p, **changes)

    def checklists(self, folder, originals: dict) -> dict:
        """locale -> {stage number: Checklist in that language}; the tasks must be the original's, in order."""
        found = {}
        folder = folder / "checklists" if folder is not None else None
        if folder is None or not folder.is_dir():
            return found
        by_file = {Path(c.path).name: c for c in originals.values() if c is not None}
        for path in sorted(folder.glob("*.yaml")):
            parts = split_locale(path)
            if parts is None:
                continue
            stem, locale = parts
            self.loader.read(path)
            original = by_file.get(f"{stem}.yaml")
            if original is None:
                self.problem(path, 1, f"translation of checklist `{stem}` ({locale}) has no original `{stem}.yaml` "
                                      "beside it")
                continue
            before = len(self.problems)
            text, data = read_yaml(path, self.loader.rel(path), self.problems)
            if not isinstance(data, dict):
                if len(self.problems) == before:
                    self.problem(path, 1, "a checklist translation must be a mapping of fields (title, tasks)")
                continue
            lines = Lines(text)
            for name in sorted(set(data) - {"title", "tasks"}):
                self.problem(path, lines.of(name), f"`{name}` belongs to the original checklist: a translation "
                                                   "gives only its title and the tasks' words")
            raw_tasks = data.get("tasks")
            ids = [str(t.get("id")) if isinstance(t, dict) else None for t in raw_tasks or []] \
                if isinstance(raw_tasks, list) else None
            if ids != [t.id for t in original.tasks]:
                self.problem(path, lines.of("tasks"), "the tasks differ from the original's: give every task id of "
                             "the original, in the same order (" + ", ".join(t.id for t in original.tasks) + ")")
                continue
            tasks = []
            for i, (raw, task) in enumerate(zip(raw_tasks, original.tasks)):
                for name in sorted(set(raw) - {"id", "title", "good", "evidence"}):
                    self.problem(path, lines.of("tasks", i, name),
                                 f"task `{task.id}`: `{name}` belongs to the original; translate only the words")
                tasks.append(dataclasses.replace(
                    task, title=str(raw.get("title", task.title)), evidence=str(raw.get("evidence", task.evidence)),
                    good_html=_inline_html(str(raw["good"])) if "good" in raw else task.good_html))
            if len(self.problems) == before:
                found.setdefault(locale, {})[original.stage] = dataclasses.replace(
                    original, title=str(data.get("title", original.title)), tasks=tuple(tasks),
                    path=self.loader.rel(path), locale=locale)
        return found

    def scenarios(self, folder, originals: dict) -> dict:
        """locale -> {slug: Scenario in that language}; the criteria must be the original's, in order."""
        found = {}
        folder = folder / "scenarios" if folder is not None else None
        if folder is None or not folder.is_dir():
            return found
        for path in sorted(folder.glob("*.yaml")):
            parts = split_locale(path)
            if parts is None:
                continue
            slug, locale = parts
            self.loader.read(path)
            original = (originals or {}).get(slug)
            if original is None or not (folder / f"{slug}.yaml").exists():
                self.problem(path, 1, f"translation of scenario `{slug}` ({locale}) has no original `{slug}.yaml` "
                                      "beside it")
                continue
            before = len(self.problems)
            text, data = read_yaml(path, self.loader.rel(path), self.problems)
            if not isinstance(data, dict):
                if len(self.problems) == before:
                    self.problem(path, 1, "a scenario translation must be a mapping of fields")
                continue
            lines = Lines(text)
            for name in sorted(set(data) - {"title", "client", "trainee_brief", "evaluator_brief", "criteria"}):
                self.problem(path, lines.of(name), f"`{name}` belongs to the original scenario: a translation gives "
                                                   "only its words")
            client = data.get("client", {})
            if not isinstance(client, dict) or set(client) - {"name", "role", "company"}:
                self.problem(path, lines.of("client"), "`client` gives only name, role and company")
                client = {}
            raw = data.get("criteria")
            ids = [str(c.get("id")) if isinstance(c, dict) else None for c in raw] if isinstance(raw, list) else None
            if raw is not None and ids != [c.id for c in original.criteria]:
                self.problem(path, lines.of("criteria"), "the criteria differ from the original's: give every "
                             "criterion id of the original, in the same order ("
                             + ", ".join(c.id for c in original.criteria) + ")")
                continue
            criteria = []
            for i, (item, criterion) in enumerate(zip(raw or [], original.criteria)):
                for name in sorted(set(item) - {"id", "title", "description"}):
                    self.problem(path, lines.of("criteria", i, name), f"criterion `{criterion.id}`: `{name}` belongs "
                                                                      "to the original; translate only the words")
                criteria.append(dataclasses.replace(criterion, title=str(item.get("title", criterion.title)),
                                                    description=str(item.get("description", criterion.description))))
            if len(self.problems) > before:
                continue
            found.setdefault(locale, {})[slug] = dataclasses.replace(
                original, title=str(data.get("title", original.title)),
                client_name=str(client.get("name", original.client_name)),
                client_role=str(client.get("role", original.client_role)),
                client_company=str(client.get("company", original.client_company)),
                trainee_brief_html=_html(data["trainee_brief"]) if "trainee_brief" in data
                else original.trainee_brief_html,
                evaluator_brief_html=_html(data["evaluator_brief"]) if "evaluator_brief" in data
                else original.evaluator_brief_html,
                criteria=tuple(criteria) or original.criteria, path=self.loader.rel(path), locale=locale)
        return found

    def quizzes(self, folder, originals: dict) -> dict:
        """locale -> {slug: Quiz in that language}; the questions and options must match the original's."""
        found = {}
        if folder is None or not folder.is_dir():
            return found
        for path in sorted(folder.glob("*.yaml")):
            parts = split_locale(path)
            if parts is None:
                continue
            slug, locale = parts
            self.loader.read(path)
            original = originals.get(slug)
            if original is None or not (folder / f"{slug}.yaml").exists():
                self.problem(path, 1, f"translation of quiz `{slug}` ({locale}) has no original `{slug}.yaml` beside it")
                continue
            quiz = self.quiz(path, original, locale)
            if quiz is not None:
                found.setdefault(locale, {})[slug] = quiz
        return found

    def quiz(self, path, original, locale):
        before = len(self.problems)
        text, data = read_yaml(path, self.loader.rel(path), self.problems)
        if not isinstance(data, dict):
            if len(self.problems) == before:
                self.problem(path, 1, "a quiz translation must be a mapping of fields")
            return None
        lines = Lines(text)
        for name in sorted(set(data) - QUIZ_FIELDS):
            self.problem(path, lines.of(name), f"`{name}` belongs to the original quiz: a translation gives only "
                                               "title, introduction and the questions' words")
        if "slug" in data and data["slug"] != original.slug:
            self.problem(path, lines.of("slug"), f"slug `{data['slug']}` must be the original's, `{original.slug}`")
        if not isinstance(data.get("title"), str):
            self.problem(path, lines.of("title"), "missing field `title` (text)")
        raw_questions = data.get("questions")
        if not isinstance(raw_questions, list):
            self.problem(path, lines.of("questions"), "`questions` must list every question of the original, in order")
            return None
        if [str(q.get("id")) if isinstance(q, dict) else None for q in raw_questions] != \
                [q.id for q in original.questions]:
            self.problem(path, lines.of("questions"), "the questions differ from the original's: give every "
                         "question id of the original, in the same order ("
                         + ", ".join(q.id for q in original.questions) + ")")
            return None
        questions = [self.question(path, lines, i, raw, q) for i, (raw, q) in
                     enumerate(zip(raw_questions, original.questions))]
        if len(self.problems) > before:
            return None
        return dataclasses.replace(
            original, title=data["title"], questions=tuple(questions), path=self.loader.rel(path), locale=locale,
            introduction_html=_inline_html(data["introduction"]) if "introduction" in data else original.introduction_html)

    def question(self, path, lines, i, raw, q):
        at = lambda *keys: lines.of("questions", i, *keys)  # noqa: E731
        label = f"question `{q.id}`"
        for name in sorted(set(raw) - QUESTION_FIELDS):
            self.problem(path, at(name), f"{label}: `{name}` belongs to the original; translate only the words")
        changes = {}
        if "prompt" in raw:
            prompt = str(raw["prompt"])
            if q.calculate is not None:
                names = {n for _, n, _, _ in string.Formatter().parse(prompt) if n is not None}
                wanted = {n for _, n, _, _ in string.Formatter().parse(q.prompt_source) if n is not None}
                if names != wanted:
                    self.problem(path, at("prompt"), f"{label}: the prompt's placeholders "
                                 f"({', '.join(sorted(names)) or 'none'}) differ from the original's "
                                 f"({', '.join(sorted(wanted)) or 'none'})")
            changes["prompt_html"] = _inline_html(prompt)
            changes["prompt_source"] = prompt
        for name in ("unit", "model_answer", "explanation"):
            if name in raw:
                changes[name] = str(raw[name])
        if "options" in raw:
            options = raw["options"]
            if not isinstance(options, list) or len(options) != len(q.options):
                self.problem(path, at("options"), f"{label}: {len(options) if isinstance(options, list) else 'no'} "
                                                  f"options, the original has {len(q.options)}")
            else:
                texts = []
                for j, opt in enumerate(options):
                    if isinstance(opt, dict) and set(opt) == {"text"}:
                        texts.append(str(opt["text"]))
                    elif isinstance(opt, str):
                        texts.append(opt)
                    else:
                        self.problem(path, at("options", j), f"{label}: option {j + 1} gives only its `text`; "
                                                             "which options are correct comes from the original")
                        texts.append(q.options[j].text)
                changes["options"] = tuple(dataclasses.replace(o, text=t) for o, t in zip(q.options, texts))
        if "rubric" in raw:
            rubric = raw["rubric"]
            if not isinstance(rubric, list) or len(rubric) != len(q.rubric):
                self.problem(path, at("rubric"), f"{label}: the rubric has "
                             f"{len(rubric) if isinstance(rubric, list) else 'no'} items, the original has {len(q.rubric)}")
            else:
                items = []
                for j, item in enumerate(rubric):
                    text = item.get("criterion") if isinstance(item, dict) and set(item) == {"criterion"} else \
                        item if isinstance(item, str) else None
                    if text is None:
                        self.problem(path, at("rubric", j), f"{label}: rubric item {j + 1} gives only its "
                                                            "`criterion`; the points come from the original")
                        text = q.rubric[j].criterion
                    items.append(dataclasses.replace(q.rubric[j], criterion=str(text)))
                changes["rubric"] = tuple(items)
        return dataclasses.replace(q, **changes)


def localize(cur, locale: str):
    """The curriculum as a reader of `locale` sees it: each item in that language where a translation
    exists, else the original. Every item keeps its slug, order, rules and answers."""
    texts = (cur.translations or {}).get(locale)
    if not texts:
        return cur
    modules = {slug: texts["modules"].get(slug, m) for slug, m in cur.modules.items()}
    quizzes = {slug: texts["quizzes"].get(slug, q) for slug, q in (cur.quizzes or {}).items()}
    stages = []
    for s in cur.stages:
        title, summary = texts["stages"].get(s.number, (s.title, s.summary))
        stages.append(dataclasses.replace(
            s, title=title, summary=summary or s.summary, modules=tuple(modules[m.slug] for m in s.modules),
            quizzes=tuple(quizzes.get(q.slug, q) for q in s.quizzes),
            checklist=(texts.get("checklists") or {}).get(s.number, s.checklist)))
    scenarios = {slug: (texts.get("scenarios") or {}).get(slug, s) for slug, s in (cur.scenarios or {}).items()}
    return dataclasses.replace(cur, stages=tuple(stages), modules=modules, quizzes=quizzes, scenarios=scenarios,
                               price_list=texts.get("price_list") or cur.price_list,
                               catalog=texts.get("catalog") or cur.catalog,
                               job_description=texts.get("document") or cur.job_description,
                               career_levels=texts.get("career_levels") or cur.career_levels,
                               version=f"{cur.version}.{locale}")
