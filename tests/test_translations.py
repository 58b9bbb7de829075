"""Content translations beside their originals: loading, checking, what each reader sees, what is recorded."""
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from onboarding.content.loader import load_curriculum
from onboarding.content.model import ContentError

from .test_answer_key import shipped_app  # noqa: F401  (the app on the shipped content)
from .test_assessment import answer_all_right, start
from .test_i18n import compiled_catalog  # noqa: F401  (the Arabic interface for these pages)

HERE = Path(__file__).resolve().parent
SHIPPED_CONTENT, SHIPPED_QUIZZES = HERE.parent / "content", HERE.parent / "quizzes"

HELLO_AR = """---
title: مرحبًا
summary: الوحدة الأولى.
---
## من نحن

وحدة للاختبار تشير إلى [الوحدة التالية](module:rules) وتعرض {{ price BR-500 }}.
"""
STAGE_AR = "title: الشركة\nsummary: من نحن.\n"
JOB_AR = """---
title: الوصف الوظيفي
---
## المهام

نص عربي للوصف الوظيفي.
"""
BASICS_AR = """title: الأساسيات
introduction: اختبار قصير للتجارب.
questions:
  - id: capital
    prompt: أيّها الصحيح؟
    options:
      - text: الإجابة الصحيحة
      - text: إجابة خاطئة
      - text: إجابة خاطئة أخرى
    explanation: راجع وحدة «مرحبًا».
  - id: pick-two
    prompt: اختر الاثنين الجيدين.
    options: [الجيد الأول, الجيد الثاني, السيئ]
  - id: vat
    prompt: نسبة ضريبة القيمة المضافة بالمئة؟
  - id: quote
    prompt: "الإجمالي الصافي لـ {quantity} × {product} ({sku}) بشرط «{term}»، باليورو؟"
    unit: يورو
"""

CHECKLIST_AR = """title: العمل مع مرشد
tasks:
  - id: proposal
    title: اكتب عرضًا تجاريًا
    good: الأسعار من القائمة.
  - id: segmentation
    title: قسّم العملاء إلى شرائح
"""


def translated(root: Path, quizzes: Path) -> None:
    (root / "s1-company" / "hello.ar.md").write_text(HELLO_AR, encoding="utf-8")
    (root / "s1-company" / "stage.ar.yaml").write_text(STAGE_AR, encoding="utf-8")
    (root / "job-description.ar.md").write_text(JOB_AR, encoding="utf-8")
    (quizzes / "basics.ar.yaml").write_text(BASICS_AR, encoding="utf-8")
    (quizzes / "checklists" / "stage-3.ar.yaml").write_text(CHECKLIST_AR, encoding="utf-8")
    (quizzes / "scenarios" / "school.ar.yaml").write_text("title: مدرسة الأرز\n", encoding="utf-8")


def translated_copy(base: Path):
    """A copy of the test content and quizzes under base, with the Arabic translations above."""
    content, quizzes = base / "content", base / "quizzes"
    shutil.copytree(HERE / "content", content)
    shutil.copytree(HERE / "quizzes", quizzes)
    translated(content, quizzes)
    return content, quizzes


@pytest.fixture(scope="session")
def translated_set(tmp_path_factory):
    return translated_copy(tmp_path_factory.mktemp("translated"))


@pytest.fixture(scope="session")
def content_dir(translated_set):
    """The app's content in this module: never changed by a test (the app and its database template share it)."""
    return translated_set[0]


@pytest.fixture(scope="session")
def quizzes_dir(translated_set):
    return translated_set[1]


@pytest.fixture
def fresh(tmp_path):
    """A copy of the translated test content that one test may break."""
    return translated_copy(tmp_path)


@pytest.fixture
def fresh_content(fresh):
    return fresh[0]


@pytest.fixture
def fresh_quizzes(fresh):
    return fresh[1]


def problems_of(content, quizzes):
    with pytest.raises(ContentError) as info:
        load_curriculum(content, quizzes)
    return [str(p) for p in info.value.problems]


# --- loading and checking ----------------------------------------------------------------------------------

