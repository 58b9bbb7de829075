"""Both languages: every string marked, the Arabic catalog complete, the language chosen and shown right to left."""
import ast
import os
import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, nodes

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "translations" / "ar" / "LC_MESSAGES" / "messages.po"


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    """The .mo the app reads, rebuilt from the .po when stale (make does the same before run and test)."""
    mo = CATALOG.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < CATALOG.stat().st_mtime:
        partial = mo.with_name(f"messages.{os.getpid()}.mo")  # parallel test workers never see half a file
        with CATALOG.open("rb") as po, partial.open("wb") as out:
            write_mo(out, read_po(po, locale="ar"))
        os.replace(partial, mo)


# --- strings marked for translation ------------------------------------------------------------------------

JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
HUMAN_ATTRIBUTE = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')
WORDS = re.compile(r"[A-Za-z]{2,}")
TWO_WORDS = re.compile(r"[A-Za-z]{2,}\s+[A-Za-z]{2,}")
GETTEXT = {"_", "gettext", "ngettext", "pgettext", "npgettext"}
# Text that is the same in every language.
NOT_WORDS = {"https://", "UTC"}


def unmarked_in_template(source: str) -> list[str]:
    """Literal text outside Jinja (between tags and in human-read attributes), and English string constants
    in expressions outside _() / ngettext(), such as a label passed to a macro."""
    found = []
    text = JINJA.sub("\x00", source)
    text = re.sub(r"<(script|style)\b.*?</\1>|<!--.*?-->", " ", text, flags=re.S)
    found += [value for value in HUMAN_ATTRIBUTE.findall(text) if WORDS.search(value.replace("\x00", " "))]
    text = re.sub(r"&[a-zA-Z]+;|&#\d+;", " ", re.sub(r"<[^>]*>", " ", text, flags=re.S))
    found += [piece.strip() for piece in text.split("\x00") if WORDS.search(piece)]

    def constants(node):
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in GETTEXT:
            return
        if isinstance(node, nodes.Const) and isinstance(node.value, str) and TWO_WORDS.search(node.value):
            found.append(node.value)
        for child in node.iter_child_nodes():
            constants(child)

    constants(Environment(extensions=["jinja2.ext.i18n"]).parse(source))
    return [f for f in found if f.replace("\x00", "").strip() not in NOT_WORDS]


# Errors for content authors and programmers: shown by check-content and in logs, in English.
DEVELOPER_ERRORS = {"AppendOnlyError", "ImmutableRecordError", "DirectiveError", "PricingError", "ContentError",
                    "ConfigError", "ClickException", "RuntimeError", "TypeError", "KeyError", "LookupError"}


def unmarked_in_python(source: str) -> list[tuple[int, str]]:
    """Plain string literals where people read them: flash(), form labels, descriptions and choices, validator
    messages, form errors, and the errors that views show (every *Error but the developers' ones)."""
    def name(func):
        return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""

    found = []

    def literal_labels(value):
        """("code", "Label") pairs written out in a list of choices."""
        if isinstance(value, (ast.List, ast.Tuple)):
            for item in value.elts:
                if isinstance(item, ast.Tuple) and len(item.elts) == 2 and isinstance(item.elts[1], ast.Constant) \
                        and isinstance(item.elts[1].value, str) and WORDS.search(item.elts[1].value):
                    found.append((item.lineno, ast.unparse(item.elts[1])))

    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Attribute) and t.attr == "choices"
                                                for t in node.targets):
            literal_labels(node.value)
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg == "choices":
                literal_labels(keyword.value)
        fn = name(node.func)
        # (A terminal progress bar's label is the command line's, like its echo: not a page's string.)
        candidates = [k.value for k in node.keywords if k.arg in ("message", "description", "label")
                      and fn != "progressbar"]
        if fn == "flash" or (fn.endswith("Error") and fn not in DEVELOPER_ERRORS):
            candidates += node.args[:1]
        elif fn.endswith("Field"):
            candidates += node.args[:1]
        elif fn == "SelectChoice":  # SelectChoice(value, label): the label is read
            candidates += node.args[1:2]
        elif fn == "append" and isinstance(node.func, ast.Attribute) and name(node.func.value) == "errors":
            candidates += node.args[:1]
        for value in candidates:
            if isinstance(value, ast.JoinedStr) or (isinstance(value, ast.Constant) and isinstance(value.value, str)
                                                     and WORDS.search(value.value)):
                found.append((node.lineno, ast.unparse(value)))
    return found


