"""Rendered Markdown keeps only the allow-list, whatever the author writes (hypothesis property tests)."""
from html.parser import HTMLParser

from hypothesis import given, settings, strategies as st

from onboarding.content.render import ATTRIBUTES, TAGS, render_markdown

from .xss import corpus

SAFE_SCHEMES = ("http:", "https:", "mailto:")
GENERIC = {"lang", "title"}  # nh3's inert attributes allowed on every tag
TAG_NAMES = sorted(TAGS | {"script", "style", "iframe", "img", "svg", "object", "embed", "form", "input", "a",
                           "math", "base", "meta", "link", "details", "video", "body", "template", "textarea"})
ATTR_NAMES = ["href", "src", "onerror", "onclick", "onload", "style", "id", "class", "title", "formaction", "action",
              "xlink:href", "srcdoc", "data", "align", "start"]
ATTR_VALUES = st.sampled_from(["javascript:alert(1)", " JaVaScRiPt:alert(1)", "jav&#x09;ascript:alert(1)",
                               "data:text/html,<script>alert(1)</script>", "vbscript:x", "https://example.com/",
                               "/modules/x", "alert(1)", "x\" onclick=\"alert(1)", "module:welcome", "#top"]) | st.text(
    max_size=20)


@st.composite
def html_tag(draw):
    name = draw(st.sampled_from(TAG_NAMES))
    attrs = draw(st.lists(st.tuples(st.sampled_from(ATTR_NAMES), ATTR_VALUES), max_size=3))
    rendered = " ".join(f'{a}="{v}"' if draw(st.booleans()) else f"{a}={v}" for a, v in attrs)
    inner = draw(st.text(max_size=15))
    return f"<{name} {rendered}>{inner}</{name}>" if draw(st.booleans()) else f"<{name} {rendered}>"


MARKDOWN_BITS = st.sampled_from([
    "# Title\n", "## Part {#custom-id onclick=alert(1)}\n", "- item\n", "1. one\n", "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "```\n<script>alert(1)</script>\n```\n", "[link](javascript:alert(1))", "[ok](https://example.com)",
    "![img](x onerror=alert(1))", "<https://example.com>", "**bold** _em_ `code`", "\n\n", "> quote\n",
    "[x](module:welcome)", "{: onclick=\"alert(1)\" }\n", "<!-- comment -->", "&lt;script&gt;", "---\n",
])
DOCUMENTS = st.lists(st.one_of(MARKDOWN_BITS, html_tag(), st.sampled_from(corpus()), st.text(max_size=30)),
                     max_size=12).map("".join)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in TAGS:
            self.problems.append(f"tag <{tag}> is not on the allow-list")
        for name, value in attrs:
            allowed = GENERIC | ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set()) | (
                {"class"} if tag == "div" else set())
            if name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "href":
                flat = "".join(ch for ch in (value or "") if ch > " ").lower()
                if ":" in flat.split("/")[0] and not flat.startswith(SAFE_SCHEMES):
                    self.problems.append(f"href {value!r}")

    handle_startendtag = handle_starttag


def _problems(html):
    collector = _Collect()
    collector.feed(html)
    collector.close()
    return collector.problems


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_rendered_markdown_keeps_only_the_allow_list(text):
    body, toc = render_markdown(text)
    assert _problems(body) == [] and _problems(toc) == []


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_any_text_renders(text):
    body, _toc = render_markdown(text)
    assert isinstance(body, str) and "<script" not in body.lower()


def test_the_property_check_sees_forbidden_markup():
    assert _problems('<p onclick="x">a</p><script>1</script><a href="javascript:x">y</a>') == [
        "attribute onclick on <p>", "tag <script> is not on the allow-list", "href 'javascript:x'"]
    assert _problems('<h2 id="a">t</h2><a href="https://x" title="t" rel="noopener">x</a>') == []
