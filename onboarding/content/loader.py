"""Reads content/: stage folders of Markdown modules, the job description, catalog and prices."""
import dataclasses
import hashlib
import re
from datetime import date
from pathlib import Path

from .careers import FILE as CAREER_LEVELS, load_career_level_translations, load_career_levels
from .data import load_catalog, load_price_list
from .directives import DIRECTIVE, Expander
from .model import ContentError, Curriculum, Document, Module, Problem, Settings, Stage, split_locale
from .practice import PracticeLoader
from .quizzes import QuizLoader
from .render import render_markdown
from .translations import TranslationLoader
from .yamlutil import key_line, read_yaml, split_front_matter

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LINK = re.compile(r"\]\(([a-z]+):([^)#\s]*)")
FILE_LINK = re.compile(r"\]\((?!https?:|mailto:|#|module:|doc:)([^)\s#]+\.md)(?:#[^)\s]*)?(?:\s+[^)]*)?\)")
MODULE_FIELDS = {"title": str, "order": int, "minutes": int}
MODULE_OPTIONAL = {"prerequisites": list, "summary": str, "requires_reread": bool}
STAGE_FIELDS = {"number": int, "title": str, "summary": str, "planned_days": int}
DOC_FIELDS = {"title": str, "effective": date, "approved_by": str}
DOCUMENTS = {"job-description"}


def _check_fields(meta, fields, optional, rel, text, problems, first_line=2) -> bool:
    ok = True
    for name, kind in fields.items():
        if name not in meta:
            problems.append(Problem(rel, 1, f"missing field `{name}`"))
            ok = False
        elif not isinstance(meta[name], kind) or isinstance(meta[name], bool) and kind is not bool:
            problems.append(Problem(rel, key_line(text, name, first_line=first_line),
                                    f"`{name}` must be {kind.__name__ if isinstance(kind, type) else kind}"))
            ok = False
    for name, kind in optional.items():
        if name in meta and not isinstance(meta[name], kind):
            problems.append(Problem(rel, key_line(text, name, first_line=first_line), f"`{name}` must be a {kind.__name__}"))
            ok = False
    for name in set(meta) - set(fields) - set(optional):
        problems.append(Problem(rel, key_line(text, name, first_line=first_line), f"unknown field `{name}`"))
        ok = False
    return ok


def _digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part)
    return h.hexdigest()