def test_translations_load_beside_their_originals(fresh_content, fresh_quizzes):
    cur = load_curriculum(fresh_content, fresh_quizzes)
    arabic = cur.translations["ar"]
    hello = arabic["modules"]["hello"]
    assert (hello.title, hello.locale, hello.order, hello.stage) == ("مرحبًا", "ar", 1, cur.modules["hello"].stage)
    assert hello.version != cur.modules["hello"].version and "href=\"/modules/rules\"" in hello.html
    assert "hello.ar" not in cur.modules and cur.modules["hello"].locale == ""
    assert arabic["stages"][1] == ("الشركة", "من نحن.")
    quiz = arabic["quizzes"]["basics"]
    assert [q.id for q in quiz.questions] == [q.id for q in cur.quizzes["basics"].questions]
    assert [o.correct for o in quiz.questions[0].options] == [o.correct for o in cur.quizzes["basics"].questions[0].options]
    assert quiz.questions[0].options[0].text == "الإجابة الصحيحة" and quiz.questions[3].unit == "يورو"
    assert quiz.questions[2].answer == cur.quizzes["basics"].questions[2].answer
    assert arabic["document"].version == cur.job_description.version


def test_the_job_description_version_covers_its_translations(fresh_content, fresh_quizzes):
    before = load_curriculum(fresh_content, fresh_quizzes).job_description.version
    (fresh_content / "job-description.ar.md").write_text(JOB_AR + "\nسطر جديد.\n", encoding="utf-8")
    assert load_curriculum(fresh_content, fresh_quizzes).job_description.version != before


@pytest.mark.parametrize("rel, text, expected", [
    ("s1-company/welcome.ar.md", HELLO_AR,
     "content/s1-company/welcome.ar.md:1: translation of `welcome` (ar) has no original `welcome.md` beside it"),
    ("s2-product/hello.ar.md", HELLO_AR,
     "content/s2-product/hello.ar.md:1: translation of `hello` (ar) has no original `hello.md` beside it"),
    ("s1-company/hello.ar.md", "---\ntitle: مرحبًا\norder: 2\n---\nنص.\n",
     "content/s1-company/hello.ar.md:3: `order` belongs to the original module"),
    ("s1-company/hello.ar.md", "---\nsummary: بلا عنوان\n---\nنص.\n",
     "content/s1-company/hello.ar.md:1: missing field `title`"),
    ("s1-company/hello.ar.md", "---\ntitle: مرحبًا\n---\nانظر [هنا](module:nowhere).\n",
     "content/s1-company/hello.ar.md:4: broken link to module `nowhere`"),
    ("s1-company/stage.ar.yaml", "title: الشركة\nplanned_days: 3\n",
     "content/s1-company/stage.ar.yaml:2: `planned_days` belongs to the original stage"),
    ("empty/stage.ar.yaml", STAGE_AR,
     "content/empty/stage.ar.yaml:1: translation of a stage (ar) has no `stage.yaml` beside it"),
])
def test_check_content_reports_bad_content_translations(fresh_content, fresh_quizzes, rel, text, expected):
    path = fresh_content / rel
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    assert any(p.endswith(expected) or expected in p for p in problems_of(fresh_content, fresh_quizzes)), \
        problems_of(fresh_content, fresh_quizzes)


@pytest.mark.parametrize("old, new, line, expected", [
    ("  - id: vat\n", "  - id: tax\n", 3, "the questions differ from the original's"),
    ("      - text: إجابة خاطئة أخرى\n", "", 6, "question `capital`: 2 options, the original has 3"),
    ("      - text: الإجابة الصحيحة\n", "      - {text: الإجابة الصحيحة, correct: true}\n", 7,
     "option 1 gives only its `text`"),
    ("    prompt: أيّها الصحيح؟\n", "    prompt: أيّها الصحيح؟\n    points: 3\n", 6,
     "question `capital`: `points` belongs to the original"),
    ("({sku})", "({term_code})", 17, "the prompt's placeholders (product, quantity, term, term_code) differ"),
    ("title: الأساسيات\n", "title: الأساسيات\npass_mark: 10\n", 2, "`pass_mark` belongs to the original quiz"),
    ("title: الأساسيات\n", "title: الأساسيات\nbefore_role_play: false\n", 2,
     "`before_role_play` belongs to the original quiz"),
])
def test_check_content_reports_quiz_translations_that_differ_in_structure(fresh_content, fresh_quizzes, old, new, line,
                                                                          expected):
    path = fresh_quizzes / "basics.ar.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    problems = problems_of(fresh_content, fresh_quizzes)
    assert any(p.startswith(f"quizzes/basics.ar.yaml:{line}: ") and expected in p for p in problems), problems


