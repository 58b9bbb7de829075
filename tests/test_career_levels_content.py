"""content/career-levels.yaml and its translations: loaded in order, and every malformed file reported as
`path:line: message` (by check-content and by the loader)."""
import shutil
from pathlib import Path

import pytest

from onboarding.content.loader import load_curriculum
from onboarding.content.translations import localize

from .test_content import assert_problem, edit, problems_of, write

HERE = Path(__file__).resolve().parent
SHIPPED = HERE.parent / "content"


@pytest.fixture
def broken(tmp_path):
    root = tmp_path / "content"
    shutil.copytree(HERE / "content", root)
    return root


def test_the_shipped_levels_and_their_arabic_words():
    cur = load_curriculum(SHIPPED, HERE.parent / "quizzes")
    assert [(lv.number, lv.minimum_months) for lv in cur.career_levels] == [(1, 0), (2, 12), (3, 24), (4, 36)]
    assert cur.career_levels[3].name == "Key account manager" and all(lv.skills and lv.evidence
                                                                        for lv in cur.career_levels)
    arabic = localize(cur, "ar").career_levels
    assert [lv.key for lv in arabic] == [lv.key for lv in cur.career_levels]
    assert arabic[0].name == "مدير حسابات" and arabic[1].minimum_months == 12 and arabic[0].locale == "ar"


def test_content_without_the_file_has_no_levels(broken):
    (broken / "career-levels.yaml").unlink()
    assert load_curriculum(broken).career_levels == ()


LEVELS = "career-levels.yaml"
AT = "content/career-levels.yaml"


@pytest.mark.parametrize("old,new,line,fragments", [
    ("    name: Senior account manager\n", "", 8, ("level senior: missing field `name`",)),
    ("    number: 2\n", "    number: 3\n", 9, ("number 3 is out of sequence", "expected 2")),
    ("    minimum_months: 12\n", "    minimum_months: 0\n", 11, ("`minimum_months` 0 must be more than level 1's 0",)),
    ("  - key: lead\n", "  - key: senior\n", 14, ("duplicate level key `senior`",)),
    ("    skills: [Wins clients alone]\n", "    skills: [Wins clients alone]\n    salary: 1\n", 19,
     ("level lead: unknown field `salary`",)),
    ("    minimum_months: 24\n", "    minimum_months: two years\n", 17, ("`minimum_months` must be int",)),
    ("    evidence: [Ten new clients in a year]\n", "    evidence: []\n", 19,
     ("`evidence` must list at least one text",)),
    ("  - key: lead\n", "  - key: Lead Manager\n", 14, ("a key uses lowercase letters",)),
    ("    evidence: [Ten new clients in a year]\n", "    evidence: [Ten new clients in a year]\nranks: []\n", 20,
     ("unknown field `ranks`",)),
    ("    number: 1\n", "    number: [1\n", 4, ("invalid YAML",)),
])
def test_a_malformed_levels_file_is_reported_with_its_line(broken, old, new, line, fragments):
    edit(broken, LEVELS, old, new)
    assert_problem(problems_of(broken), AT, line, *fragments)


def test_levels_must_be_a_list(broken):
    write(broken, LEVELS, "levels: none\n")
    assert_problem(problems_of(broken), AT, 1, "a list `levels`")


ARABIC = """levels:
  - key: manager
    name: مدير حسابات
    skills: [يعمل على قائمة العملاء]
    evidence: [الموافقة على العمل المستقل]
  - key: senior
    name: مدير حسابات أول
  - key: lead
    name: مدير حسابات رئيسي
"""


def test_a_translation_gives_the_words_by_key(broken):
    write(broken, "career-levels.ar.yaml", ARABIC)
    cur = load_curriculum(broken)
    arabic = localize(cur, "ar").career_levels
    assert arabic[0].skills == ("يعمل على قائمة العملاء",) and arabic[1].skills == cur.career_levels[1].skills


@pytest.mark.parametrize("old,new,line,fragments", [
    ("  - key: lead\n    name: مدير حسابات رئيسي\n", "", 1,
     ("the levels differ from the original's", "(manager, senior, lead)")),
    ("    name: مدير حسابات أول\n", "    name: مدير حسابات أول\n    minimum_months: 6\n", 8,
     ("level senior: `minimum_months` belongs to the original",)),
    ("    skills: [يعمل على قائمة العملاء]\n", "    skills: [واحد, اثنان]\n", 4,
     ("level manager: `skills` must be the original's 1",)),
])
def test_a_translation_that_does_not_match_the_original_is_reported(broken, old, new, line, fragments):
    write(broken, "career-levels.ar.yaml", ARABIC.replace(old, new))
    assert_problem(problems_of(broken), "content/career-levels.ar.yaml", line, *fragments)


def test_a_translation_without_its_original(broken):
    (broken / LEVELS).unlink()
    write(broken, "career-levels.ar.yaml", ARABIC)
    assert_problem(problems_of(broken), "content/career-levels.ar.yaml", 1, "has no original `career-levels.yaml`")


def test_check_content_prints_path_line_message(app, runner, broken):
    edit(broken, LEVELS, "    number: 2\n", "    number: 5\n")
    app.config["CONTENT_DIR"] = str(broken)
    result = runner.invoke(args=["check-content"])
    assert result.exit_code == 1
    assert "content/career-levels.yaml:9: level senior: number 5 is out of sequence" in result.output