class _Loader:
    def __init__(self, root: Path, quizzes_dir: Path | None = None, settings: Settings | None = None):
        self.root = root
        self.quizzes_dir = quizzes_dir
        self.settings = settings or Settings()
        self.problems: list[Problem] = []
        self.files: dict = {}

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def read(self, path: Path) -> str | None:
        try:
            raw = path.read_bytes()
            stat = path.stat()
            self.files[str(path)] = (stat.st_mtime_ns, stat.st_size)
            return raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.append(Problem(self.rel(path), 1, f"cannot read the file: {exc}"))
            return None

    def load(self) -> Curriculum:
        if not self.root.is_dir():
            raise ContentError([Problem(str(self.root), 1, "the content folder does not exist")])
        catalog_path, prices_path = self.root / "catalog.yaml", self.root / "prices.yaml"
        catalog = prices = None
        for path in (catalog_path, prices_path):
            if not path.exists():
                self.problems.append(Problem(self.rel(path), 1, "missing file"))
            else:
                self.read(path)
        if catalog_path.exists():
            catalog = load_catalog(catalog_path, self.rel(catalog_path), self.problems)
        if prices_path.exists():
            prices = load_price_list(prices_path, self.rel(prices_path), catalog, self.problems)
        expander = Expander(catalog, prices, settings=self.settings) if catalog and prices else None
        levels_path = self.root / CAREER_LEVELS
        levels = load_career_levels(levels_path, self.rel(levels_path), self.problems) \
            if levels_path.exists() and self.read(levels_path) is not None else ()
        # What every module's text is rendered with besides its own file: the data and the settings the
        # directives show; a module's version changes with any of them.
        data_version = _digest(*((self.read(p) or "").encode() for p in (catalog_path, prices_path) if p.exists()),
                               self.settings.key().encode())

        raw_modules = []  # (meta, body, body_line, text, rel, stage, version)
        stages = []
        translated_modules, translated_stages = [], []
        for folder in sorted(p for p in self.root.iterdir() if p.is_dir()):
            stage_file = folder / "stage.yaml"
            translated_stages += [p for p in sorted(folder.glob("stage.*.yaml")) if split_locale(p)]
            if not stage_file.exists():
                if any(folder.glob("*.md")):
                    self.problems.append(Problem(self.rel(folder), 1, "a folder of modules needs a stage.yaml"))
                continue
            self.read(stage_file)
            before = len(self.problems)
            text, meta = read_yaml(stage_file, self.rel(stage_file), self.problems)
            if meta is None and len(self.problems) > before:
                continue
            meta = {} if meta is None else meta
            if not isinstance(meta, dict):
                self.problems.append(Problem(self.rel(stage_file), 1, "stage.yaml must be a mapping"))
                continue
            if not _check_fields(meta, STAGE_FIELDS, {}, self.rel(stage_file), text, self.problems, first_line=1):
                continue
            if meta["planned_days"] < 1:
                self.problems.append(Problem(self.rel(stage_file), key_line(text, "planned_days"),
                                             "`planned_days` must be at least 1"))
            stages.append((meta, stage_file, folder))
            for path in sorted(folder.glob("*.md")):
                if split_locale(path):
                    translated_modules.append(path)
                else:
                    raw_modules.append(self.read_module(path, meta["number"]))

        self.check_numbering(stages)
        if not stages:
            self.problems.append(Problem(self.rel(self.root), 1, "no stage folders (a folder with a stage.yaml)"))

        raw_modules = [m for m in raw_modules if m is not None]
        slugs = {}
        for m in raw_modules:
            if m["slug"] in slugs or m["slug"] in DOCUMENTS:
                self.problems.append(Problem(m["rel"], 1, f"duplicate slug `{m['slug']}` (also {slugs.get(m['slug'], 'a document')})"))
            slugs.setdefault(m["slug"], m["rel"])
        by_slug = {m["slug"]: m for m in raw_modules}
        self.check_orders(raw_modules)
        self.check_prerequisites(by_slug)

        doc = self.load_document(self.root / "job-description.md", expander, set(by_slug))
        modules = {}
        for m in raw_modules:
            html, toc = self.render(m, expander, set(by_slug))
            modules[m["slug"]] = Module(
                slug=m["slug"], stage=m["stage"], order=m["meta"]["order"], title=m["meta"]["title"],
                minutes=m["meta"]["minutes"], prerequisites=tuple(m["meta"].get("prerequisites") or ()),
                summary=m["meta"].get("summary", ""), html=html, toc=toc, version=_digest(m["text"].encode(), data_version.encode()),
                path=m["rel"], words=len(m["body"].split()), requires_reread=m["meta"].get("requires_reread", False))
        stage_numbers = {m["number"] for m, _, _ in stages}
        quizzes = QuizLoader(self.quizzes_dir, self.rel, self.problems, stage_numbers,
                             {slug: m.stage for slug, m in modules.items()}, catalog, prices).load() \
            if self.quizzes_dir else {}
        practice = PracticeLoader(self.quizzes_dir or self.root / "nowhere", self.rel,
                                  lambda path, line, msg: self.problems.append(Problem(self.rel(path), line, msg)),
                                  stage_numbers, set(modules))
        checklists, scenarios = practice.checklists(), practice.scenarios()
        self.check_scenario_count(scenarios)
        translations, doc = self.load_translations(translated_modules, translated_stages, stages, modules, quizzes,
                                                   checklists, scenarios, doc, expander, set(by_slug), data_version)
        for locale, texts in load_career_level_translations(self.root, levels, self.rel, self.read,
                                                            self.problems).items():
            translations.setdefault(locale, _texts())["career_levels"] = texts
        if self.problems or doc is None:
            raise ContentError(self.problems or [Problem(self.rel(self.root / "job-description.md"), 1,
                                                         "the job description could not be read")])
        stage_objs = tuple(
            Stage(meta["number"], meta["title"], meta["summary"], meta["planned_days"],
                  tuple(sorted((mod for mod in modules.values() if mod.stage == meta["number"]), key=lambda x: x.order)),
                  tuple(q for q in quizzes.values() if q.stage == meta["number"]), checklists.get(meta["number"]))
            for meta, _, _ in sorted(stages, key=lambda s: s[0]["number"]))
        version = _digest(*(f"{k}:{v}".encode() for k, v in sorted(self.files.items())),
                          *(m.version.encode() for m in modules.values()), doc.version.encode())
        return Curriculum(stage_objs, modules, doc, catalog, prices, version[:16],
                          signature(self.root, self.quizzes_dir), quizzes, scenarios, translations, self.settings,
                          levels)

    def settings_shown(self, *texts) -> bytes:
        """The settings, for the version of a document whose text shows them through a `role_play.` directive
        (a signature names the exact text read); nothing otherwise, so other settings leave its version alone."""
        uses = any(m.group(1).startswith("role_play.") for text in texts for m in DIRECTIVE.finditer(text))
        return self.settings.key().encode() if uses else b""

    def check_scenario_count(self, scenarios):
        """Each role-play attempt can have a scenario the trainee has not had: at least as many scenarios as
        attempts (ROLE_PLAY_ATTEMPTS). Content without scenarios has no role-play and is not checked."""
        attempts = self.settings.role_play_attempts
        if scenarios and len(scenarios) < attempts:
            folder = (self.quizzes_dir or self.root) / "scenarios"
            self.problems.append(Problem(self.rel(folder), 1,
                                         f"{len(scenarios)} scenarios for {attempts} role-play attempts "
                                         "(ROLE_PLAY_ATTEMPTS); add scenarios so each attempt can have its own"))

    def load_translations(self, module_paths, stage_paths, stages, modules, quizzes, checklists, scenarios, doc,
                          expander, known, data_version):
        """(locale -> the items translated into it, the job description with a version covering every language)."""
        reader = TranslationLoader(self)
        by_locale: dict = {}

        def put(kind, found):
            for locale, items in found.items():
                by_locale.setdefault(locale, _texts())[kind] = items

        put("price_list", reader.price_lists(self.root, expander.prices if expander is not None else None))
        put("catalog", reader.catalogs(self.root, expander.catalog if expander is not None else None))

        def expanders(locale):  # directives worded in the translation's language, from its data's words
            if expander is None:
                return None
            texts = by_locale.get(locale, {})
            return Expander(texts.get("catalog") or expander.catalog, texts.get("price_list") or expander.prices,
                            locale, self.settings)

        put("modules", reader.modules(module_paths, modules, expanders, known, data_version))
        put("stages", reader.stages(stage_paths, {folder: meta["number"] for meta, _, folder in stages}))
        put("quizzes", reader.quizzes(self.quizzes_dir, quizzes))
        put("checklists", reader.checklists(self.quizzes_dir, checklists))
        put("scenarios", reader.scenarios(self.quizzes_dir, scenarios))
        doc_paths = [p for p in sorted(self.root.glob("*.md")) if split_locale(p)]
        documents = reader.documents(doc_paths, doc, expanders, known)
        if doc is not None and documents:
            original = self.read(self.root / "job-description.md") or ""
            version = _digest(original.encode(),
                              *(f"{locale}:{text}".encode() for locale, (text, _) in sorted(documents.items())),
                              self.settings_shown(original, *(text for text, _ in documents.values())))
            doc = dataclasses.replace(doc, version=version)
            put("document", {locale: dataclasses.replace(d, version=version) for locale, (_, d) in documents.items()})
        return by_locale, doc

    def check_numbering(self, stages):
        """Stages are numbered 1 to N once each; name the stage file whose number breaks that."""
        count, seen = len(stages), {}
        numbers = {meta["number"] for meta, _, _ in stages}
        missing = [n for n in range(1, count + 1) if n not in numbers]
        for meta, stage_file, _ in stages:
            number = meta["number"]
            line = key_line(stage_file.read_text(encoding="utf-8"), "number")
            if number in seen:
                self.problems.append(Problem(self.rel(stage_file), line,
                                             f"stage number {number} is also used by {seen[number]}"))
            elif not 1 <= number <= count:
                self.problems.append(Problem(self.rel(stage_file), line,
                                             f"stage number {number} is out of sequence: with {count} stages use "
                                             f"1 to {count} without gaps (missing: {', '.join(map(str, missing))})"))
            seen.setdefault(number, self.rel(stage_file))

    def read_module(self, path: Path, stage: int):
        rel = self.rel(path)
        text = self.read(path)
        if text is None:
            return None
        slug = path.stem
        if not SLUG.match(slug):
            self.problems.append(Problem(rel, 1, f"file name `{path.name}`: a slug uses lowercase letters, digits and hyphens"))
            return None
        parts = split_front_matter(text)
        if parts is None:
            self.problems.append(Problem(rel, 1, "missing front matter: the file must start with a `---` block"))
            return None
        front, body, body_line = parts
        before = len(self.problems)
        _, meta = read_yaml(path, rel, self.problems, text=front, first_line=2)
        if meta is None and len(self.problems) > before:
            return None
        meta = {} if meta is None else meta
        if not isinstance(meta, dict):
            self.problems.append(Problem(rel, 2, "front matter must be a mapping of fields (title, order, minutes)"))
            return None
        if not _check_fields(meta, MODULE_FIELDS, MODULE_OPTIONAL, rel, front, self.problems):
            return None
        for name in ("order", "minutes"):
            if meta[name] < 1:
                self.problems.append(Problem(rel, key_line(front, name, first_line=2), f"`{name}` must be at least 1"))
        if not all(isinstance(p, str) for p in meta.get("prerequisites") or []):
            self.problems.append(Problem(rel, key_line(front, "prerequisites", first_line=2), "prerequisites must be slugs"))
            return None
        if not body.strip():
            self.problems.append(Problem(rel, body_line, "the module has no text"))
        return {"slug": slug, "stage": stage, "meta": meta, "front": front, "body": body, "body_line": body_line,
                "text": text, "rel": rel}

    def check_orders(self, raw_modules):
        seen = {}
        for m in raw_modules:
            key = (m["stage"], m["meta"]["order"])
            if key in seen:
                self.problems.append(Problem(m["rel"], key_line(m["front"], "order", first_line=2),
                                             f"order {key[1]} is also used by {seen[key]}"))
            seen.setdefault(key, m["rel"])

    def check_prerequisites(self, by_slug):
        for m in by_slug.values():
            line = key_line(m["front"], "prerequisites", first_line=2)
            for pre in m["meta"].get("prerequisites") or []:
                if pre not in by_slug:
                    self.problems.append(Problem(m["rel"], line, f"unknown prerequisite `{pre}`"))
                elif by_slug[pre]["stage"] > m["stage"]:
                    self.problems.append(Problem(m["rel"], line, f"prerequisite `{pre}` is in a later stage"))
        # Cycles: depth-first search, reporting each module that lies on a cycle.
        state = {}

        def visit(slug, trail):
            state[slug] = "open"
            for pre in by_slug[slug]["meta"].get("prerequisites") or []:
                if pre not in by_slug:
                    continue
                if state.get(pre) == "open":
                    cycle = trail[trail.index(pre):] + [pre] if pre in trail else [slug, pre]
                    m = by_slug[slug]
                    self.problems.append(Problem(m["rel"], key_line(m["front"], "prerequisites", first_line=2),
                                                 "circular prerequisites: " + " -> ".join(cycle)))
                elif pre not in state:
                    visit(pre, trail + [pre])
            state[slug] = "done"

        for slug in by_slug:
            if slug not in state:
                visit(slug, [slug])

    def check_links(self, body, body_line, rel, known):
        for i, line in enumerate(body.split("\n")):
            for kind, target in LINK.findall(line):
                if kind == "module" and target not in known:
                    self.problems.append(Problem(rel, body_line + i, f"broken link to module `{target}`"))
                elif kind == "doc" and target not in DOCUMENTS:
                    self.problems.append(Problem(rel, body_line + i, f"broken link to document `{target}`"))
            for target in FILE_LINK.findall(line):
                self.problems.append(Problem(rel, body_line + i,
                                             f"link to file `{target}`: link modules as module:SLUG"))

    def render(self, m, expander, known):
        self.check_links(m["body"], m["body_line"], m["rel"], known)
        body = m["body"]
        if expander is not None:
            offset = m["body_line"] - 1
            body = expander.expand(body, lambda n, msg: self.problems.append(Problem(m["rel"], offset + n, msg)))
        return render_markdown(body)

    def load_document(self, path: Path, expander, known):
        rel = self.rel(path)
        if not path.exists():
            self.problems.append(Problem(rel, 1, "missing file: the job description every trainee signs"))
            return None
        text = self.read(path) or ""
        parts = split_front_matter(text)
        if parts is None:
            self.problems.append(Problem(rel, 1, "missing front matter: the file must start with a `---` block"))
            return None
        front, body, body_line = parts
        before = len(self.problems)
        _, meta = read_yaml(path, rel, self.problems, text=front, first_line=2)
        if meta is None and len(self.problems) == before:
            meta = {}
        if not isinstance(meta, dict):
            if len(self.problems) == before:
                self.problems.append(Problem(rel, 2, "front matter must be a mapping of fields "
                                                     "(title, effective, approved_by)"))
            return None
        if not _check_fields(meta, DOC_FIELDS, {}, rel, front, self.problems):
            return None
        html, toc = self.render({"body": body, "body_line": body_line, "rel": rel}, expander, known)
        return Document(path.stem, meta["title"], meta["effective"], meta["approved_by"], html, toc,
                        _digest(text.encode(), self.settings_shown(text)), rel)


