"""Content loading, rendering, directives, sanitisation and every validation error.

Validation tests copy tests/content into tmp_path, break it in exactly one way and
check that ContentError.problems names the right file, line and reason.
"""
import hashlib
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onboarding.content.loader import load_curriculum
from onboarding.content.model import ContentError, Settings
from onboarding.content.render import render_markdown

HERE = Path(__file__).resolve().parent
GOOD = HERE / "content"
SHIPPED = HERE.parent / "content"


# --------------------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def curriculum():
    return load_curriculum(GOOD)


@pytest.fixture
def broken(tmp_path):
    """A fresh copy of the good test content, named `content` so paths read `content/...`."""
    root = tmp_path / "content"
    shutil.copytree(GOOD, root)
    return root


def edit(root, rel, old, new):
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {rel}: the test content changed"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def problems_of(root):
    with pytest.raises(ContentError) as info:
        load_curriculum(root)
    assert info.value.problems, "ContentError without problems"
    return info.value.problems


def assert_problem(problems, path, line, *fragments):
    """One Problem has this path and line and a message containing every fragment."""
    for p in problems:
        if p.path == path and p.line == line and all(f in p.message for f in fragments):
            return p
    listing = "\n".join(str(p) for p in problems)
    pytest.fail(f"expected {path}:{line}: ...{' ... '.join(fragments)}... among:\n{listing}")


MODULE = "---\ntitle: {title}\norder: {order}\nminutes: 5\n---\n{body}\n"


# --------------------------------------------------------------------------- loading the good set

def test_four_stages_in_number_order(curriculum):
    assert [(s.number, s.title, s.planned_days) for s in curriculum.stages] == [
        (1, "Company", 5), (2, "Product", 10), (3, "Mentor", 25), (4, "Work", 140)]
    assert curriculum.stage(2).summary == "The product and first clients."
    assert curriculum.stage(5) is None


def test_modules_sorted_by_order_within_stages(curriculum):
    assert [s.module_slugs for s in curriculum.stages] == [
        ("hello", "rules"), ("products", "prices"), ("mentor",), ("rhythm",)]
    assert [(m.slug, m.order) for m in curriculum.stage(2).modules] == [("products", 1), ("prices", 2)]


def test_module_fields(curriculum):
    hello, rules = curriculum.modules["hello"], curriculum.modules["rules"]
    assert (hello.title, hello.stage, hello.minutes, hello.prerequisites) == ("Hello", 1, 5, ())
    assert hello.summary == "The first module."
    assert rules.summary == ""
    assert rules.prerequisites == ("hello",)
    assert hello.path == "content/s1-company/hello.md"
    assert {slug: m.minutes for slug, m in curriculum.modules.items()} == {
        "hello": 5, "rules": 5, "products": 10, "prices": 10, "mentor": 5, "rhythm": 5}
    assert [s.minutes for s in curriculum.stages] == [10, 20, 5, 5]
    assert len({m.version for m in curriculum.modules.values()}) == 6


def test_neighbours_follow_the_whole_path(curriculum):
    assert curriculum.neighbours("hello") == (None, curriculum.modules["rules"])
    assert curriculum.neighbours("rules") == (curriculum.modules["hello"], curriculum.modules["products"])
    assert curriculum.neighbours("rhythm") == (curriculum.modules["mentor"], None)


def test_markdown_table_rendered(curriculum):
    html = curriculum.modules["rules"].html
    assert "<table>" in html
    assert "<th>Rule</th>" in html and "<td>Two</td>" in html


def test_headings_have_ids_and_a_table_of_contents(curriculum):
    hello = curriculum.modules["hello"]
    assert '<h2 id="who-we-are">Who we are</h2>' in hello.html
    assert 'class="toc"' in hello.toc
    assert 'href="#who-we-are"' in hello.toc


def test_internal_links_rewritten(curriculum):
    hello = curriculum.modules["hello"].html
    mentor = curriculum.modules["mentor"].html
    assert 'href="/modules/rules"' in hello
    assert 'href="/job-description"' in mentor
    assert "module:" not in hello and "doc:" not in mentor


def test_inline_price_directive_shows_the_price_from_prices_yaml(curriculum):
    html = curriculum.modules["hello"].html
    assert "shows EUR 890.00." in html
    assert "{{" not in html


