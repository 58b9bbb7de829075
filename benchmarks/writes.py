"""Benchmark: writes under load, the quiz autosave and the ledger save at 64 connections, against a bare Flask app.

    .venv/bin/python benchmarks/writes.py [TRAINEES]                            (SQLite in WAL mode)
    BENCH_DATABASE=postgres .venv/bin/python benchmarks/writes.py [TRAINEES]    (a throw-away PostgreSQL)

TRAINEES (default 1000) fill the database as in serve.py; BENCH_SECONDS per load (default 5). On PostgreSQL the
script runs itself again under scripts/with_postgres.py, which starts a private server and hands its address in
TEST_DATABASE_URL.

Sixteen more trainees write: each has an open attempt at a stage-1 quiz and a ledger opened two years ago, and is
signed in with its own session and CSRF token. A wrk Lua script turns from one writer to the next on every
request: the autosave posts the writer's answers as the page's script does (`X-Requested-With: fetch`), one
answer changed since the writer's last save, and must be answered 200 with `"saved":true`; the ledger save posts a new day's figures as the ledger form does (each
request a day nobody logged yet) and must be answered by the redirect back to the ledger, never to /login. wrk
counts any other answer, and the app's error log is read after each load for errors and "database is locked".
The goal of each row: >= 25 % of the bare app's req/s at 64 connections, 0 other answers, 0 errors, 0 locked.
Prints one table; exits 1 when a goal is missed, 2 when wrk is missing and cannot be installed.
"""
import os
import re
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import serve  # noqa: E402
from serve import USER_AGENT, Page  # noqa: E402

CONNECTIONS = 64
THREADS = 2  # serve.wrk's -t2
WRITERS = 16
#: How long ago the writers' ledgers open: the days a load can log, per writer (16 x 730 saves in all).
LEDGER_DAYS = 730
#: A day's figures, within the funnel's rules (applications <= prospects, deals <= applications).
DAY = {"prospects": 2, "calls": 18, "meetings": 2, "applications": 1, "orders": 0, "referrals": 1, "events": 0,
       "decision_makers": 1, "deals": 0}
#: A typed answer where the quiz asks for a number or a text.
TYPED = {"numeric": "12", "text": "I confirm the order in writing and send the client the invoice the same day."}


@dataclass(frozen=True)
class Writer:
    """A trainee who writes during the loads: their open attempt and the autosave's answers (form fields)."""
    email: str
    user_id: int
    attempt: int
    #: The answers as the attempt page's form sends them ((name, value) pairs), in versions that differ in the
    #: choice of one question: the n-th save sends version n mod their number, a change from the last one.
    answers: tuple


@dataclass(frozen=True)
class Signed:
    """A writer signed in: the Cookie header of their session and the CSRF token of their attempt page."""
    writer: Writer
    cookie: str
    token: str


# --- the database ---------------------------------------------------------------------------------

def build_database(url: str, count: int) -> list[Writer]:
    """Migrate and fill the database as serve.py does, then add the writers."""
    from onboarding.schema import upgrade

    from onboarding import create_app
    from dashboard import fill

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
    began = time.perf_counter()
    fill(app, count)
    writers = add_writers(app, WRITERS)
    print(f"filled {count} trainees and {len(writers)} writers in {time.perf_counter() - began:.1f} s")
    return writers


def add_writers(app, count: int) -> list[Writer]:
    """Trainees of fill's mentor who started LEDGER_DAYS ago and have an open attempt at a stage-1 quiz."""
    import sqlalchemy as sa

    from onboarding.assessment.services import start_attempt
    from onboarding.auth.models import User
    from onboarding.extensions import db
    from onboarding.learning.models import ModuleCompletion
    from onboarding.people.services import create_user, record_of
    from onboarding.path.service import trainee_progress

    with app.app_context():
        cur = app.extensions["curriculum"]
        quiz = cur.stages[0].quizzes[0]
        mentor = db.session.scalar(sa.select(User).where(User.email == "mentor@example.com"))
        writers = []
        for k in range(count):
            email = f"writer{k}@example.com"
            trainee = create_user(email, f"Writer {k:02d}", "trainee", serve.PASSWORD, mentor_id=mentor.id)
            record_of(trainee).start_date = ledger_start()
            db.session.add_all(ModuleCompletion(user_id=trainee.id, module_slug=slug,
                                                content_version=cur.modules[slug].version) for slug in quiz.modules)
            db.session.flush()
            attempt = start_attempt(trainee, quiz, trainee_progress(record_of(trainee)))
            writers.append(Writer(email, trainee.id, attempt.id, answers_for(quiz, attempt.plan)))
        db.session.commit()
        return writers


