"""The career levels after the onboarding (`career-levels.yaml`) and their translations, validated.

The file is optional: content without it has no career levels. A translation (`career-levels.ar.yaml`) gives each
level's words (name, skills, evidence) by key, every level of the original in the same order; the numbers and
minimum months come from the original.
"""
import dataclasses
import re

from .model import CareerLevel, Problem, split_locale
from .yamlnodes import Lines
from .yamlutil import read_yaml

FILE = "career-levels.yaml"
KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FIELDS = {"key": str, "number": int, "name": str, "minimum_months": int, "skills": list, "evidence": list}
WORDS = ("name", "skills", "evidence")


def _texts(value) -> bool:
    """A non-empty list of non-empty texts."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)


def _level_problems(raw, at) -> list:
    """(line, message) for what is wrong with one level's fields: missing, unknown, wrong type."""
    found = []
    label = f"level {raw.get('key', '?')}"
    for name, kind in FIELDS.items():
        if name not in raw:
            found.append((at(), f"{label}: missing field `{name}`"))
        elif not isinstance(raw[name], kind) or isinstance(raw[name], bool):
            found.append((at(name), f"{label}: `{name}` must be {'text' if kind is str else kind.__name__}"))
        elif kind is list and not _texts(raw[name]):
            found.append((at(name), f"{label}: `{name}` must list at least one text"))
        elif kind is str and not raw[name].strip():
            found.append((at(name), f"{label}: `{name}` must not be empty"))
    for name in sorted(set(raw) - set(FIELDS)):
        found.append((at(name), f"{label}: unknown field `{name}`"))
    if isinstance(raw.get("key"), str) and not KEY.match(raw["key"]):
        found.append((at("key"), f"{label}: a key uses lowercase letters, digits and hyphens"))
    if isinstance(raw.get("minimum_months"), int) and raw["minimum_months"] < 0:
        found.append((at("minimum_months"), f"{label}: `minimum_months` must be 0 or more"))
    return found


def _levels_list(data, lines, problem):
    if not isinstance(data, dict) or not isinstance(data.get("levels"), list) or not data["levels"]:
        problem(1, "the career levels need a list `levels`")
        return None
    for name in sorted(set(data) - {"levels"}):
        problem(lines.of(name), f"unknown field `{name}`")
    return data["levels"]


def load_career_levels(path, rel, problems) -> tuple:
    """The levels of career-levels.yaml, by number; () with problems reported when it is invalid."""
    text, data = read_yaml(path, rel, problems)
    if data is None:
        return ()
    lines = Lines(text)
    start = len(problems)

    def problem(line, message):
        problems.append(Problem(rel, line, message))

    raws = _levels_list(data, lines, problem)
    if raws is None:
        return ()
    levels, keys = [], {}
    for i, raw in enumerate(raws):
        at = lambda *keys_, i=i: lines.of("levels", i, *keys_)  # noqa: E731
        if not isinstance(raw, dict):
            problem(at(), "each level must be a mapping of fields (key, number, name, minimum_months, skills, "
                          "evidence)")
            continue
        found = _level_problems(raw, at)
        for line, message in found:
            problem(line, message)
        if found:
            continue
        if raw["key"] in keys:
            problem(at("key"), f"duplicate level key `{raw['key']}` (also level {keys[raw['key']]})")
        keys.setdefault(raw["key"], raw["number"])
        if raw["number"] != len(levels) + 1:
            problem(at("number"), f"level {raw['key']}: number {raw['number']} is out of sequence: levels are "
                                  f"numbered 1, 2, 3... in order (expected {len(levels) + 1})")
        if levels and raw["minimum_months"] <= levels[-1].minimum_months:
            problem(at("minimum_months"), f"level {raw['key']}: `minimum_months` {raw['minimum_months']} must be "
                                          f"more than level {levels[-1].number}'s {levels[-1].minimum_months}")
        levels.append(CareerLevel(raw["key"], raw["number"], raw["name"].strip(), raw["minimum_months"],
                                  tuple(s.strip() for s in raw["skills"]), tuple(e.strip() for e in raw["evidence"])))
    return tuple(levels) if len(problems) == start else ()


def load_career_level_translations(root, originals: tuple, rel_of, read, problems) -> dict:
    """locale -> the levels with their words in that language (numbers and minimum months from the original)."""
    found = {}
    for path in sorted(root.glob("career-levels.*.yaml")):
        parts = split_locale(path)
        if parts is None:
            continue
        locale, rel = parts[1], rel_of(path)
        read(path)

        def problem(line, message, rel=rel):
            problems.append(Problem(rel, line, message))

        if not (root / FILE).exists():
            problem(1, f"translation of the career levels ({locale}) has no original `{FILE}` beside it")
            continue
        if not originals:
            continue  # the original's own problems are reported already
        start = len(problems)
        text, data = read_yaml(path, rel, problems)
        if data is None:
            continue
        lines = Lines(text)
        raws = _levels_list(data, lines, problem)
        if raws is None:
            continue
        keys = [raw.get("key") if isinstance(raw, dict) else None for raw in raws]
        if keys != [level.key for level in originals]:
            problem(lines.of("levels"), "the levels differ from the original's: give every level key of the "
                                        "original, in the same order (" + ", ".join(lv.key for lv in originals) + ")")
            continue
        levels = [_translated(raw, level, lambda *k, i=i: lines.of("levels", i, *k), problem, locale)
                  for i, (raw, level) in enumerate(zip(raws, originals))]
        if len(problems) == start:
            found[locale] = tuple(levels)
    return found


def _translated(raw, level, at, problem, locale):
    """One level in a translation's words; its stray fields and mismatched lists reported."""
    for name in sorted(set(raw) - {"key", *WORDS}):
        problem(at(name), f"level {level.key}: `{name}` belongs to the original; translate only the words")
    changes = {"locale": locale}
    if "name" in raw:
        if isinstance(raw["name"], str) and raw["name"].strip():
            changes["name"] = raw["name"].strip()
        else:
            problem(at("name"), f"level {level.key}: `name` must be text")
    for name in ("skills", "evidence"):
        if name not in raw:
            continue
        wanted = len(getattr(level, name))
        if not _texts(raw[name]) or len(raw[name]) != wanted:
            problem(at(name), f"level {level.key}: `{name}` must be the original's {wanted}, in the same order")
        else:
            changes[name] = tuple(s.strip() for s in raw[name])
    return dataclasses.replace(level, **changes)