def test_quote_directive_renders_a_worked_table(curriculum):
    html = curriculum.modules["prices"].html
    assert "<table>" in html and "{{" not in html
    # 30 x 890.00 = 26,700.00; 5 % tier = 1,335.00; +1.5 % of 25,365.00 = 380.475 -> 380.48;
    # net 25,745.48; VAT 20 % = 5,149.096 -> 5,149.10; total 30,894.58.
    for figure in ("EUR 26,700.00", "EUR 1,335.00", "EUR 25,365.00", "EUR 380.48", "EUR 25,745.48",
                   "EUR 5,149.10", "EUR 30,894.58"):
        assert figure in html, figure
    assert "3.57 %" in html and "within the manager's authority" in html


def test_product_table_lists_every_product(curriculum):
    html = curriculum.modules["products"].html
    assert "<table>" in html
    for sku in curriculum.catalog.products:
        assert f"<td>{sku}</td>" in html, sku
    assert "packs of 2" in html  # BR-200
    assert "EUR 1,640.00" in html  # BR-900


def test_directives_follow_the_data(broken):
    edit(broken, "prices.yaml", "BR-500: 890.00", "BR-500: 1000.00")
    cur = load_curriculum(broken)
    assert "shows EUR 1,000.00." in cur.modules["hello"].html
    assert "EUR 30,000.00" in cur.modules["prices"].html  # 30 x 1,000.00
    assert "EUR 890.00" not in cur.modules["hello"].html


def test_job_description(curriculum):
    doc = curriculum.job_description
    assert doc.title == "Job description"
    assert str(doc.effective) == "2026-10-01"
    assert doc.approved_by == "Test Approver"
    assert '<h2 id="duties">' in doc.html
    assert doc.version == hashlib.sha256((GOOD / "job-description.md").read_bytes()).hexdigest()


def test_shipped_content_loads_without_problems():
    cur = load_curriculum(SHIPPED)
    assert [s.number for s in cur.stages] == [1, 2, 3, 4]
    assert len(cur.modules) == 29
    assert all(s.modules for s in cur.stages)
    for module in cur.modules.values():
        assert module.html.strip() and "{{" not in module.html, module.slug
    assert cur.job_description.title


# --------------------------------------------------------------------------- validation errors

H = "content/s1-company/hello.md"
R = "content/s1-company/rules.md"


def test_bad_yaml_in_front_matter_reports_the_line_of_the_error(broken):
    edit(broken, "s1-company/hello.md", "minutes: 5", "minutes: 5: 6")  # line 4
    assert_problem(problems_of(broken), H, 4, "invalid YAML")


def test_bad_yaml_in_stage_yaml(broken):
    edit(broken, "s2-product/stage.yaml", "title: Product", "title: Product: x")  # line 2
    assert_problem(problems_of(broken), "content/s2-product/stage.yaml", 2, "invalid YAML")


def test_bad_yaml_in_prices_yaml(broken):
    edit(broken, "prices.yaml", "vat_percent: 20", "vat_percent: 20: 1")  # line 5
    assert_problem(problems_of(broken), "content/prices.yaml", 5, "invalid YAML")


@pytest.mark.parametrize("text", ["## Hello\n\nNo front matter.\n", "---\ntitle: Hello\n\nnever closed\n"],
                         ids=["none", "unclosed"])
def test_missing_front_matter(broken, text):
    write(broken, "s1-company/hello.md", text)
    assert_problem(problems_of(broken), H, 1, "missing front matter")


def test_front_matter_must_be_a_mapping(broken):
    write(broken, "s4-work/rhythm.md", "---\n- a list\n---\ntext\n")
    assert_problem(problems_of(broken), "content/s4-work/rhythm.md", 2, "must be a mapping")


@pytest.mark.parametrize("field,line", [("title", "title: Hello\n"), ("order", "order: 1\n"),
                                        ("minutes", "minutes: 5\n")])
def test_missing_required_module_field(broken, field, line):
    edit(broken, "s1-company/hello.md", line, "")
    assert_problem(problems_of(broken), H, 1, f"missing field `{field}`")


