"""Markdown to safe HTML: tables and a table of contents, sanitised with an allow-list."""
import re
from functools import lru_cache

import markdown
from markdown.extensions.toc import slugify_unicode
import nh3

TAGS = {"h2", "h3", "h4", "h5", "p", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote", "table",
        "thead", "tbody", "tr", "th", "td", "a", "hr", "br", "div", "span", "abbr", "dl", "dt", "dd", "sup", "sub"}
ATTRIBUTES = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"},
              "th": {"align"}, "td": {"align"}, "abbr": {"title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK = re.compile(r'href="(module|doc):([a-z0-9-]+)(#[\w-]*)?"')
LINK_TARGETS = {"module": "/modules/{}", "doc": "/{}"}


def _internal_links(html: str) -> str:
    return LINK.sub(lambda m: f'href="{LINK_TARGETS[m.group(1)].format(m.group(2))}{m.group(3) or ""}"', html)


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
    body = sanitise(_internal_links(md.convert(text)))
    toc = sanitise(md.toc) if getattr(md, "toc_tokens", None) else ""
    return body, toc