def test_the_detectors_catch_unmarked_strings():
    template = ('<p>Read this first</p> <a title="Open the page">{{ _("x") }}</a> '
                '{{ post_button(url, "Save the plan") }} {{ _("Marked text") }} <input placeholder="https://">')
    assert unmarked_in_template(template) == ["Open the page", "Read this first", "Save the plan"]
    python = ('flash("Saved.")\nflash(_("Saved."))\nname = StringField("Full name")\n'
              'raise MentoringError("No.")\nraise PricingError("no price")\nform.x.errors.append(f"{n} bad")\n'
              'DataRequired(message="Say it.")\nkind = SelectField(_l("Kind"), choices=[("a", "Apples"), ("b", _l("Pears"))])\n'
              'form.kind.choices = [("", "Any kind")]\n'
              'form.kind.choices = [SelectChoice("", "Any fruit"), SelectChoice("a", _("Apples"))]\n')
    assert sorted(line for line, _ in unmarked_in_python(python)) == [1, 3, 4, 6, 7, 8, 9, 10]


def test_every_template_string_is_marked_for_translation():
    problems = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for text in unmarked_in_template(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(ROOT)}: {text[:70]!r}")
    assert not problems, "text not marked with _() in templates:\n" + "\n".join(problems)


def test_every_view_and_form_string_is_marked_for_translation():
    problems = []
    for path in sorted((ROOT / "onboarding").rglob("*.py")):
        for line, text in unmarked_in_python(path.read_text(encoding="utf-8")):
            problems.append(f"{path.relative_to(ROOT)}:{line}: {text[:70]}")
    assert not problems, "strings people read, not marked with _() or _l():\n" + "\n".join(problems)


# --- the Arabic catalog ------------------------------------------------------------------------------------