@pytest.mark.parametrize("rel,old,new,path,line,message", [
    ("s1-company/hello.md", "title: Hello", "title: 12", H, 2, "`title` must be str"),
    ("s1-company/hello.md", "order: 1", "order: first", H, 3, "`order` must be int"),
    ("s1-company/hello.md", "order: 1", "order: true", H, 3, "`order` must be int"),
    ("s1-company/hello.md", "minutes: 5", "minutes: five", H, 4, "`minutes` must be int"),
    ("s1-company/hello.md", "summary: The first module.", "summary: 3", H, 5, "`summary` must be a str"),
    ("s1-company/rules.md", "prerequisites: [hello]", "prerequisites: hello", R, 5, "`prerequisites` must be a list"),
    ("s1-company/rules.md", "prerequisites: [hello]", "prerequisites: [3]", R, 5, "prerequisites must be slugs"),
    ("s3-mentor/stage.yaml", "planned_days: 25", "planned_days: many", "content/s3-mentor/stage.yaml", 4,
     "`planned_days` must be int"),
    ("job-description.md", "effective: 2026-10-01", "effective: soon", "content/job-description.md", 3,
     "`effective` must be date"),
], ids=["title-int", "order-str", "order-bool", "minutes-str", "summary-int", "prerequisites-str",
        "prerequisite-int", "stage-planned-days", "document-effective"])
def test_wrong_type(broken, rel, old, new, path, line, message):
    edit(broken, rel, old, new)
    assert_problem(problems_of(broken), path, line, message)


@pytest.mark.parametrize("rel,old,new,path,line", [
    ("s1-company/hello.md", "summary:", "author: Somebody\nsummary:", H, 5),
    ("s3-mentor/stage.yaml", "planned_days: 25", "planned_days: 25\nauthor: Somebody", "content/s3-mentor/stage.yaml", 5),
], ids=["module", "stage"])
def test_unknown_field(broken, rel, old, new, path, line):
    edit(broken, rel, old, new)
    assert_problem(problems_of(broken), path, line, "unknown field `author`")


def test_stage_missing_field(broken):
    edit(broken, "s3-mentor/stage.yaml", "summary: Sales training with a mentor.\n", "")
    assert_problem(problems_of(broken), "content/s3-mentor/stage.yaml", 1, "missing field `summary`")


def test_minutes_below_one(broken):
    edit(broken, "s4-work/rhythm.md", "minutes: 5", "minutes: 0")
    assert_problem(problems_of(broken), "content/s4-work/rhythm.md", 4, "must be at least 1")


def test_module_without_text(broken):
    write(broken, "s4-work/rhythm.md", "---\ntitle: Rhythm\norder: 1\nminutes: 5\n---\n\n")
    assert_problem(problems_of(broken), "content/s4-work/rhythm.md", 6, "no text")


def test_duplicate_slug_across_stages(broken):
    write(broken, "s2-product/hello.md", MODULE.format(title="Hello again", order=3, body="Text."))
    assert_problem(problems_of(broken), "content/s2-product/hello.md", 1,
                   "duplicate slug `hello`", "content/s1-company/hello.md")


def test_module_slug_may_not_be_a_document_slug(broken):
    write(broken, "s2-product/job-description.md", MODULE.format(title="JD", order=3, body="Text."))
    assert_problem(problems_of(broken), "content/s2-product/job-description.md", 1, "duplicate slug `job-description`")


def test_duplicate_order_in_a_stage(broken):
    edit(broken, "s2-product/prices.md", "order: 2", "order: 1")
    assert_problem(problems_of(broken), "content/s2-product/products.md", 3,
                   "order 1 is also used by content/s2-product/prices.md")


def test_same_order_in_different_stages_is_fine(broken):
    edit(broken, "s4-work/rhythm.md", "order: 1", "order: 2")
    edit(broken, "s3-mentor/mentor.md", "order: 1", "order: 2")
    assert load_curriculum(broken).modules["rhythm"].order == 2


def test_unknown_prerequisite_reported_on_the_prerequisites_line(broken):
    edit(broken, "s1-company/rules.md", "[hello]", "[hello, nowhere]")
    assert_problem(problems_of(broken), R, 5, "unknown prerequisite `nowhere`")


def test_unknown_prerequisite_in_a_block_list(broken):
    edit(broken, "s1-company/rules.md", "prerequisites: [hello]", "prerequisites:\n  - nowhere")
    assert_problem(problems_of(broken), R, 5, "unknown prerequisite `nowhere`")


def test_prerequisite_in_a_later_stage(broken):
    edit(broken, "s1-company/hello.md", "summary:", "prerequisites: [products]\nsummary:")  # line 5
    assert_problem(problems_of(broken), H, 5, "prerequisite `products` is in a later stage")


def test_prerequisite_in_an_earlier_stage_is_fine(broken):
    edit(broken, "s4-work/rhythm.md", "minutes: 5", "minutes: 5\nprerequisites: [hello, mentor]")
    assert load_curriculum(broken).modules["rhythm"].prerequisites == ("hello", "mentor")


