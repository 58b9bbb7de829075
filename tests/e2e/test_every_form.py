"""Every form of every demo role, sent with one invalid value: the answer shows its error summary first, in view
and focused, marks the bad field, and keeps every other value that was typed.

Forms are found as a person finds them (the crawl of test_small_screens). For each form with fields to type
into (a POST form, or a filter that GETs its page), the test fills each field with a value of its own, then breaks
one: over its `maxlength`, outside its `min`/`max`, or empty when it is required. The browser's own checks are
switched off (`novalidate`), as another client would send it, so the server's checks are the ones tested.
Screenshots of a failing answer go to test-output/every-form/.
"""
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import DEMO_ROLES, crawl, sign_in_page

pytestmark = pytest.mark.browser

SHOTS = Path(__file__).resolve().parents[2] / "test-output" / "every-form"

# The forms inside <main> that have something to type into (filters that GET a page too), with each field's constraints.
FORMS = """() => [...document.querySelectorAll('main form')]
  .map((form, index) => ({form, index}))
  .map(({form, index}) => ({
    index,
    action: new URL(form.getAttribute('action') || '', location.href).pathname,
    fields: [...form.elements]
      .filter(e => e.name && (e.tagName === 'TEXTAREA' || (e.tagName === 'INPUT' &&
               ['text', 'email', 'url', 'number', 'date', 'datetime-local', 'time', 'search', 'tel', 'password']
               .includes(e.type))))
      .filter(e => !e.disabled && !e.readOnly)
      .map(e => ({name: e.name, type: e.tagName === 'TEXTAREA' ? 'textarea' : e.type, value: e.value,
                  maxlength: e.maxLength > 0 ? e.maxLength : null, required: e.required,
                  min: e.min || null, max: e.max || null, step: e.step || null})),
  }))
  .filter(f => f.fields.length > 0)"""

# Fill the form's fields, break one, and send it the way a client without the browser's checks would.
SEND = """([index, values]) => {
  const form = document.querySelectorAll('main form')[index];
  form.noValidate = true;
  for (const [name, value] of Object.entries(values)) {
    const field = form.elements.namedItem(name);
    const one = field instanceof RadioNodeList ? field[0] : field;
    one.removeAttribute('maxlength'); one.removeAttribute('min'); one.removeAttribute('max');
    one.removeAttribute('required');
    one.value = value;
  }
  const button = form.querySelector('button[type=submit]:not([formaction]), button:not([type]), input[type=submit]');
  form.requestSubmit(button || undefined);
}"""

# Reading pages hold no forms to type into; the crawl passes them by to reach every form of the role.
READING = re.compile(r"^/modules/")
PAGES = 150

IN_VIEW = """e => { const r = e.getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight; }"""


def _kept_value(field, n):
    """A value of the field's own kind that the server accepts, distinct for each field."""
    kind, current = field["type"], field["value"]
    if kind == "number":
        if current:
            return current
        low = float(field["min"]) if field["min"] else 0
        high = float(field["max"]) if field["max"] else low + 10
        return str(int(min(max(low + 1, low), high)))
    if kind in ("date", "datetime-local", "time"):
        return current or {"date": "2026-12-03", "datetime-local": "2026-12-03T10:00", "time": "10:00"}[kind]
    if kind == "email":
        return f"kept-{n}@example.com"
    if kind == "url":
        return f"https://drive.example/kept-{n}.pdf"
    if kind == "password":
        return f"kept-password-{n}-2026"
    text = f"Kept {n}"
    return text[: field["maxlength"]] if field["maxlength"] else text


def _breaking(field):
    """A value that breaks one of the field's own constraints, or None when it has none to break."""
    if field["maxlength"] and field["type"] in ("text", "textarea", "search", "tel", "email", "url"):
        return "w" * (field["maxlength"] + 1)
    if field["type"] == "number" and field["max"]:
        return str(int(float(field["max"])) + 1)
    if field["type"] == "number" and field["min"]:
        return str(int(float(field["min"])) - 1)
    if field["required"] and field["type"] != "password":
        return ""
    return None


def _plan(form):
    """(values to send, the field broken) for a form, or None when no field has a constraint to break."""
    order = sorted(form["fields"], key=lambda f: (f["type"] == "password", not f["maxlength"], not f["required"]))
    for broken in order:
        bad = _breaking(broken)
        if bad is not None:
            values = {f["name"]: _kept_value(f, n) for n, f in enumerate(form["fields"])}
            values[broken["name"]] = bad
            return values, broken["name"]
    return None


