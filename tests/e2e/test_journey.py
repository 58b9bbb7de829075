"""The whole journey in Chromium against gunicorn on the seeded demo: a trainee reads modules, signs the job
description and takes a quiz; the mentor grades written answers and signs off a task; the evaluators score
the role-play; the mentor recommends trainee3 and the head of sales approves. Every main page is
screenshotted and checked with axe-core; any console error or failed request fails the test."""
import re

import pytest

from .conftest import check_page

TRAINEE2, TRAINEE3, TRAINEE4 = "trainee2@example.com", "trainee3@example.com", "trainee4@example.com"


def _flash(session):
    return " ".join(session.page.locator(".flash").all_inner_texts())


def _user_id(live_demo, email):
    import sqlite3

    path = live_demo[1]["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id FROM users WHERE email = ?", (email,)).fetchone()[0]


def _meeting_time_comes(live_demo, attempt_href):
    """The clock reaches the role-play's scheduled start: move it a minute into the past in the database."""
    import sqlite3
    from datetime import datetime, timedelta, timezone

    path = live_demo[1]["DATABASE_URL"].removeprefix("sqlite:///")
    past = (datetime.now(timezone.utc) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S.000000")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE role_play_attempts SET scheduled_for = ? WHERE id = ?",
                     (past, int(attempt_href.rsplit("/", 1)[1])))