def test_payment_terms_are_worded_in_the_translation_and_priced_by_the_original(fresh_content, fresh_quizzes):
    (fresh_content / "prices.ar.yaml").write_text(
        "payment_terms:\n  - code: net30\n    label: الدفع خلال 30 يومًا\n    approval: فحص ائتماني\n", encoding="utf-8")
    cur = load_curriculum(fresh_content, fresh_quizzes)
    arabic = cur.translations["ar"]["price_list"]
    assert arabic.terms["net30"].label == "الدفع خلال 30 يومًا"
    assert arabic.terms["net30"].adjustment_percent == cur.price_list.terms["net30"].adjustment_percent
    assert arabic.prices == cur.price_list.prices and cur.price_list.terms["net30"].label != arabic.terms["net30"].label


@pytest.mark.parametrize("text, expected", [
    ("payment_terms:\n  - code: net90\n    label: x\n", "content/prices.ar.yaml:2: unknown payment term `net90`"),
    ("payment_terms:\n  - code: net30\n    days: 45\n", "content/prices.ar.yaml:3: payment term `net30`: `days` belongs"),
    ("vat_percent: 5\npayment_terms: []\n", "content/prices.ar.yaml:1: `vat_percent` belongs to the original price list"),
])
def test_check_content_reports_bad_price_list_translations(fresh_content, fresh_quizzes, text, expected):
    (fresh_content / "prices.ar.yaml").write_text(text, encoding="utf-8")
    assert any(expected in p for p in problems_of(fresh_content, fresh_quizzes)), problems_of(fresh_content, fresh_quizzes)


CATALOG_AR = """products:
  - sku: BR-500
    name: جهاز تنقية الهواء Breeze 500
    packaging: وحدة واحدة في كل كرتونة.
"""


def test_the_catalog_is_worded_in_the_translation_and_counted_by_the_original(fresh_content, fresh_quizzes):
    (fresh_content / "catalog.ar.yaml").write_text(CATALOG_AR, encoding="utf-8")
    cur = load_curriculum(fresh_content, fresh_quizzes)
    arabic = cur.translations["ar"]["catalog"].products["BR-500"]
    original = cur.catalog.products["BR-500"]
    assert (arabic.name, arabic.packaging) == ("جهاز تنقية الهواء Breeze 500", "وحدة واحدة في كل كرتونة.")
    assert (arabic.stock, arabic.pack_size, arabic.specs) == (original.stock, original.pack_size, original.specs)
    assert cur.catalog.products["BR-500"].name == "Breeze 500 air purifier"


@pytest.mark.parametrize("text, expected", [
    ("products:\n  - sku: XX-1\n    name: x\n", "content/catalog.ar.yaml:2: unknown SKU XX-1"),
    ("products:\n  - sku: BR-500\n    stock: 5\n", "content/catalog.ar.yaml:3: BR-500: `stock` belongs to the original"),
    ("products:\n  - sku: BR-500\n    specs: {الوزن: 1 كغ}\n",
     "content/catalog.ar.yaml:3: BR-500: the specifications must be the original's"),
    ("stock_as_of: 2026-01-01\nproducts: []\n", "content/catalog.ar.yaml:1: `stock_as_of` belongs to the original"),
])
def test_check_content_reports_bad_catalog_translations(fresh_content, fresh_quizzes, text, expected):
    (fresh_content / "catalog.ar.yaml").write_text(text, encoding="utf-8")
    assert any(expected in p for p in problems_of(fresh_content, fresh_quizzes)), problems_of(fresh_content, fresh_quizzes)