def test_circular_prerequisites(broken):
    edit(broken, "s1-company/hello.md", "summary:", "prerequisites: [rules]\nsummary:")  # hello -> rules -> hello
    cycles = [p for p in problems_of(broken) if "circular prerequisites" in p.message]
    assert cycles, "no circular-prerequisite problem"
    for p in cycles:
        assert (p.path, p.line) in {(H, 5), (R, 5)}
        assert "hello" in p.message and "rules" in p.message


def test_module_that_requires_itself(broken):
    edit(broken, "s1-company/rules.md", "[hello]", "[rules]")
    assert_problem(problems_of(broken), R, 5, "circular prerequisites", "rules -> rules")


def test_broken_module_link_reports_the_line_of_the_link(broken):
    edit(broken, "s1-company/hello.md", "module:rules", "module:nowhere")  # line 9
    assert_problem(problems_of(broken), H, 9, "broken link to module `nowhere`")


def test_broken_link_line_counts_from_the_body(broken):
    write(broken, "s4-work/rhythm.md", MODULE.format(title="Rhythm", order=1,
                                                     body="## A\n\none\n\ntwo\n\nSee [x](module:gone)."))
    assert_problem(problems_of(broken), "content/s4-work/rhythm.md", 12, "broken link to module `gone`")


def test_broken_doc_link(broken):
    edit(broken, "s3-mentor/mentor.md", "doc:job-description", "doc:handbook")  # line 8
    assert_problem(problems_of(broken), "content/s3-mentor/mentor.md", 8, "broken link to document `handbook`")


def test_broken_link_in_the_job_description(broken):
    edit(broken, "job-description.md", "Sell,", "Sell ([x](module:nowhere)),")  # line 8
    assert_problem(problems_of(broken), "content/job-description.md", 8, "broken link to module `nowhere`")


def test_link_to_a_markdown_file(broken):
    edit(broken, "s4-work/rhythm.md", "Calls one day", "See [the rules](rules.md). Calls one day")  # line 8
    assert_problem(problems_of(broken), "content/s4-work/rhythm.md", 8, "link to file `rules.md`", "module:SLUG")


def test_external_links_are_not_problems(broken):
    edit(broken, "s4-work/rhythm.md", "Calls one day",
         "See [a](https://example.com/readme.md) and [b](mailto:x@example.com). Calls one day")
    html = load_curriculum(broken).modules["rhythm"].html
    assert 'href="https://example.com/readme.md"' in html


@pytest.mark.parametrize("rel,old,new,path,line,message", [
    ("s4-work/rhythm.md", "Calls one day", "{{ discount }} Calls one day", "content/s4-work/rhythm.md", 8,
     "unknown directive `discount`"),
    ("s1-company/hello.md", "price BR-500", "price XX-1", H, 9, "unknown SKU XX-1"),
    ("s2-product/prices.md", "quote BR-500 30 net30", "quote XX-1 30 net30", "content/s2-product/prices.md", 8,
     "unknown SKU XX-1"),
    ("s1-company/hello.md", "price BR-500", "price", H, 9, "`price` takes 1 argument, got 0"),
    ("s4-work/rhythm.md", "Calls one day", "Look: {{ price_list }} Calls one day", "content/s4-work/rhythm.md", 8,
     "`price_list` is a block directive and must stand alone on its line"),
    ("s2-product/prices.md", "quote BR-500 30 net30", "quote BR-200 3 net30", "content/s2-product/prices.md", 8,
     "BR-200 is sold in packs of 2; 3 is not a whole number of packs"),
    ("s2-product/prices.md", "quote BR-500 30 net30", "quote BR-500 0 net30", "content/s2-product/prices.md", 8,
     "quantity must be a whole number"),
    ("s2-product/prices.md", "quote BR-500 30 net30", "quote BR-500 30 net90", "content/s2-product/prices.md", 8,
     "unknown payment term net90"),
], ids=["unknown-directive", "unknown-sku-inline", "unknown-sku-quote", "wrong-arity", "block-not-alone",
        "quote-not-whole-pack", "quote-zero", "quote-unknown-term"])
def test_bad_directive(broken, rel, old, new, path, line, message):
    edit(broken, rel, old, new)
    assert_problem(problems_of(broken), path, line, message)


def test_quote_of_whole_packs_is_fine(broken):
    edit(broken, "s2-product/prices.md", "quote BR-500 30 net30", "quote BR-200 4 net30")
    assert "EUR 1,580.00" in load_curriculum(broken).modules["prices"].html  # 4 x 395.00


