"""Markdown to safe HTML: tables and a table of contents, sanitised with an allow-list."""
import re
from collections.abc import Mapping
from functools import lru_cache

import markdown
from markdown.extensions.toc import slugify_unicode
import nh3
from markupsafe import escape

TAGS = {"h2", "h3", "h4", "h5", "p", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "table",
        "thead", "tbody", "tr", "th", "td", "a", "hr", "br", "div", "span", "abbr", "dl", "dt", "dd", "sup", "sub"}
ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"},
              "th": {"align"}, "td": {"align"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK = re.compile(r'href="(module|doc):([a-z0-9-]+)(#[\w-]*)?"')
LINK_TARGETS = {"module": "/modules/{}", "doc": "/{}"}
# A link to a module as the body holds it once rendered and sanitised (nh3 writes href first, then rel).
MODULE_LINK = re.compile(r'<a href="/modules/([a-z0-9-]+)(?:#[^"]*)?"[^>]*>(.*?)</a>', re.S)


def _internal_links(html: str) -> str:
    return LINK.sub(lambda m: f'href="{LINK_TARGETS[m.group(1)].format(m.group(2))}{m.group(3) or ""}"', html)


def _scrolling_tables(html: str) -> str:
    """Each table in a box of its own that scrolls sideways, so a wide table never widens a phone's page; the box
    takes the keyboard focus, so it scrolls without a mouse too."""
    return html.replace("<table>", '<div class="table-scroll" tabindex="0"><table>').replace("</table>", "</table></div>")


def unlink_modules(html: str, notes: Mapping[str, str], note_attrs: str = "") -> str:
    """The rendered body with every link to a module named in `notes` turned into its words and the note (when the
    module opens), so a reader is never sent to a page that refuses them. A pass over the cached HTML: nothing is
    rendered again. `notes` is plain text; `note_attrs` (` lang=".." dir=".."`) marks the note's language."""
    if not notes:
        return html

    def replace(match):
        note = notes.get(match.group(1))
        if note is None:
            return match.group(0)
        return (f'<span class="locked-link">{match.group(2)} '
                f'<span class="muted"{note_attrs}>({escape(note)})</span></span>')

    return MODULE_LINK.sub(replace, html)


def sanitise(html: str) -> str:
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     allowed_classes={"div": {"toc"}}, link_rel="noopener noreferrer")


@lru_cache(maxsize=512)
def render_markdown(text: str) -> tuple[str, str]:
    """(body HTML, table-of-contents HTML); cached, so each content version renders once."""
    md = markdown.Markdown(
        extensions=["tables", "toc", "fenced_code", "attr_list", "sane_lists"],
        # Heading ids keep their letters in any script, so an Arabic table of contents links to its headings.
        extension_configs={"toc": {"toc_depth": "2-3", "slugify": slugify_unicode},
                           "tables": {"use_align_attribute": True}},
    )
    body = _scrolling_tables(sanitise(_internal_links(md.convert(text))))
    toc = sanitise(md.toc) if getattr(md, "toc_tokens", None) else ""
    return body, toc