def _texts() -> dict:
    """What one language's translations hold, empty."""
    return {"modules": {}, "stages": {}, "quizzes": {}, "checklists": {}, "scenarios": {}, "document": None,
            "price_list": None, "catalog": None, "career_levels": None}


def signature(*folders) -> tuple:
    """Names, sizes and modification times of every file under the folders: the content version's key."""
    entries = []
    for folder in folders:
        if folder is None or not Path(folder).is_dir():
            continue
        for path in sorted(Path(folder).resolve().rglob("*")):
            if path.is_file():
                stat = path.stat()
                entries.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


_loaded: dict = {}


def load_curriculum(content_dir, quizzes_dir=None, settings: Settings | None = None) -> Curriculum:
    """Load and validate content_dir (and the quizzes); raise ContentError listing every problem.

    settings: the configuration the content is checked and rendered with (Settings.from_config(app.config));
    without it, the config's defaults. The result is kept per content version and settings, so unchanged
    folders are never parsed or rendered twice.
    """
    root = Path(content_dir).resolve()
    quizzes = Path(quizzes_dir).resolve() if quizzes_dir else None
    settings = settings or Settings()
    key = (str(root), str(quizzes))
    version = (signature(root, quizzes), settings)
    cached = _loaded.get(key)
    if cached is None or cached[0] != version:
        _loaded[key] = (version, _Loader(root, quizzes, settings).load())  # only the newest version is kept
    return _loaded[key][1]


def files_changed(curriculum: Curriculum, content_dir, quizzes_dir=None) -> bool:
    """True when a content or quiz file was edited, added or removed since the curriculum was loaded."""
    return signature(Path(content_dir).resolve(), Path(quizzes_dir).resolve() if quizzes_dir else None) \
        != curriculum.files