def test_missing_job_description(broken):
    (broken / "job-description.md").unlink()
    assert_problem(problems_of(broken), "content/job-description.md", 1, "missing file")


@pytest.mark.parametrize("field", ["title", "effective", "approved_by"])
def test_job_description_missing_field(broken, field):
    path = broken / "job-description.md"
    text = path.read_text()
    path.write_text(re.sub(rf"^{field}:.*\n", "", text, flags=re.M))
    assert_problem(problems_of(broken), "content/job-description.md", 1, f"missing field `{field}`")


def test_stage_numbering_gap(broken):
    edit(broken, "s4-work/stage.yaml", "number: 4", "number: 5")
    assert_problem(problems_of(broken), "content/s4-work/stage.yaml", 1, "out of sequence", "missing: 4")


def test_stage_number_repeated(broken):
    edit(broken, "s4-work/stage.yaml", "number: 4", "number: 3")
    assert_problem(problems_of(broken), "content/s4-work/stage.yaml", 1, "stage number 3 is also used by")


def test_planned_days_below_one(broken):
    edit(broken, "s4-work/stage.yaml", "planned_days: 140", "planned_days: 0")
    assert_problem(problems_of(broken), "content/s4-work/stage.yaml", 4, "`planned_days` must be at least 1")


def test_price_for_unknown_sku(broken):
    edit(broken, "prices.yaml", "  SV-3Y: 320.00\n", "  SV-3Y: 320.00\n  XX-1: 10.00\n")  # line 21
    assert_problem(problems_of(broken), "content/prices.yaml", 21, "price for unknown SKU XX-1")


def test_catalog_product_without_price(broken):
    edit(broken, "prices.yaml", "  DL-30: 610.00\n", "")
    assert_problem(problems_of(broken), "content/prices.yaml", 7, "no price for DL-30")


def test_price_must_be_positive(broken):
    edit(broken, "prices.yaml", "DL-30: 610.00", "DL-30: -1")  # line 12
    assert_problem(problems_of(broken), "content/prices.yaml", 12, "price of DL-30 must be a positive number")


def test_volume_tiers_must_rise(broken):
    edit(broken, "prices.yaml", "min_quantity: 25", "min_quantity: 5")
    assert_problem(problems_of(broken), "content/prices.yaml", 23, "volume tiers must rise")


def test_catalog_option_refers_to_unknown_sku(broken):
    edit(broken, "catalog.yaml", "options: [FL-500, SN-CO2, WM-KIT]", "options: [FL-500, SN-CO2, WM-KIT, ZZ-9]")
    assert_problem(problems_of(broken), "content/catalog.yaml", 7, "BR-500 refers to unknown SKU ZZ-9")


def test_catalog_alternative_refers_to_unknown_sku(broken):
    edit(broken, "catalog.yaml", "alternatives: [DL-70]", "alternatives: [DL-99]")  # DL-30 starts on line 113
    assert_problem(problems_of(broken), "content/catalog.yaml", 113, "DL-30 refers to unknown SKU DL-99")


def test_missing_catalog(broken):
    (broken / "catalog.yaml").unlink()
    assert_problem(problems_of(broken), "content/catalog.yaml", 1, "missing file")


def test_folder_of_modules_without_stage_yaml(broken):
    write(broken, "s5-extra/extra.md", MODULE.format(title="Extra", order=1, body="Text."))
    assert_problem(problems_of(broken), "content/s5-extra", 1, "needs a stage.yaml")


def test_folder_without_modules_or_stage_yaml_is_ignored(broken):
    write(broken, "images/readme.txt", "not a module")
    assert len(load_curriculum(broken).stages) == 4


@pytest.mark.parametrize("name", ["Bad_Name.md", "UPPER.md", "two--hyphens.md", "-leading.md"])
def test_invalid_slug_file_name(broken, name):
    write(broken, f"s4-work/{name}", MODULE.format(title="Bad", order=2, body="Text."))
    assert_problem(problems_of(broken), f"content/s4-work/{name}", 1, f"file name `{name}`", "slug")


def test_every_problem_is_reported_at_once(broken):
    edit(broken, "s1-company/hello.md", "module:rules", "module:nowhere")
    edit(broken, "s4-work/rhythm.md", "minutes: 5", "minutes: five")
    edit(broken, "prices.yaml", "  DL-30: 610.00\n", "")
    problems = problems_of(broken)
    assert_problem(problems, H, 9, "broken link")
    assert_problem(problems, "content/s4-work/rhythm.md", 4, "`minutes` must be int")
    assert_problem(problems, "content/prices.yaml", 7, "no price for DL-30")
    assert problems == sorted(problems, key=lambda p: (p.path, p.line, p.message))