def test_check_content_reports_an_orphan_quiz_translation(fresh_content, fresh_quizzes):
    (fresh_quizzes / "gone.ar.yaml").write_text(BASICS_AR, encoding="utf-8")
    assert "quizzes/gone.ar.yaml:1: translation of quiz `gone` (ar) has no original `gone.yaml` beside it" \
        in problems_of(fresh_content, fresh_quizzes)




def test_a_translated_checklist_and_quiz_keep_the_originals_before_role_play(fresh_content, fresh_quizzes):
    arabic = load_curriculum(fresh_content, fresh_quizzes).translations["ar"]
    assert [t.before_role_play for t in arabic["checklists"][3].tasks] == [True, True]
    assert arabic["quizzes"]["basics"].before_role_play is False


def test_the_shipped_scenarios_are_all_translated_in_full():
    cur = load_curriculum(SHIPPED_CONTENT, SHIPPED_QUIZZES)
    arabic = cur.translations["ar"]["scenarios"]
    assert set(arabic) == set(cur.scenarios) and len(cur.scenarios) >= 3
    for slug, scenario in cur.scenarios.items():
        translated = arabic[slug]
        assert translated.title != scenario.title and translated.client_role != scenario.client_role, slug
        assert translated.trainee_brief_html != scenario.trainee_brief_html, slug
        assert translated.evaluator_brief_html != scenario.evaluator_brief_html, slug
        assert all(t.title != c.title and t.description != c.description
                   for t, c in zip(translated.criteria, scenario.criteria)), slug
        assert translated.trainee_brief_html.count("<strong>") == scenario.trainee_brief_html.count("<strong>"), slug
        assert translated.evaluator_brief_html.count("<strong>") == scenario.evaluator_brief_html.count("<strong>"), \
            slug


def test_checklists_are_translated_task_by_task(fresh_content, fresh_quizzes):
    original = load_curriculum(fresh_content, fresh_quizzes).stage(3).checklist
    assert [t.id for t in original.tasks] == ["proposal", "segmentation"], "the test checklist changed"
    (fresh_quizzes / "checklists" / "stage-3.ar.yaml").write_text(CHECKLIST_AR, encoding="utf-8")
    arabic = load_curriculum(fresh_content, fresh_quizzes).translations["ar"]["checklists"][3]
    assert (arabic.title, arabic.locale, arabic.tasks[0].title) == ("العمل مع مرشد", "ar", "اكتب عرضًا تجاريًا")
    assert arabic.tasks[0].module == original.tasks[0].module and "الأسعار من القائمة" in arabic.tasks[0].good_html
    assert arabic.tasks[1].good_html == original.tasks[1].good_html  # words not given stay the original's


@pytest.mark.parametrize("old, new, expected", [
    ("  - id: proposal\n", "  - id: offer\n", "quizzes/checklists/stage-3.ar.yaml:2: the tasks differ"),
    ("    good:", "    module: hello\n    good:", "quizzes/checklists/stage-3.ar.yaml:5: task `proposal`: `module` belongs"),
    ("title: العمل مع مرشد\n", "stage: 2\n", "quizzes/checklists/stage-3.ar.yaml:1: `stage` belongs to the original"),
    ("    good: الأسعار من القائمة.\n", "    good: الأسعار من القائمة.\n    before_role_play: true\n",
     "quizzes/checklists/stage-3.ar.yaml:6: task `proposal`: `before_role_play` belongs to the original"),
])
def test_check_content_reports_checklist_translations_that_differ(fresh_content, fresh_quizzes, old, new, expected):
    (fresh_quizzes / "checklists" / "stage-3.ar.yaml").write_text(CHECKLIST_AR.replace(old, new), encoding="utf-8")
    assert any(p.startswith(expected) for p in problems_of(fresh_content, fresh_quizzes)), \
        problems_of(fresh_content, fresh_quizzes)


SCENARIO_AR = """title: مدرسة
client: {role: مديرة المدرسة}
trainee_brief: موجز للمتدرّب.
evaluator_brief: موجز للمقيّمين.
criteria:
{criteria}
"""