def ledger_start() -> date:
    """The writers' start date: LEDGER_DAYS days before today (UTC, as the app counts days)."""
    return datetime.now(timezone.utc).date() - timedelta(days=LEDGER_DAYS)


def answers_for(quiz, plan: dict) -> tuple:
    """Versions of the form fields of an attempt with every question answered (the first option shown, or TYPED),
    one for each option of the first single-choice question, chosen in turn."""
    from onboarding.assessment.grading import asked, option_pairs

    fields, changing = [], None
    for q in asked(quiz, plan):
        if q.type in TYPED:
            fields.append((f"q-{q.id}", TYPED[q.type]))
        elif q.type == "single" and changing is None:
            changing = q
        else:
            fields.append((f"q-{q.id}", option_pairs(plan, q)[0][0]))
            if q.type == "multiple":
                fields.append((f"q-{q.id}-present", "1"))
    if changing is None:
        return (tuple(fields),)
    return tuple((*fields, (f"q-{changing.id}", name)) for name, _option in option_pairs(plan, changing))


# --- the requests ---------------------------------------------------------------------------------

def sign_in(base: str, writer: Writer) -> Signed:
    """Sign the writer in and read the CSRF token from their attempt page (the ledger form takes the same)."""
    opener, jar = serve.signed_in_opener(base, writer.email)
    with opener.open(f"{base}/attempts/{writer.attempt}", timeout=60) as response:
        token = serve.csrf_token_in(response.read().decode())
    return Signed(writer, serve.cookie_header(jar), token)


def autosave(signed: Signed, n: int) -> tuple[str, str]:
    """(path, form body) of the writer's n-th autosave: one answer differs from the save before."""
    answers = signed.writer.answers
    body = urllib.parse.urlencode([("csrf_token", signed.token), *answers[n % len(answers)]])
    return f"/attempts/{signed.writer.attempt}/save", body


def ledger_save(signed: Signed, n: int) -> tuple[str, str]:
    """(path, form body) of the ledger form saving the n-th day after the start: a new day, every figure given."""
    day = ledger_start() + timedelta(days=n)
    body = urllib.parse.urlencode({"csrf_token": signed.token, "day": day.isoformat(), **DAY, "note": "",
                                   "version": ""})
    return f"/trainees/{signed.writer.user_id}/activity", body


@dataclass(frozen=True)
class Write:
    """A write load: its row, how to build one request, and what a good answer is (for the Lua script)."""
    page: Page
    request: object  # (Signed, n) -> (path, body)
    status: int
    #: A Lua pattern the answer must hold: in the body (200) or in the Location header (a redirect).
    expect: str
    #: Extra request headers, as the browser sends them.
    headers: tuple = ()
    #: How many different requests a writer's loads repeat (request(signed, n) for n below it), in the script.
    cycle: Callable[[Writer], int] = lambda writer: 1
    #: Whether the n-th request of a writer saves the n-th day of their ledger (the script moves the day).
    new_day: bool = False


WRITES = (
    Write(Page("quiz autosave, 64 conn.", "trainee", "/attempts/N/save", 0.25), autosave, 200, '"saved":%s*true',
          (("X-Requested-With", "fetch"),), cycle=lambda writer: len(writer.answers)),
    Write(Page("ledger save, 64 conn.", "trainee", "/trainees/N/activity", 0.25), ledger_save, 302,
          "^[^?]*/trainees/%d+/activity$", new_day=True),  # the ledger itself: not /login?next=..., nor the ledger with a day
)