def test_problem_prints_as_path_line_message(broken):
    edit(broken, "s1-company/hello.md", "module:rules", "module:nowhere")
    with pytest.raises(ContentError) as info:
        load_curriculum(broken)
    assert f"{H}:9: broken link to module `nowhere`" in str(info.value).splitlines()


def test_missing_content_folder(tmp_path):
    with pytest.raises(ContentError) as info:
        load_curriculum(tmp_path / "nothing-here")
    assert "does not exist" in info.value.problems[0].message


# --------------------------------------------------------------------------- found by tests, fixed

def test_bug_empty_front_matter_is_reported(broken):
    write(broken, "s4-work/rhythm.md", "---\n---\n## Rhythm\n\nText.\n")
    assert_problem(problems_of(broken), "content/s4-work/rhythm.md", 1, "missing field")


def test_bug_empty_stage_yaml_is_reported(broken):
    write(broken, "s4-work/stage.yaml", "")
    problems = problems_of(broken)
    assert any(p.path == "content/s4-work/stage.yaml" for p in problems)


@pytest.mark.parametrize("front", ["", "- a list\n"], ids=["empty", "list"])
def test_bug_job_description_front_matter_not_a_mapping(broken, front):
    write(broken, "job-description.md", f"---\n{front}---\n## Duties\n\nSell.\n")
    assert any(p.path == "content/job-description.md" for p in problems_of(broken))


def test_bug_prices_not_utf8_is_reported(broken):
    path = broken / "prices.yaml"
    path.write_bytes(path.read_bytes() + b"# caf\xe9\n")
    assert_problem(problems_of(broken), "content/prices.yaml", 1, "cannot read")


def test_bug_link_to_markdown_file_with_anchor(broken):
    edit(broken, "s4-work/rhythm.md", "Calls one day", "See [the rules](rules.md#rules). Calls one day")
    assert_problem(problems_of(broken), "content/s4-work/rhythm.md", 8, "link to file")


def test_bug_numbering_gap_names_the_wrong_file(broken):
    edit(broken, "s3-mentor/stage.yaml", "number: 3", "number: 5")  # numbers 1, 2, 5, 4
    problems = [p for p in problems_of(broken) if "out of sequence" in p.message]
    assert problems and all(p.path == "content/s3-mentor/stage.yaml" for p in problems)


def test_bug_order_below_one_reported_on_order_line(broken):
    edit(broken, "s4-work/rhythm.md", "order: 1", "order: 0")
    assert_problem(problems_of(broken), "content/s4-work/rhythm.md", 3, "must be at least 1")


# --------------------------------------------------------------------------- the check-content command

LINE = re.compile(r"^content/\S+:\d+: .+$")


def test_check_content_reports_problems_and_exits_1(app, runner, broken):
    edit(broken, "s1-company/hello.md", "module:rules", "module:nowhere")
    edit(broken, "prices.yaml", "  DL-30: 610.00\n", "")
    app.config["CONTENT_DIR"] = str(broken)
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 1
    lines = result.stdout.strip().splitlines()
    assert lines == sorted(lines) and len(lines) == 2
    assert all(LINE.match(line) for line in lines), lines
    assert f"{H}:9: broken link to module `nowhere`" in lines
    assert "content/prices.yaml:7: no price for DL-30 (in the catalog)" in lines
    assert "2 problems found." in result.stderr


def test_check_content_on_the_good_set_exits_0(runner):
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 0, result.output
    assert "Content is valid: 4 stages, 6 modules, 2 quizzes, 2 checklist tasks, 2 role-play scenarios, 13 products" in result.stdout


# --------------------------------------------------------------------------- the configuration the content agrees with

SCENARIO_COUNT = ("quizzes/scenarios:1: {n} scenarios for {attempts} role-play attempts (ROLE_PLAY_ATTEMPTS); "
                  "add scenarios so each attempt can have its own")


def test_check_content_passes_with_as_many_scenarios_as_role_play_attempts(app, runner):
    assert len(app.extensions["curriculum"].scenarios) == 2
    app.config["ROLE_PLAY_ATTEMPTS"] = 2
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 0, result.output