def _scenario_ar(fresh_content, fresh_quizzes, **changes):
    original = load_curriculum(fresh_content, fresh_quizzes).scenarios["school"]
    criteria = "\n".join(f"  - {{id: {c.id}, title: معيار {i}}}" for i, c in enumerate(original.criteria))
    text = SCENARIO_AR.replace("{criteria}", criteria)
    for old, new in changes.items():
        text = text.replace(old, new)
    (fresh_quizzes / "scenarios" / "school.ar.yaml").write_text(text, encoding="utf-8")
    return original


def test_scenarios_are_translated_criterion_by_criterion(fresh_content, fresh_quizzes):
    original = _scenario_ar(fresh_content, fresh_quizzes)
    arabic = load_curriculum(fresh_content, fresh_quizzes).translations["ar"]["scenarios"]["school"]
    assert (arabic.title, arabic.client_role, arabic.locale) == ("مدرسة", "مديرة المدرسة", "ar")
    assert arabic.client_name == original.client_name and "موجز للمقيّمين" in arabic.evaluator_brief_html
    assert [(c.id, c.weight, c.scale) for c in arabic.criteria] == [(c.id, c.weight, c.scale) for c in original.criteria]
    assert arabic.criteria[0].title == "معيار 0" and arabic.pass_threshold == original.pass_threshold


@pytest.mark.parametrize("old, new, expected", [
    ("criteria:", "pass_threshold: 10\ncriteria:", "`pass_threshold` belongs to the original scenario"),
    ("title: معيار 0}", "title: معيار 0, weight: 90}", "`weight` belongs to the original"),
    ("client: {role: مديرة المدرسة}", "client: {role: مديرة, budget: 5}", "`client` gives only name, role and company"),
])
def test_check_content_reports_scenario_translations_that_differ(fresh_content, fresh_quizzes, old, new, expected):
    _scenario_ar(fresh_content, fresh_quizzes, **{old: new})
    problems = problems_of(fresh_content, fresh_quizzes)
    assert any(p.startswith("quizzes/scenarios/school.ar.yaml:") and expected in p for p in problems), problems


def test_check_content_reports_scenario_translations_with_other_criteria(fresh_content, fresh_quizzes):
    (fresh_quizzes / "scenarios" / "school.ar.yaml").write_text(
        SCENARIO_AR.replace("{criteria}", "  - {id: nothing, title: لا شيء}"), encoding="utf-8")
    assert any(p.startswith("quizzes/scenarios/school.ar.yaml:5: the criteria differ from the original's")
               for p in problems_of(fresh_content, fresh_quizzes))


@pytest.mark.parametrize("number", [1, 2])
def test_the_shipped_arabic_translations_cover_stages_1_and_2(number):
    cur = load_curriculum(SHIPPED_CONTENT, SHIPPED_QUIZZES)
    arabic = cur.translations["ar"]
    stage = cur.stage(number)
    assert set(arabic["modules"]) >= set(stage.module_slugs)
    assert {q.slug for q in stage.quizzes} <= set(arabic["quizzes"])
    assert arabic["document"] is not None and number in arabic["stages"] and number in arabic["checklists"]
    for slug in stage.module_slugs:
        module = arabic["modules"][slug]
        assert module.html.count("<h2") == cur.modules[slug].html.count("<h2"), slug
        assert module.html.count("<table") == cur.modules[slug].html.count("<table"), slug
        assert "{{" not in module.html, f"{slug}: a directive was not expanded"


# --- what readers see and what is recorded -----------------------------------------------------------------

def _set_locale(app, uid, locale):
    from onboarding.auth.models import User
    from onboarding.extensions import db

    with app.app_context():
        db.session.get(User, uid).locale = locale
        db.session.commit()