def extracted_messages() -> dict:
    """Every marked msgid in the code and templates now, as `make translations` extracts them."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_ngettext=(1, 2))
    found = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords, strip_comment_tags=True):
        key = message if isinstance(message, str) else message[0]
        found.setdefault(key, f"{filename}:{lineno}")
    return found


def test_the_arabic_catalog_has_every_string_translated():
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="ar")
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, (tuple, list)) else [message.string]
        translated[key] = not message.fuzzy and all(s and s.strip() for s in strings)
        if isinstance(message.id, (tuple, list)):
            translated[key] = translated[key] and len(strings) == catalog.num_plurals
    missing = [f"{where}: {msgid!r}" for msgid, where in extracted_messages().items() if msgid not in translated]
    empty = [repr(msgid) for msgid, ok in translated.items() if not ok]
    assert not missing, ("msgids missing from translations/ar (run `make translations`, then translate):\n"
                         + "\n".join(missing))
    assert not empty, "empty, fuzzy or incomplete plural translations in translations/ar:\n" + "\n".join(empty)


def test_arabic_translations_keep_every_placeholder():
    with CATALOG.open("rb") as po:
        catalog = read_po(po, locale="ar")
    errors = [f"{message.id!r}: {error}" for message, errs in catalog.check() for error in errs]
    assert not errors, "\n".join(errors)
    broken = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not message.string:
            continue  # an empty translation is the completeness test's to report
        wanted = sorted(re.findall(r"%\(\w+\)[sd]", message.id))
        if sorted(re.findall(r"%\(\w+\)[sd]", message.string)) != wanted:
            broken.append(repr(message.id))
    assert not broken, "placeholders differ in: " + ", ".join(broken)


# --- choosing the language ---------------------------------------------------------------------------------

def _locale(app, uid):
    from onboarding.auth.models import User
    from onboarding.extensions import db

    with app.app_context():
        return db.session.get(User, uid).locale


def test_the_browser_language_applies_until_the_user_chooses(client, app):
    page = client.get("/login", headers={"Accept-Language": "ar,en;q=0.5"}).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "تسجيل الدخول" in page
    assert '<html lang="ar" dir="rtl">' in client.get("/login", headers={"Accept-Language": "ar-EG"}).get_data(as_text=True)
    page = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page and "Sign in" in page
    app.config["DEFAULT_LOCALE"] = "ar"
    assert '<html lang="ar" dir="rtl">' in client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)


def test_choosing_arabic_switches_at_once_and_is_audited(client, app, auth, make_user):
    uid = make_user("trainee", email="layla@example.com")
    auth.login("layla@example.com")
    token = auth.token("/account")
    response = client.post("/account/language", data={"locale": "ar", "csrf_token": token},
                           headers={"Accept-Language": "en"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page
    assert "حُفظت لغتك." in page and "حسابك" in page
    assert _locale(app, uid) == "ar"
    # Every page follows the choice, whatever the browser says; dates are Arabic.
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'dir="rtl"' in home and "الرئيسية" in home
    from onboarding.audit.models import AuditEvent
    from onboarding.extensions import db

    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "locale_changed")).one()
        assert (event.actor_id, event.subject_id, event.details) == (uid, uid, {"before": None, "after": "ar"})

    page = client.post("/account/language", data={"locale": "en", "csrf_token": token},
                       follow_redirects=True, headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page and "Your language is saved." in page
    client.post("/account/language", data={"locale": "", "csrf_token": token})
    assert _locale(app, uid) is None
    assert 'dir="rtl"' in client.get("/account", headers={"Accept-Language": "ar"}).get_data(as_text=True)


def test_the_language_choice_needs_csrf_and_a_known_language(client, app, auth, make_user):
    uid = make_user("mentor", email="omar@example.com")
    auth.login("omar@example.com")
    assert client.post("/account/language", data={"locale": "ar"}).status_code == 400
    token = auth.token("/account")
    assert client.post("/account/language", data={"locale": "xx", "csrf_token": token}).status_code == 400
    assert _locale(app, uid) is None


def test_form_errors_and_validators_speak_arabic(client, app, make_user):
    make_user("trainee", email="sara@example.com")
    page = client.get("/login", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    page = client.post("/login", data={"email": "", "password": "", "csrf_token": token},
                       headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "This field is required" not in page
    assert "هذا الحقل مطلوب" in page or "مطلوب" in page


# --- formatting --------------------------------------------------------------------------------------------

def test_dates_and_numbers_follow_the_locale(app):
    from onboarding import i18n

    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert i18n.fmt_date(date(2026, 11, 27)) == "27 نوفمبر 2026"
        assert "نوفمبر" in i18n.fmt_datetime(datetime(2026, 11, 27, 14, 5, tzinfo=timezone.utc))
        assert i18n.fmt_number(1234.5) == "1,234.5"  # Western digits: see README, "Languages"
        assert i18n.locale_attrs() == {"lang": "ar", "dir": "rtl"}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert i18n.fmt_date(date(2026, 11, 27)) == "Nov 27, 2026"
        assert i18n.fmt_datetime(datetime(2026, 11, 27, 14, 5, tzinfo=timezone.utc)) == "Nov 27, 2026 2:05\u202fPM"
        assert i18n.locale_attrs() == {"lang": "en", "dir": "ltr"}


def test_a_template_speaks_the_language_of_the_moment(app):
    """The catalog a template keeps for the request follows Flask-Babel's force_locale and refresh."""
    from flask_babel import force_locale, refresh

    from onboarding.i18n import request_translations

    template = app.jinja_env.from_string("{{ _('Sign in') }} / {{ ngettext('%(num)d day', '%(num)d days', 2) }}")
    with app.test_request_context(headers={"Accept-Language": "en"}) as context:
        assert template.render() == "Sign in / 2 days"
        assert request_translations() is request_translations()  # looked up once for the request
        with force_locale("ar"):
            arabic = template.render()
        assert arabic != "Sign in / 2 days" and "Sign in" not in arabic
        assert template.render() == "Sign in / 2 days"
        context.request.environ["HTTP_ACCEPT_LANGUAGE"] = "ar"  # the reader changes language mid-request
        context.request.__dict__.pop("accept_languages", None)
        assert template.render() == "Sign in / 2 days"  # not before Flask-Babel is told
        refresh()
        assert template.render() == arabic


@pytest.mark.parametrize("text, value", [
    ("٢٠", "20"), ("٢٥٧٤٥٫٤٨", "25745.48"), ("٢٥٬٧٤٥٫٤٨ يورو", "25745.48"), ("١٢٫٥ ٪", "12.5"),
    ("25745,48 يورو", "25745.48"), ("١٬٢٣٤", "1234"),
])
def test_numeric_answers_read_arabic_digits_and_separators(text, value):
    from decimal import Decimal

    from onboarding.assessment.grading import parse_number

    assert parse_number(text) == Decimal(value)
    assert parse_number(text + " دولار") is None  # other words are still refused


def test_notifications_are_worded_and_dated_in_the_readers_language(app):
    from onboarding.notifications.models import Notification
    from onboarding.notifications.services import wording

    note = Notification(user_id=1, kind="activity_corrected", params={"day": "2026-11-02"}, link="/")
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert wording(note) == "صحّح مرشدك أرقامك ليوم 2 نوفمبر 2026."
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert wording(note) == "Your mentor corrected your figures for Nov 2, 2026."