def test_the_whole_journey(sign_in, live_demo):
    # ---- 1. the fresh trainee: modules, the job description, a quiz
    trainee = sign_in("trainee@example.com")
    check_page(trainee, "01 trainee home")
    trainee.visit("/quizzes/company-basics")  # closed until the modules it covers are read: it lists them
    assert trainee.page.locator("main form[action$='/start']").count() == 0
    assert trainee.page.locator("main .module-list a[href='/modules/welcome']").count() == 1
    check_page(trainee, "01b quiz not open yet")
    trainee.visit("/stages/1")
    check_page(trainee, "02 stage 1")
    modules = [a.get_attribute("href") for a in trainee.page.locator("main a[href^='/modules/']").all()]
    assert len(modules) >= 2
    for number, href in enumerate(modules):  # every stage-1 module, in reading order: the quiz covers them all
        trainee.visit(href)
        if number == 0:
            check_page(trainee, "03 module")
        trainee.submit(f"form[action='{href}/complete']")
        assert trainee.page.locator(f"form[action='{href}/complete']").count() == 0, f"{href} not marked complete"
    trainee.watch.check("modules")

    trainee.visit("/job-description")
    check_page(trainee, "04 job description")
    name = trainee.page.locator("a[href='/account']").first.inner_text().strip()
    trainee.page.fill("#typed_name", name)
    trainee.submit("form[action='/job-description/sign']")
    assert trainee.page.locator("form[action='/job-description/sign']").count() == 0, _flash(trainee)
    check_page(trainee, "05 job description signed")

    trainee.visit("/quizzes/company-basics")
    check_page(trainee, "06 quiz introduction")
    trainee.submit("form[action$='/start']")
    assert re.search(r"/attempts/\d+", trainee.page.url), trainee.page.url
    check_page(trainee, "07 quiz attempt")
    page = trainee.page
    for group in sorted({r.get_attribute("name") for r in page.locator("main input[type=radio]").all()}):
        page.locator(f"main input[type=radio][name='{group}']").first.check()
    for group in sorted({c.get_attribute("name") for c in page.locator("main input[type=checkbox]").all()}):
        page.locator(f"main input[type=checkbox][name='{group}']").first.check()
    for field in page.locator("main form input[type=text], main form input[type=number], main form input:not([type]),"
                              " main form textarea").all():
        if field.is_visible() and field.is_editable():
            field.fill("1")
    trainee.submit("#quiz-form", "#quiz-form button[formaction$='/submit']")
    assert page.locator("button[formaction$='/submit']").count() == 0, "the quiz was not submitted"
    check_page(trainee, "08 quiz result")

    # ---- 2. the mentor grades trainee4's written answers and signs off a task
    mentor = sign_in("mentor@example.com")
    check_page(mentor, "09 mentor home")
    mentor.visit("/grading")
    check_page(mentor, "10 grading inbox")
    mentor.page.locator("a[href$='/grade']").first.click()
    mentor.page.wait_for_load_state()
    check_page(mentor, "11 grading an attempt")
    for points in mentor.page.locator("input[name$='-points']").all():
        points.fill(points.get_attribute("max"))
    for comment in mentor.page.locator("textarea[name$='-comment']").all():
        comment.fill("Clear and complete; prices right.")
    mentor.submit("main form[method=post]", "main form[method=post] button[type=submit]")
    assert "complete" in _flash(mentor).lower() or "saved" in _flash(mentor).lower(), _flash(mentor)
    mentor.watch.check("grading")

    trainee4 = _user_id(live_demo, TRAINEE4)
    mentor.visit(f"/trainees/{trainee4}")
    check_page(mentor, "12 trainee record")
    mentor.visit(f"/trainees/{trainee4}/checklist")
    check_page(mentor, "13 checklist")
    sign = mentor.page.locator("form[action$='/sign']").first
    action = sign.get_attribute("action")
    sign.locator("textarea[name=note]").fill("Seen it done with a real client.")
    mentor.submit(f"form[action='{action}']")
    assert mentor.page.locator(f"form[action='{action}']").count() == 0, _flash(mentor)
    mentor.watch.check("sign-off")

    # ---- 3. trainee2's role-play: no scores before the meeting, then the evaluators score it
    trainee2 = _user_id(live_demo, TRAINEE2)
    mentor.visit(f"/trainees/{trainee2}/role-play")
    check_page(mentor, "14 role-play")
    attempt = mentor.page.locator("main a[href^='/role-play/']").last.get_attribute("href")
    mentor.visit(attempt)
    assert "The scoring form opens when the meeting starts" in mentor.page.inner_text("main")
    assert mentor.page.locator("main form input[type=radio][name^='score-']").count() == 0
    _meeting_time_comes(live_demo, attempt)
    head = sign_in("head@example.com")
    for evaluator, shot in ((mentor, "15 scoring the role-play"), (head, "16 the second evaluator")):
        evaluator.visit(attempt)
        if evaluator.page.locator("main form input[type=radio][name^='score-']").count() == 0:
            continue  # not an evaluator of this attempt
        check_page(evaluator, shot)
        for group in sorted({r.get_attribute("name") for r in
                             evaluator.page.locator("main input[type=radio][name^='score-']").all()}):
            evaluator.page.locator(f"main input[type=radio][name='{group}'][value='4']").check()
        for comment in evaluator.page.locator("main textarea[name^='comment-']").all():
            comment.fill("Found the hidden need; closed on a next step.")
        evaluator.submit("main form[method=post]", "main form[method=post] button[type=submit]")
        evaluator.watch.check("role-play scores")
    mentor.visit(attempt)
    assert "4" in mentor.page.inner_text("main")
    check_page(mentor, "17 role-play result")

    # ---- 4. the head of sales' pages
    check_page(head, "18 head home") if head.visit("/") else None
    for path, shot in (("/cohort", "19 cohort"), ("/audit", "20 audit log"), ("/targets", "21 targets"),
                       ("/job-description/signatures", "22 signatures")):
        head.visit(path)
        check_page(head, shot)

    # ---- 5. the mentor recommends trainee3, the head of sales approves
    trainee3 = _user_id(live_demo, TRAINEE3)
    mentor.visit(f"/trainees/{trainee3}")
    recommend = mentor.page.get_by_role("button", name="Send the recommendation")
    if recommend.count() == 0:
        pytest.skip("readiness decision flow not there yet: no 'Send the recommendation' button on the trainee page")
    check_page(mentor, "23 trainee3 before the recommendation")
    mentor.page.locator("input[name=recommends][value=yes]").check()
    mentor.page.locator("textarea[name=note]").last.fill("Handles real clients alone; targets met for weeks.")
    with mentor.page.expect_navigation():
        recommend.click()
    assert "recommendation is recorded" in _flash(mentor), _flash(mentor)
    mentor.watch.check("recommendation")

    head.visit(f"/trainees/{trainee3}")
    decide = head.page.get_by_role("button", name="Record the decision")
    if decide.count() == 0:
        pytest.skip("readiness decision flow not there yet: no 'Record the decision' button for the head")
    check_page(head, "24 trainee3 with the recommendation")
    form = head.page.locator("form", has=decide)
    form.locator("input[name=decision][value=approved]").check()
    form.locator("textarea[name=note]").fill("Approved for independent work from Monday.")
    override = form.locator("[name=override_reason]")
    if override.count() and override.is_visible():
        override.fill("Targets met in every full week; the last gate is a formality here.")
    with head.page.expect_navigation():
        decide.click()
    assert "decision is recorded" in _flash(head), _flash(head) + head.page.inner_text("main")[:2000]
    check_page(head, "25 trainee3 approved")
    trainee3_session = sign_in(TRAINEE3)
    check_page(trainee3_session, "26 trainee3 home after approval")


ROLE_PAGES = {
    "anonymous": ["/login"],
    "admin@example.com": ["/admin/users", "/admin/users/new", "/account", "/account/tokens", "/notifications"],
    "trainee2@example.com": ["/", "/trainees/{me}/activity", "/trainees/{me}/checklist", "/trainees/{me}/role-play",
                             "/notifications", "/account"],
    "head@example.com": ["/trainees/new", "/grading", "/inbox"],
}


@pytest.mark.parametrize("who", sorted(ROLE_PAGES))
def test_main_pages_of_each_role_are_accessible(browser, live_demo, sign_in, who):
    from .conftest import Session, Watch

    if who == "anonymous":
        context = browser.new_context(base_url=live_demo[0])
        page = context.new_page()
        session = type("Anonymous", (), {"page": page, "watch": Watch(page)})()
        page.goto("/login")
        check_page(session, "anonymous login")
        context.close()
        return
    session = sign_in(who)
    me = re.search(r"/trainees/(\d+)", session.page.content())
    for path in ROLE_PAGES[who]:
        session.visit(path.format(me=me.group(1) if me else ""))
        check_page(session, f"{who.split('@')[0]} {path.strip('/').replace('/', ' ') or 'home'}")
    assert Session
