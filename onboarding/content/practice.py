"""Practical checklists (quizzes/checklists/) and role-play scenarios (quizzes/scenarios/), validated."""
import re
from dataclasses import dataclass
from pathlib import Path

from .model import ROLE_PLAY_STAGE, split_locale
from .render import render_markdown
from .yamlnodes import Lines
from .yamlutil import read_yaml

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Task:
    id: str
    stage: int
    title: str
    module: str | None
    good_html: str
    evidence: str
    before_role_play: bool = False  # signed off before the role-play may be scheduled (role-play stage only)


@dataclass(frozen=True)
class Checklist:
    stage: int
    title: str
    tasks: tuple
    path: str
    locale: str = ""  # "" for the original, else the language of this translation


@dataclass(frozen=True)
class Criterion:
    id: str
    title: str
    weight: int
    scale: int
    description: str


@dataclass(frozen=True)
class Scenario:
    slug: str
    title: str
    client_name: str
    client_role: str
    client_company: str
    trainee_brief_html: str
    evaluator_brief_html: str  # for the colleagues who play the client; never shown to the trainee
    criteria: tuple
    pass_threshold: int
    path: str
    locale: str = ""  # "" for the original, else the language of this translation


def _html(text) -> str:
    return render_markdown(str(text or ""))[0]