def test_an_arabic_trainee_reads_the_translation_and_its_version_is_recorded(app, client, auth, make_user):
    from onboarding.audit.models import AuditEvent
    from onboarding.extensions import db
    from onboarding.learning.models import ModuleCompletion

    uid = make_user("trainee", email="huda@example.com")
    _set_locale(app, uid, "ar")
    auth.login("huda@example.com")
    page = client.get("/modules/hello").get_data(as_text=True)
    assert "<h1 lang=\"ar\" dir=\"rtl\">مرحبًا</h1>" in page and "وحدة للاختبار" in page
    assert "not translated into your language" not in page and "لم يُترجم" not in page
    assert "الشركة" in client.get("/stages/1").get_data(as_text=True)
    client.post("/modules/hello/complete", data={"csrf_token": auth.token("/modules/hello")})
    with app.app_context():
        cur = app.extensions["curriculum"]
        completion = db.session.scalars(sa.select(ModuleCompletion)).one()
        assert completion.content_version == cur.translations["ar"]["modules"]["hello"].version
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "module_completed")).one()
        assert event.details["language"] == "ar"


def test_an_untranslated_module_shows_the_original_with_a_note(app, client, auth, make_user):
    uid = make_user("trainee", email="rami@example.com")
    _set_locale(app, uid, "ar")
    auth.login("rami@example.com")
    page = client.get("/modules/rules").get_data(as_text=True)
    assert "لم يُترجم هذا النص إلى لغتك بعد" in page
    assert 'class="prose" lang="en" dir="ltr"' in page and '<html lang="ar" dir="rtl">' in page


def test_an_english_reader_sees_the_original(app, client, auth, make_user):
    make_user("trainee", email="tom@example.com")
    auth.login("tom@example.com")
    page = client.get("/modules/hello", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1 lang=\"en\" dir=\"ltr\">Hello</h1>" in page and "مرحبًا" not in page
    assert "not translated into your language" not in page


def test_an_arabic_trainee_takes_the_translated_quiz_scored_by_the_original_key(app, client, auth, make_user):
    from onboarding.assessment.models import QuizAttempt
    from onboarding.extensions import db

    from .conftest import read_modules_of

    uid = make_user("trainee", email="dana@example.com")
    _set_locale(app, uid, "ar")
    read_modules_of(app, uid, "basics")
    auth.login("dana@example.com")
    assert "الأساسيات" in client.get("/quizzes/basics").get_data(as_text=True)
    attempt_id = start(client, auth, "basics")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "أيّها الصحيح؟" in page and "الإجابة الصحيحة" in page and "Right answer" not in page
    data = answer_all_right(app, attempt_id)
    data["csrf_token"] = auth.token(f"/attempts/{attempt_id}")
    assert client.post(f"/attempts/{attempt_id}/submit", data=data).status_code == 302
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.passed is True and attempt.percent == 100
        from onboarding.audit.models import AuditEvent

        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action.in_(
            ["quiz_attempt_started", "quiz_submitted"]))).all()
        assert [e.details.get("language") for e in events] == ["ar", "ar"]


def test_a_signature_names_the_version_that_covers_the_translation(app, client, auth, make_user):
    from onboarding.extensions import db
    from onboarding.mentoring.models import Acknowledgement

    uid = make_user("trainee", email="maha@example.com", name="Maha Saleh")
    _set_locale(app, uid, "ar")
    auth.login("maha@example.com")
    page = client.get("/job-description").get_data(as_text=True)
    assert "نص عربي للوصف الوظيفي" in page
    client.post("/job-description/sign", data={"typed_name": "Maha Saleh", "csrf_token": auth.token("/job-description")})
    with app.app_context():
        ack = db.session.scalars(sa.select(Acknowledgement)).one()
        assert ack.version == app.extensions["curriculum"].job_description.version


def test_an_arabic_reader_sees_the_translated_checklist(app, client, auth, make_user):
    trainee = make_user("trainee", email="sami@example.com")
    uid = make_user("head", email="lina@example.com")
    _set_locale(app, uid, "ar")
    auth.login("lina@example.com")
    page = client.get(f"/trainees/{trainee}/checklist").get_data(as_text=True)
    assert "العمل مع مرشد" in page and "اكتب عرضًا تجاريًا" in page and "Write a proposal" not in page


def test_check_content_counts_the_translations(runner):
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 0, result.output
    assert "Translations (ar): 1 modules, 1 stages, 1 quizzes, 1 checklists, 1 scenarios, the job description." \
        in result.output


