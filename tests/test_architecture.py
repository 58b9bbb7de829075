"""The rooms stay clear: no import circles, and the path rules stay low and pure.

Read from the source (every import, also those inside functions), so a new circle fails here before it fails
as an ImportError in some order of imports nobody tried.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "onboarding"


def _modules() -> dict:
    """{dotted module name: (file, is a package)} of everything under onboarding/."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()


def _imported(module: str, is_package: bool, node) -> list:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:
        base = module.split(".")[: None if is_package else -1]
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    return [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in MODULES else prefix for alias in node.names]


def imports_of(module: str) -> set:
    """The modules `module` imports: onboarding's own (resolved to a module) and outside ones (top name)."""
    path, is_package = MODULES[module]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in _imported(module, is_package, node):
                if name.split(".")[0] != "onboarding":
                    found.add(name.split(".")[0])
                    continue
                while name not in MODULES and "." in name:
                    name = name.rsplit(".", 1)[0]
                if name != module:
                    found.add(name)
    return found


def circles(graph: dict) -> list:
    """The groups of modules that import each other, directly or round a loop (Tarjan's components)."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return groups


def own_graph() -> dict:
    return {m: {d for d in imports_of(m) if d in MODULES and d != "onboarding"} for m in MODULES}


def test_the_circle_finder_finds_a_circle():
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_back():
    assert circles(own_graph()) == []


PURE = ["onboarding.path.progress", "onboarding.path.gates", "onboarding.path.forecast",
        "onboarding.mentoring.rules", "onboarding.assessment.grading", "onboarding.careers.rules"]
WEB_OR_DATABASE = {"flask", "flask_login", "flask_sqlalchemy", "flask_wtf", "sqlalchemy", "wtforms",
                   "onboarding.extensions"}


@pytest.mark.parametrize("module", PURE)
def test_pure_rules_touch_neither_the_web_nor_the_database(module):
    assert MODULES.get(module), f"{module} is gone: update this list"
    assert not imports_of(module) & WEB_OR_DATABASE


def test_the_path_room_imports_no_feature():
    """Every feature reads the path; the path reads only the content and the clock (its facts are handed in)."""
    allowed_below = ("onboarding.path", "onboarding.content", "onboarding.timeutil")
    path_modules = [m for m in MODULES if m.startswith("onboarding.path")]
    assert "onboarding.path.progress" in path_modules
    for module in path_modules:
        own = {d for d in imports_of(module) if d.startswith("onboarding")}
        assert all(d.startswith(allowed_below) for d in own), (module, own)


FEATURES = ["learning", "assessment", "mentoring", "people", "notifications", "mail", "auth", "content", "careers"]
ABOVE = ("onboarding.readiness.dashboard", "onboarding.readiness.cohort", "onboarding.readiness.mentors",
         "onboarding.readiness.views", "onboarding.inbox", "onboarding.api")


@pytest.mark.parametrize("feature", FEATURES)
def test_no_feature_imports_the_dashboards_above_it(feature):
    for module in (m for m in MODULES if m.startswith(f"onboarding.{feature}")):
        assert not {d for d in imports_of(module) if d.startswith(ABOVE)}, module