def check_answer(base: str, write: Write, signed: Signed) -> None:
    """Send one request as wrk will (with the day the load never reaches) and raise unless it is a good answer."""
    import urllib.error
    import urllib.request

    path, body = write.request(signed, LEDGER_DAYS)  # today: the ledger's last day, beyond the load's days
    request = urllib.request.Request(base + path, body.encode(), headers=request_headers(write, signed.cookie))
    try:
        with urllib.request.build_opener(serve._NoRedirect()).open(request, timeout=60) as response:
            status, text, location = response.status, response.read().decode(), response.headers.get("Location", "")
    except urllib.error.HTTPError as answer:
        status, text, location = answer.code, answer.read().decode(), answer.headers.get("Location", "")
    found = re.search(lua_to_regex(write.expect), text if write.status == 200 else location)
    if status != write.status or found is None:
        raise RuntimeError(f"{path} answered {status} {location or text[:300]!r} before the load, "
                           f"not {write.status} with {write.expect!r}")


def lua_to_regex(pattern: str) -> str:
    """The few Lua pattern classes WRITES uses, as a Python regex."""
    return pattern.replace("%s", r"\s").replace("%d", r"\d")


def request_headers(write: Write, cookie: str) -> dict:
    return {"Cookie": cookie, "User-Agent": USER_AGENT, "Content-Type": "application/x-www-form-urlencoded",
            **dict(write.headers)}


# --- wrk's script ---------------------------------------------------------------------------------

def lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_script(write: Write, signed: list[Signed]) -> str:
    """A wrk script sending `write` for each writer in turn, the writer's n-th request `write.request(signed, n)`
    (its body from the cycle, its day moved on to the n-th when `new_day`), counting the bad answers.

    Thread t (1-based) of THREADS sends requests t-1, t-1+THREADS, ...; request i goes to writer i mod W with
    n = i div W, so no two requests share a writer's n. Each thread counts the answers that are not `status`
    with `expect`; done() prints their sum as "unexpected answers: N" (parse_unexpected)."""
    rows = []
    for s in signed:
        path = write.request(s, 0)[0]
        bodies = ", ".join(lua_string(write.request(s, k)[1]) for k in range(write.cycle(s.writer)))
        rows.append(f"{{cookie={lua_string(s.cookie)}, path={lua_string(path)}, bodies={{{bodies}}}}}")
    header_lines = "".join(f"  headers[{lua_string(k)}] = {lua_string(v)}\n" for k, v in write.headers)
    day_of = ""
    if write.new_day:  # the day in the body moves on with n
        start = datetime.combine(ledger_start(), datetime.min.time(), timezone.utc).timestamp()
        day_of = (f'  body = body:gsub("day=%d+%-%d+%-%d+", "day=" .. os.date("!%Y-%m-%d", {int(start)} + n * 86400))\n')
    where = "body" if write.status == 200 else 'headers["Location"]'
    return f"""-- written by benchmarks/writes.py
local writers = {{
  {(',' + chr(10) + '  ').join(rows)}
}}
local threads = {{}}
local next_id = 1

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  unexpected = 0
  sent = 0
end

function request()
  local i = sent * {THREADS} + (id - 1)
  sent = sent + 1
  local w = writers[i % #writers + 1]
  local n = math.floor(i / #writers)
  local body = w.bodies[n % #w.bodies + 1]
{day_of}  local headers = {{}}
  headers["Cookie"] = w.cookie
  headers["User-Agent"] = {lua_string(USER_AGENT)}
  headers["Content-Type"] = "application/x-www-form-urlencoded"
{header_lines}  return wrk.format("POST", w.path, headers, body)
end

function response(status, headers, body)
  local seen = {where}
  if status ~= {write.status} or seen == nil or not string.find(seen, {lua_string(write.expect)}) then
    unexpected = unexpected + 1
  end
end

""" + serve.lua_summed("unexpected", "unexpected answers")