def _same(sent, shown, kind):
    if kind == "number":
        try:
            return float(sent) == float(shown)
        except ValueError:
            return sent == shown
    if kind == "datetime-local":
        return sent[:16] == shown[:16]
    return sent == shown


def _form_key(form):
    """Forms that differ only in the record they act on (/trainees/7/tasks/a/sign, /trainees/8/tasks/b/sign) are
    the same form: the last step of the address and the fields tell them apart."""
    return form["action"].rstrip("/").rsplit("/", 1)[-1], tuple(sorted(f["name"] for f in form["fields"]))


def _open_an_attempt(page, quizzes):
    """Read the modules the first quiz that can open covers, start an attempt, and return the attempt's path."""
    for quiz in quizzes:
        page.goto(quiz)
        to_read = page.eval_on_selector_all("ul[aria-labelledby=to-read-title] a", "links => links.map(a => a.href)")
        for module in to_read:
            page.goto(module)
            with page.expect_navigation():
                page.locator("main form[action$='/complete'] button[type=submit]").first.click()
        page.goto(quiz)
        start = page.locator("main form[action$='/start'] button[type=submit]")
        if start.count():
            with page.expect_navigation():
                start.first.click()
            return urlsplit(page.url).path
    return None


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"))


def _check_answer(page, path, form, values, broken):
    """What is wrong with the answer to one refused form, as a list of sentences."""
    where = f"{form['action']} (from {path}, {broken} broken)"
    problems = []
    summary = page.locator("main .error-summary")
    if summary.count() != 1:
        return [f"{where}: no error summary on the answer ({page.url})"]
    if not summary.evaluate(IN_VIEW):
        problems.append(f"{where}: the error summary is out of sight")
    if not page.evaluate("document.activeElement && document.activeElement.classList.contains('error-summary')"):
        problems.append(f"{where}: the error summary does not have the focus")
    bad = page.locator(f"main [name='{broken}'][aria-invalid=true]")
    if bad.count() < 1:
        return problems + [f"{where}: the broken field is not marked aria-invalid"]
    kinds = {f["name"]: f["type"] for f in form["fields"]}
    shown = bad.first.evaluate("""e => Object.fromEntries([...e.form.elements].filter(x => x.name)
                                    .map(x => [x.name, x.value]))""")
    for name, sent in values.items():
        if name == broken or kinds[name] == "password":
            continue
        if name not in shown:
            problems.append(f"{where}: {name} is missing from the answer")
        elif not _same(sent, shown[name], kinds[name]):
            problems.append(f"{where}: {name} was {sent!r}, the answer shows {shown[name]!r}")
    return problems


@pytest.mark.parametrize("who", DEMO_ROLES)
def test_every_form_keeps_what_was_typed_and_shows_its_error_in_view(browser, live_demo, who):
    base, _env = live_demo
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    try:
        page = sign_in_page(context, f"{who}@example.com")
        found = []  # (page path, form) for each different form, in the order met
        seen = set()

        def collect(path):
            for form in page.evaluate(FORMS):
                key = _form_key(form)
                if key not in seen:
                    seen.add(key)
                    found.append((path, form))

        quizzes = []
        for path, _response in crawl(page, [], limit=PAGES, skip=READING):
            collect(path)
            if path.startswith("/quizzes/"):
                quizzes.append(path)
        # A quiz's answer form exists once an attempt is started: read what it covers, start it, take its forms.
        attempt = _open_an_attempt(page, quizzes)
        if attempt:
            collect(attempt)
        problems, tried = [], 0
        for path, form in found:
            plan = _plan(form)
            if plan is None:
                continue
            values, broken = plan
            page.goto(path)
            with page.expect_navigation():
                page.evaluate(SEND, [form["index"], values])
            page.wait_for_load_state()
            tried += 1
            found_problems = _check_answer(page, path, form, values, broken)
            if found_problems:
                _shot(page, f"{who}-{form['action']}-{broken}")
            problems += found_problems
        assert tried >= 1, f"{who}: no form with a field to break was found"
        assert not problems, f"{who}, {tried} forms tried:\n" + "\n".join(problems)
    finally:
        context.close()
