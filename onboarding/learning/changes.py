"""What changed in a module between the version a trainee read and the current one: the sections added, changed
and removed, and the figures (prices, counts, percentages) that changed. Pure: two HTML texts in, a Difference out.
"""
import difflib
import re
from dataclasses import dataclass
from html.parser import HTMLParser

#: Elements that start a new line of text.
_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "pre", "blockquote", "dt", "dd", "caption"}
_CELLS = {"td", "th"}
_SKIP = {"script", "style"}
#: A figure: digits with their separators, and what makes them a price or a share ("1,200 EUR", "15 %", "€ 30").
FIGURE = re.compile(r"(?:[€$£]\s?)?\d(?:[\d,.\u00a0\u202f ]*\d)?(?:\s?(?:%|EUR|USD|GBP|€|\$|£))?")


@dataclass(frozen=True)
class Section:
    title: str  # "" for the text before the first heading
    lines: tuple


@dataclass(frozen=True)
class ChangedSection:
    title: str
    removed: tuple  # lines of the version read that are gone or reworded
    added: tuple  # lines of the current version that are new or reworded


@dataclass(frozen=True)
class Difference:
    added: tuple = ()  # titles of new sections
    removed: tuple = ()  # titles of sections no longer there
    changed: tuple = ()  # of ChangedSection
    figures: tuple = ()  # of (figure read, figure now), in reading order

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.sections, self.title, self.lines, self.line, self.in_title, self.skip = [], "", [], [], False, 0

    def _flush(self):
        text = " ".join("".join(self.line).split())
        self.line = []
        if not text:
            return
        if self.in_title:
            self.title = text
        else:
            self.lines.append(text)

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP:
            self.skip += 1
        elif tag == "h2":
            self._flush()
            if self.title or self.lines:
                self.sections.append(Section(self.title, tuple(self.lines)))
            self.title, self.lines, self.in_title = "", [], True
        elif tag in _BLOCKS:
            self._flush()
        elif tag in _CELLS and self.line:
            self.line.append(" | ")
        elif tag == "br":
            self.line.append(" ")

    def handle_endtag(self, tag):
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "h2":
            self._flush()
            self.in_title = False
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data):
        if not self.skip:
            self.line.append(data)

    def result(self) -> list:
        self._flush()
        if self.title or self.lines:
            self.sections.append(Section(self.title, tuple(self.lines)))
        return self.sections


def sections(html: str) -> list:
    """The text of a module, cut at its second-level headings, one line per paragraph, list item or table row."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return parser.result()


def _key(title: str) -> str:
    return " ".join(title.casefold().split())


def changed_figures(before: str, after: str) -> list:
    """The figures of one reworded line that differ: [(as read, now)], in order."""
    old, new = FIGURE.findall(before), FIGURE.findall(after)
    pairs = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "replace":
            pairs += [(o.strip(), n.strip()) for o, n in zip(old[i1:i2], new[j1:j2])]
    return pairs


def difference(read_html: str, current_html: str) -> Difference:
    """What a reader of `read_html` finds different in `current_html`."""
    before, after = sections(read_html), sections(current_html)
    old = {_key(s.title): s for s in before}
    new = {_key(s.title): s for s in after}
    changed, figures = [], []
    for section in after:
        earlier = old.get(_key(section.title))
        if earlier is None or earlier.lines == section.lines:
            continue
        removed, added = [], []
        ops = difflib.SequenceMatcher(a=earlier.lines, b=section.lines, autojunk=False).get_opcodes()
        for tag, i1, i2, j1, j2 in ops:
            if tag == "equal":
                continue
            removed += earlier.lines[i1:i2]
            added += section.lines[j1:j2]
            if tag == "replace":
                for a, b in zip(earlier.lines[i1:i2], section.lines[j1:j2]):
                    figures += changed_figures(a, b)
        changed.append(ChangedSection(section.title, tuple(removed), tuple(added)))
    return Difference(added=tuple(s.title for s in after if _key(s.title) not in old),
                      removed=tuple(s.title for s in before if _key(s.title) not in new),
                      changed=tuple(changed), figures=tuple(dict.fromkeys(figures)))