def test_notifications_name_quizzes_and_tasks_in_the_readers_language(app):
    from onboarding.notifications.models import Notification
    from onboarding.notifications.services import wording

    arabic_note = Notification(user_id=1, kind="extra_attempt", params={"quiz": "الأساسيات"}, link="/")
    english_note = Notification(user_id=1, kind="sign_off_signed", params={"task": "Write a proposal"}, link="/")
    unknown = Notification(user_id=1, kind="extra_attempt", params={"quiz": "A quiz since removed"}, link="/")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert wording(arabic_note) == "You have one more attempt at “Basics”."
        assert wording(unknown) == "You have one more attempt at “A quiz since removed”."
    with app.test_request_context(headers={"Accept-Language": "ar"}):
        assert wording(english_note) == "اعتمد مرشدك «اكتب عرضًا تجاريًا»."


TRANSLATED_QUIZZES = sorted((load_curriculum(SHIPPED_CONTENT, SHIPPED_QUIZZES).translations or {})
                            .get("ar", {}).get("quizzes", {}))


@pytest.mark.parametrize("slug", TRANSLATED_QUIZZES)
def test_no_answer_key_in_an_open_arabic_attempt(shipped_app, slug):
    """The answer-key proof of test_answer_key.py, for the Arabic text of every translated quiz."""
    from .test_answer_key import _flipped, _normalise, _open_attempt

    arabic = {"Accept-Language": "ar"}
    client, auth, attempt_url = _open_attempt(shipped_app, slug)
    page = client.get(attempt_url, headers=arabic).get_data(as_text=True)
    cur = shipped_app.extensions["curriculum"]
    quiz = cur.translations["ar"]["quizzes"][slug]
    with shipped_app.app_context():  # a pooled quiz asks its draw only: a plain question of this attempt
        from onboarding.assessment.grading import asked
        from onboarding.assessment.models import QuizAttempt
        from onboarding.extensions import db

        plan = db.session.get(QuizAttempt, int(attempt_url.rsplit("/", 1)[1])).plan
    plain = next(q for q in asked(quiz, plan) if q.calculate is None)
    assert 'dir="rtl"' in page and plain.prompt_source.strip().splitlines()[0][:30] in page
    for q in quiz.questions:
        for secret in filter(None, [q.model_answer.strip(), q.explanation.strip()] + [r.criterion for r in q.rubric]):
            assert secret not in page, f"{slug}: key text in the Arabic attempt page: {secret[:60]}"
    assert "الإجابة الصحيحة" not in page
    cur.translations["ar"]["quizzes"][slug] = _flipped(quiz)
    shipped_app.extensions["curriculum_by_locale"].clear()
    try:
        flipped = client.get(attempt_url, headers=arabic).get_data(as_text=True)
    finally:
        cur.translations["ar"]["quizzes"][slug] = quiz
        shipped_app.extensions["curriculum_by_locale"].clear()
    assert _normalise(flipped) == _normalise(page), f"{slug}: the Arabic attempt page depends on the answer key"


def test_an_arabic_head_of_sales_schedules_the_translated_scenario(app, client, auth, make_user):
    trainee = make_user("trainee", email="yara@example.com")
    uid = make_user("head", email="nadim@example.com")
    from .conftest import ready_for_role_play

    ready_for_role_play(app, trainee)  # the form (and its scenarios) shows once the role-play may be scheduled
    _set_locale(app, uid, "ar")
    auth.login("nadim@example.com")
    page = client.get(f"/trainees/{trainee}/role-play").get_data(as_text=True)
    assert "مدرسة الأرز" in page


def test_shipped_arabic_product_cards_come_from_the_arabic_catalog():
    cur = load_curriculum(SHIPPED_CONTENT, SHIPPED_QUIZZES)
    card = cur.translations["ar"]["modules"]["purifiers"].html
    assert "جهاز تنقية الهواء Breeze 500" in card and "معدل تدفق الهواء النظيف" in card
    assert "Breeze 500 air purifier" in cur.modules["purifiers"].html