def test_check_content_reports_fewer_scenarios_than_role_play_attempts(app, runner):
    app.config["ROLE_PLAY_ATTEMPTS"] = 3
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 1
    assert result.stdout.strip().splitlines() == [SCENARIO_COUNT.format(n=2, attempts=3)]
    assert "1 problem found." in result.stderr


def test_the_app_reads_its_role_play_settings_into_the_content(app):
    assert app.extensions["curriculum"].settings == Settings(role_play_attempts=2, role_play_evaluators=2)
    assert Settings.from_config({"ROLE_PLAY_ATTEMPTS": 4, "ROLE_PLAY_EVALUATORS": 3}) == Settings(4, 3)
    assert Settings.from_config({}) == Settings()  # the config's defaults, for loading without Flask


ROLE_PLAY_LINE = "Up to {{ role_play.attempts }} attempts, {{ role_play.evaluators }} evaluators each. Calls one day"


def test_role_play_directives_show_the_configured_numbers(broken):
    edit(broken, "s4-work/rhythm.md", "Calls one day", ROLE_PLAY_LINE)
    default = load_curriculum(broken).modules["rhythm"]
    assert "Up to 2 attempts, 2 evaluators each." in default.html
    configured = load_curriculum(broken, settings=Settings(role_play_attempts=3, role_play_evaluators=4))
    rhythm = configured.modules["rhythm"]
    assert "Up to 3 attempts, 4 evaluators each." in rhythm.html and "{{" not in rhythm.html
    # The settings are part of the content version: a module read under other settings is another version.
    assert rhythm.version != default.version and configured.version != load_curriculum(broken).version
    assert configured.settings == Settings(3, 4)


def test_role_play_directives_are_rendered_again_when_the_settings_change(broken):
    """Rendering is cached per content version; the settings belong to that version, so nothing stale is served."""
    edit(broken, "s4-work/rhythm.md", "Calls one day", ROLE_PLAY_LINE)
    for attempts in (5, 2, 5):
        html = load_curriculum(broken, settings=Settings(role_play_attempts=attempts)).modules["rhythm"].html
        assert f"Up to {attempts} attempts" in html


def test_the_job_description_version_covers_the_role_play_numbers_it_shows(broken):
    """A signature names the exact text read: a job description showing a configured number changes version with it;
    one that shows none keeps its version whatever the settings."""
    plain = {load_curriculum(broken, settings=Settings(attempts)).job_description.version for attempts in (2, 3)}
    assert len(plain) == 1
    path = broken / "job-description.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nThe role-play allows {{ role_play.attempts }} at most.\n",
                    encoding="utf-8")
    docs = [load_curriculum(broken, settings=Settings(attempts)).job_description for attempts in (2, 3)]
    assert "allows 3 at most" in docs[1].html and docs[0].version != docs[1].version


@pytest.mark.parametrize("new, message", [
    ("{{ role_play.rounds }} Calls one day", "unknown directive `role_play.rounds`"),
    ("{{ role_play }} Calls one day", "unknown directive `role_play`"),
    ("{{ role_play.attempts 3 }} Calls one day", "`role_play.attempts` takes 0 arguments, got 1"),
])
def test_bad_role_play_directive(broken, new, message):
    edit(broken, "s4-work/rhythm.md", "Calls one day", new)
    assert_problem(problems_of(broken), "content/s4-work/rhythm.md", 8, message)


def test_shipped_modules_take_the_role_play_numbers_from_the_settings():
    """No shipped module states how many attempts or evaluators there are: the settings do, in every language."""
    cur = load_curriculum(SHIPPED, SHIPPED.parent / "quizzes", Settings(role_play_attempts=3, role_play_evaluators=4))
    arabic = cur.translations["ar"]["modules"]
    prep, prep_ar = cur.modules["role-play-prep"].html, arabic["role-play-prep"].html
    assert "<strong>3 at most</strong>" in prep and "4 for each attempt" in prep
    assert "<strong>3 على الأكثر</strong>" in prep_ar and "عددهم 4 في كل محاولة" in prep_ar
    for slug, english, translated in [
            ("first-week", "limited\n  (<strong>3 at most</strong>)", "(3 على الأكثر)"),
            ("mentoring", "Role-play attempts are limited to 3, no more.", "عدد محاولات لعب الأدوار 3، لا أكثر."),
            ("readiness-review", "within the attempts allowed (3; see", "ضمن المحاولات المسموح بها (3؛ انظر")]:
        assert english in cur.modules[slug].html and translated in arabic[slug].html, slug
    hard_coded = re.compile(r"two attempts|second attempt|third attempt|second failure|two evaluators|"
                            r"two experienced|محاولتان|محاولتين|المحاولتين|محاولة ثالثة|الإخفاق الثاني", re.I)
    for module in [*cur.modules.values(), *arabic.values()]:
        assert not hard_coded.search(module.html), f"{module.path} states the number of role-play attempts"


