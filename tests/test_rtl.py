"""Right to left without a second stylesheet: logical CSS only, and icons that point a direction turn with it."""
import re
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PHYSICAL = [
    (re.compile(r"\b(?:margin|padding|border)-(?:left|right)\b"), "use margin/padding/border-inline-start or -end"),
    (re.compile(r"border-(?:top|bottom)-(?:left|right)-radius"), "use border-start-start-radius and its kin"),
    (re.compile(r"(?<![-\w])(?:left|right)\s*:"), "use inset-inline-start or inset-inline-end"),
    (re.compile(r"\b(?:float|clear|text-align)\s*:\s*(?:left|right)\b"), "use inline-start / inline-end, start / end"),
    (re.compile(r"(?<![-\w])(?:width|height|min-width|max-width|min-height|max-height)\s*:"),
     "use inline-size and block-size"),
]
FOUR_VALUES = re.compile(r"(?<![-\w])(margin|padding|inset|border-width|border-radius)\s*:\s*([^;}]+)")
# Arrows that Unicode does not mirror: in a right-to-left page they must be turned by CSS (class "dir").
ARROWS = "→←⇒⇐⟶⟵➔➜➝➞⇢⇠↦↤"


def css_problems(css: str) -> list[str]:
    problems = []
    for number, line in enumerate(re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), css,
                                         flags=re.S).splitlines(), 1):
        line = re.sub(r"@media[^{]*", "", line)  # media features (min-width) have no logical form
        for pattern, advice in PHYSICAL:
            if pattern.search(line):
                problems.append(f"{number}: {line.strip()[:60]} ({advice})")
        for prop, value in FOUR_VALUES.findall(line):
            parts = value.split("!")[0].split("/")[0].split()
            if prop == "border-radius":  # corners: top-left top-right bottom-right bottom-left
                mirrors = len(parts) == 1 or (len(parts) == 4 and parts[0] == parts[1] and parts[2] == parts[3]) \
                    or len(set(parts)) == 1
            else:  # sides: top right bottom left
                mirrors = len(parts) < 4 or parts[1] == parts[3]
            if not mirrors:
                problems.append(f"{number}: {prop}: {value.strip()} (left and right differ)")
    return problems


def icon_problems(template: str) -> list[str]:
    problems = []
    for match in re.finditer(r'<span[^>]*class="[^"]*\bdir\b[^"]*"[^>]*>([^<]*)</span>', template):
        if any(unicodedata.mirrored(ch) for ch in match.group(1)):
            problems.append(f"{match.group(1)!r} is mirrored by Unicode already; class dir turns it back")
    outside = re.sub(r'<span[^>]*class="[^"]*\bdir\b[^"]*"[^>]*>[^<]*</span>', "", template)
    problems += [f"{ch!r} outside a class=\"dir\" span points the wrong way in Arabic" for ch in outside if ch in ARROWS]
    return problems


def test_the_checks_catch_physical_css_and_unturned_arrows():
    bad = (".a { margin-left: 1rem; }\n.b { padding: 0 1rem 0 2rem; }\n.c { text-align: right; }\n.d { left: 0; }\n"
           ".e { border-radius: 6px 0 0 6px; }\n.f { width: 3rem; }\n")
    assert [p.split(":")[0] for p in css_problems(bad)] == ["1", "2", "3", "4", "5", "6"]
    good = (".a { margin-inline-start: 1rem; padding: 0 1rem; inset-inline-start: 0; text-align: start; "
            "border-radius: 6px 6px 0 0; inline-size: 3rem; }")
    assert css_problems(good) == []
    assert len(icon_problems('<span class="dir">›</span> Next →')) == 2
    assert icon_problems('<span aria-hidden="true">›</span> <span class="dir" aria-hidden="true">→</span>') == []


def test_stylesheets_use_logical_properties_only():
    problems = [f"{path.relative_to(ROOT)}:{p}" for path in sorted((ROOT / "static").rglob("*.css"))
                for p in css_problems(path.read_text(encoding="utf-8"))]
    assert not problems, "physical CSS that would not mirror in Arabic:\n" + "\n".join(problems)


def test_templates_turn_direction_icons_with_the_page():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        problems += [f"{path.relative_to(ROOT)}: {p}" for p in icon_problems(source)]
        problems += [f"{path.relative_to(ROOT)}: inline style {s!r}" for s in re.findall(r'style="([^"]*)"', source)
                     if css_problems(f".x {{ {s} }}")]
    assert not problems, "\n".join(problems)


def test_an_arabic_module_page_reads_right_to_left(client, app, auth, make_user):
    from onboarding.auth.models import User
    from onboarding.extensions import db

    uid = make_user("trainee", email="noura@example.com")
    with app.app_context():
        db.session.get(User, uid).locale = "ar"
        db.session.commit()
        slug = app.extensions["curriculum"].stages[0].modules[0].slug
    auth.login("noura@example.com")
    page = client.get(f"/modules/{slug}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert 'class="dir">›' not in page and 'class="dir">‹' not in page