class PracticeLoader:
    def __init__(self, folder: Path, rel, problem, stages: set, modules: set):
        self.folder, self.rel, self.problem = folder, rel, problem
        self.stages, self.modules = stages, modules

    def _file(self, path, required, allowed):
        problems = []
        text, data = read_yaml(path, self.rel(path), problems)
        for p in problems:
            self.problem(path, p.line, p.message)
        if problems:
            return None, None
        lines = Lines(text)
        if not isinstance(data, dict):
            self.problem(path, 1, "the file must be a mapping of fields")
            return None, None
        ok = True
        for name in required:
            if name not in data:
                self.problem(path, 1, f"missing field `{name}`")
                ok = False
        for name in set(data) - allowed:
            self.problem(path, lines.of(name), f"unknown field `{name}`")
            ok = False
        return (data, lines) if ok else (None, None)

    def _originals(self, folder):
        """The folder's original YAML files; translations beside them (stage-1.ar.yaml) are read by translations.py."""
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            if not split_locale(path):
                yield path

    def checklists(self) -> dict:
        """{stage number: Checklist}."""
        result, seen = {}, {}
        folder = self.folder / "checklists"
        for path in self._originals(folder):
            data, lines = self._file(path, ("stage", "title", "tasks"), {"stage", "title", "tasks"})
            if data is None:
                continue
            stage = data["stage"]
            if stage not in self.stages:
                self.problem(path, lines.of("stage"), f"unknown stage {stage!r}")
                continue
            if stage in result:
                self.problem(path, lines.of("stage"), f"stage {stage} already has a checklist ({result[stage].path})")
                continue
            if not isinstance(data["tasks"], list) or not data["tasks"]:
                self.problem(path, lines.of("tasks"), "`tasks` must be a non-empty list")
                continue
            tasks = []
            for i, raw in enumerate(data["tasks"]):
                at = lines.of("tasks", i)
                if not isinstance(raw, dict) or not {"id", "title", "good"} <= set(raw):
                    self.problem(path, at, f"task {i + 1} needs `id`, `title` and `good` (what good looks like)")
                    continue
                unknown = set(raw) - {"id", "title", "module", "good", "evidence", "before_role_play"}
                if unknown:
                    self.problem(path, lines.of("tasks", i, sorted(unknown)[0]), f"unknown field `{sorted(unknown)[0]}`")
                    continue
                tid = str(raw["id"])
                if not ID.match(tid):
                    self.problem(path, lines.of("tasks", i, "id"), f"task id `{tid}`: use lowercase letters, digits, hyphens")
                    continue
                if tid in seen:
                    self.problem(path, lines.of("tasks", i, "id"), f"duplicate task id `{tid}` (also in {seen[tid]})")
                    continue
                if raw.get("module") is not None and raw["module"] not in self.modules:
                    self.problem(path, lines.of("tasks", i, "module"), f"task `{tid}`: unknown module `{raw['module']}`")
                    continue
                before_role_play = raw.get("before_role_play", False)
                if not isinstance(before_role_play, bool):
                    self.problem(path, lines.of("tasks", i, "before_role_play"),
                                 f"task `{tid}`: `before_role_play` must be true or false")
                    continue
                if "before_role_play" in raw and stage != ROLE_PLAY_STAGE:
                    self.problem(path, lines.of("tasks", i, "before_role_play"),
                                 f"task `{tid}`: `before_role_play` belongs only to the role-play stage "
                                 f"(stage {ROLE_PLAY_STAGE}); this checklist is stage {stage}")
                    continue
                seen[tid] = self.rel(path)
                tasks.append(Task(tid, stage, str(raw["title"]), raw.get("module"), _html(raw["good"]),
                                  str(raw.get("evidence", "")), before_role_play))
            result[stage] = Checklist(stage, str(data["title"]), tuple(tasks), self.rel(path))
        return result

    def scenarios(self) -> dict:
        result = {}
        folder = self.folder / "scenarios"
        fields = {"slug", "title", "client", "trainee_brief", "evaluator_brief", "criteria", "pass_threshold"}
        for path in self._originals(folder):
            data, lines = self._file(path, sorted(fields), fields)
            if data is None:
                continue
            ok = True
            if data["slug"] != path.stem:
                self.problem(path, lines.of("slug"), f"slug `{data['slug']}` must match the file name `{path.stem}`")
                ok = False
            client = data["client"]
            if not isinstance(client, dict) or not {"name", "role", "company"} <= set(client):
                self.problem(path, lines.of("client"), "`client` needs name, role and company")
                ok = False
            threshold = data["pass_threshold"]
            if isinstance(threshold, bool) or not isinstance(threshold, int) or not 1 <= threshold <= 100:
                self.problem(path, lines.of("pass_threshold"), "`pass_threshold` must be a whole percentage from 1 to 100")
                ok = False
            criteria, ids = [], set()
            for i, raw in enumerate(data["criteria"] if isinstance(data["criteria"], list) else []):
                at = lines.of("criteria", i)
                if not isinstance(raw, dict) or not {"id", "title", "weight", "scale"} <= set(raw):
                    self.problem(path, at, f"criterion {i + 1} needs id, title, weight and scale")
                    ok = False
                    continue
                weight, scale = raw["weight"], raw["scale"]
                if any(isinstance(v, bool) or not isinstance(v, int) for v in (weight, scale)) or weight < 1 or scale < 2:
                    self.problem(path, at, f"criterion `{raw['id']}`: weight must be >= 1 and scale >= 2 (whole numbers)")
                    ok = False
                    continue
                if raw["id"] in ids:
                    self.problem(path, lines.of("criteria", i, "id"), f"duplicate criterion id `{raw['id']}`")
                    ok = False
                ids.add(raw["id"])
                criteria.append(Criterion(str(raw["id"]), str(raw["title"]), weight, scale,
                                          str(raw.get("description", ""))))
            if not criteria:
                self.problem(path, lines.of("criteria"), "a scenario needs a list of `criteria`")
                ok = False
            elif sum(c.weight for c in criteria) != 100:
                self.problem(path, lines.of("criteria"),
                             f"criteria weights add up to {sum(c.weight for c in criteria)}, not 100")
                ok = False
            if ok:
                result[path.stem] = Scenario(
                    path.stem, str(data["title"]), str(client["name"]), str(client["role"]), str(client["company"]),
                    _html(data["trainee_brief"]), _html(data["evaluator_brief"]), tuple(criteria), threshold,
                    self.rel(path))
        return result