# --------------------------------------------------------------------------- sanitisation

class _Tags(HTMLParser):
    """Collects (tag, attributes) of every start tag."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def tags_of(html):
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_safe(html):
    assert "<script" not in html.lower()
    for tag, attrs in tags_of(html):
        assert tag not in {"script", "style", "iframe", "object", "embed", "img", "form", "input"}, tag
        for name, value in attrs.items():
            assert not name.lower().startswith("on"), (tag, name)
            assert "javascript:" not in re.sub(r"\s", "", value or "").lower(), (tag, name, value)


DANGEROUS = """## Safe heading

<script>alert("script")</script>

<p onclick="steal()">Click me</p>

[bad link](javascript:alert('link')) and <a href="javascript:alert('a')">raw link</a>

<iframe src="https://evil.example/frame"></iframe>

<style>body { display: none }</style>

<img src="x" onerror="alert('img')">
"""


def test_dangerous_html_in_a_module_is_removed(broken):
    write(broken, "s4-work/rhythm.md", MODULE.format(title="Rhythm", order=1, body=DANGEROUS))
    html = load_curriculum(broken).modules["rhythm"].html
    assert_safe(html)
    for gone in ("<script", "alert(", "onclick", "onerror", "javascript:", "<iframe", "evil.example",
                 "<style", "display: none", "<img"):
        assert gone not in html, gone
    assert '<h2 id="safe-heading">Safe heading</h2>' in html
    assert "Click me" in html and "bad link" in html and "raw link" in html


FRAGMENTS = st.sampled_from([
    "<script>alert(1)</script>", "<SCRIPT SRC=//x>", "<scr<script>ipt>", '<a href="javascript:x()">a</a>',
    "[l](javascript:alert(1))", "[l](JaVaScRiPt:alert(1))", '<a href=" javascript:x">b</a>',
    '<p onclick="x()">p</p>', "<div onmouseover=x>d</div>", '<img src=x onerror=alert(1)>',
    "<iframe src=//x></iframe>", "<style>*{}</style>", "<svg onload=alert(1)>", "{: onclick=\"x\" }",
    '<a href="module:rules" onfocus="x">m</a>', "\n\n", "## h\n", "`code`", "| a |\n|---|\n| <b onclick=x>b</b> |\n",
    "<", ">", '"', "'", "=", "&", "javascript", ":",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=20), FRAGMENTS), max_size=12).map("".join))
def test_rendered_html_is_always_safe(text):
    html, toc = render_markdown(f"## Title\n\n{text}\n\nEnd.\n")
    assert_safe(html)
    assert_safe(toc)


def test_every_shipped_module_has_the_shape_content_md_asks_for():
    """CONTENT.md: an opening ending in "By the end you can:" with 2 to 4 abilities, a practice task with what
    the mentor looks for, and a summary; the Arabic translation keeps the practice and the summary."""
    import re

    from onboarding.content.loader import load_curriculum

    cur = load_curriculum(SHIPPED, SHIPPED.parent / "quizzes")
    arabic = cur.translations["ar"]["modules"]
    for slug, module in cur.modules.items():
        text = (SHIPPED.parent / module.path).read_text(encoding="utf-8")
        opening = text.split("By the end you can:", 1)
        assert len(opening) == 2, f"{module.path}: no 'By the end you can:'"
        abilities = re.match(r"\s*((?:- .+\n)+)", opening[1])
        assert abilities and 2 <= abilities.group(1).count("\n- ") + 1 <= 4, f"{module.path}: 2 to 4 abilities"
        headings = re.findall(r"^## (.+)$", text, flags=re.M)
        assert "Practice" in headings and headings[-1] == "Summary", f"{module.path}: {headings}"
        practice = text.split("## Practice", 1)[1].split("\n## ", 1)[0]
        assert "mentor" in practice.lower(), f"{module.path}: the practice says what the mentor looks for"
        translated = (SHIPPED.parent / arabic[slug].path).read_text(encoding="utf-8")
        ar_headings = re.findall(r"^## (.+)$", translated, flags=re.M)
        assert "التطبيق" in ar_headings and ar_headings[-1] == "الخلاصة", f"{arabic[slug].path}: {ar_headings}"