def parse_unexpected(output: str) -> int:
    """The answers the script found bad (its done() line); raise when the line is missing."""
    return serve.parse_count(output, "unexpected answers")


@dataclass(frozen=True)
class LogProblems:
    errors: int  # requests that failed in the app (Flask's "Exception on"), and gunicorn's errors
    locked: int  # "database is locked" anywhere in the log


def log_problems(text: str) -> LogProblems:
    """What went wrong in a stretch of gunicorn's error log."""
    errors = len(re.findall(r"Exception on |\[(?:ERROR|CRITICAL)\]", text))
    return LogProblems(errors=errors, locked=text.count("database is locked"))


# --- the run --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    """A write load: what wrk measured (its `bad` counting every failure below) and the failures by kind."""
    write: Write
    load: serve.Load
    unexpected: int  # answers other than the good one (the script's count)
    socket: int  # wrk's socket errors and timeouts
    log: LogProblems

    def failures(self) -> str:
        return (f"{self.write.page.name}: {self.unexpected} other answers, {self.socket} socket errors or timeouts, "
                f"{self.log.errors} errors and {self.log.locked} 'database is locked' in the app's log (goal: 0)")


def run_load(base: str, write: Write, signed: list[Signed], tmp: Path, log: Path) -> Result:
    """One write load: wrk with the script, then what the app's log gained meanwhile."""
    script = tmp / f"{write.request.__name__}.lua"
    script.write_text(lua_script(write, signed))
    logged = log.stat().st_size if log.exists() else 0
    output = serve.wrk(base + "/", {}, CONNECTIONS, script)
    with log.open(errors="replace") as f:
        f.seek(logged)
        problems = log_problems(f.read())
    measured, unexpected = serve.parse_wrk(output), parse_unexpected(output)
    bad = measured.bad + unexpected + problems.errors + problems.locked
    return Result(write, replace(measured, bad=bad), unexpected, serve.socket_errors(output), problems)


def measure(app_base: str, hello_base: str, writers: list[Writer], tmp: Path, log: Path):
    """The bare app's mean req/s at 64 connections (loaded first and last), and each write load."""
    signed = [sign_in(app_base, w) for w in writers]
    for write in WRITES:
        check_answer(app_base, write, signed[0])
    hello = {"User-Agent": USER_AGENT}
    first = serve.run_wrk(hello_base + "/", hello, CONNECTIONS)
    results = [run_load(app_base, write, signed, tmp, log) for write in WRITES]
    last = serve.run_wrk(hello_base + "/", hello, CONNECTIONS)
    if first.bad or last.bad:
        raise RuntimeError("the bare Flask app gave failed responses or socket errors")
    return (first.rps + last.rps) / 2, results


def database_url(tmp: str) -> str:
    """SQLite in the temporary folder; on PostgreSQL, the server scripts/with_postgres.py started."""
    if os.environ.get("BENCH_DATABASE") == "postgres":
        return os.environ["TEST_DATABASE_URL"]
    return f"sqlite:///{tmp}/bench.db"


def main(count: int) -> int:
    if os.environ.get("BENCH_DATABASE") == "postgres" and "TEST_DATABASE_URL" not in os.environ:
        script = HERE.parent / "scripts" / "with_postgres.py"
        os.execv(sys.executable, [sys.executable, str(script), sys.executable, __file__, str(count)])
    serve.ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url(tmp)
        writers = build_database(url, count)
        log = Path(tmp, "app.log")
        with serve.gunicorn("app:app", serve.ROOT, serve.server_env(url), "/healthz", log) as (app_base, _), \
                serve.gunicorn("hello:app", HERE, serve.server_env(url), "/", Path(tmp, "hello.log")) as (hello_base, _):
            hello_rps, results = measure(app_base, hello_base, writers, Path(tmp), log)
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite (WAL)"
    ok = serve.report(count, hello_rps, [(r.write.page, r.load) for r in results], {},
                      what=f"trainees on {engine}, {len(writers)} writers", connections=CONNECTIONS)
    for result in results:
        print(result.failures())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
