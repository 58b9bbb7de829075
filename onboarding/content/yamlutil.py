"""Reading YAML with line numbers for the messages of check-content."""
import re

import yaml

from .model import Problem

# libyaml's parser where available: the same results, many times faster.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path, rel, problems, text=None, first_line=1):
    """Parse a YAML file (or a front-matter block starting at first_line); report syntax errors with lines."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(rel, 1, f"cannot read the file: {exc}"))
            return "", None
    try:
        return text, yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = first_line + (mark.line if mark else 0)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(rel, line, f"invalid YAML: {reason}"))
        return text, None


def key_line(text: str, key, value=None, first_line: int = 1) -> int:
    """The line of `key:` (optionally `key: value`) in a YAML text, or first_line if absent."""
    pattern = rf"^\s*-?\s*{re.escape(str(key))}\s*:"
    if value is not None:
        pattern += rf"\s*['\"]?{re.escape(str(value))}['\"]?\s*$"
    for i, line in enumerate(text.splitlines()):
        if re.search(pattern, line):
            return first_line + i
    return first_line


def split_front_matter(text: str):
    """(front-matter text, body, body's first line number) or None when the file has no front matter."""
    lines = text.lstrip("\ufeff").split("\n")
    if not lines or lines[0].strip() != "---":
        return None
    for i in range(1, len(lines)):
        if lines[i].strip() == "---":
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1:]), i + 2
    return None
