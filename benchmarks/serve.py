"""Benchmark: the throughput of the main pages under gunicorn, against a bare Flask app in the same run.

    .venv/bin/python benchmarks/serve.py [TRAINEES]     (default 1000; BENCH_SECONDS per load, default 5)

Fills a throw-away SQLite database (WAL, through the real migrations) with benchmarks/dashboard.py's
`fill`, adds a trainee with an open quiz attempt, then serves the app and benchmarks/hello.py with
identical gunicorn settings (2 sync workers forked from the loaded app as `make serve` runs it, no access
log) on free loopback ports. Each page is
loaded with wrk (16 connections, 2 threads) as a signed-in user; the bare app is loaded before and
after, and each page's goal is a share of its mean requests per second, so the goals hold on any
machine. Before the load, counts each page's SQL statements in-process on the same database against
its budget; after it, reads the memory of the master and of each worker: resident, proportional (PSS, the
goal's measure: pages shared with the master and the other worker are divided among them, so the processes'
PSS add up to what the server uses) and its own. Prints one table; exits 1 when a goal is missed, 2 when wrk
is missing and cannot be installed.
"""
import contextlib
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from dashboard import fill  # noqa: E402

PASSWORD = "benchmark-pass-2024"  # every account fill and this script create
USER_AGENT = "onboarding-benchmark/1.0"  # sessions are bound to address and User-Agent: wrk sends the same
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
MAX_WORKER_MB = 60


@dataclass(frozen=True)
class Page:
    """A page to load: who asks for it, its goal as a share of the bare app's req/s, and a p99 ceiling."""
    name: str
    who: str  # head, trainee, mentor, or api (the head's bearer token)
    path: str
    min_ratio: float | None  # None: a reference row, printed without a goal
    max_queries: int | None = None  # SQL statements a visit makes, whatever the number of trainees
    max_p99_ms: float | None = None


@dataclass(frozen=True)
class Load:
    """What wrk measured for one URL."""
    rps: float
    p50_ms: float
    p99_ms: float
    bad: int  # responses other than 2xx or 3xx, socket errors, and (run_wrk) any answer but a 200


def pages(setup: dict) -> list[Page]:
    """The pages under goal, with the module and the attempt the benchmark trainee has. The query budgets are what
    each page makes at 1,000 and at 10,000 trainees alike (tests/test_query_count.py holds them equal from 10 up)."""
    return [
        Page("dashboard (head)", "head", "/", 0.15, 5, 50),
        Page("cohort (head)", "head", "/cohort", 0.10, 6),
        Page("API trainees, 100", "api", "/api/v1/trainees?per_page=100", 0.10, 3),
        Page("module (trainee)", "trainee", f"/modules/{setup['module']}", 0.50, 4),
        Page("home (trainee)", "trainee", "/", 0.30, 4),
        Page("quiz attempt (trainee)", "trainee", f"/attempts/{setup['attempt']}", 0.20, 3),
        Page("grading inbox (mentor)", "mentor", "/grading", 0.20, 4),
    ]


#: Reference rows, served by benchmarks/frame.py: the floor any signed-in page of this stack stands on.
FLOOR = [Page("signed in, nothing shown", "trainee", "/_bench/signed-in", None),
         Page("page frame alone", "trainee", "/_bench/frame", None)]


# --- the database ---------------------------------------------------------------------------------

def build_database(url: str, count: int) -> dict:
    """Migrate and fill the database; returns the API token, a stage-1 module slug and an open attempt id."""
    from onboarding.schema import upgrade

    from onboarding import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
    began = time.perf_counter()
    token = fill(app, count)
    print(f"filled {count} trainees in {time.perf_counter() - began:.1f} s")
    waiting = add_waiting_attempts(app)
    print(f"{waiting} attempts wait in the benchmark mentor's grading inbox")
    return {"token": token, **add_quiz_taker(app)}


def add_quiz_taker(app) -> dict:
    """A trainee of fill's mentor who has read what a stage-1 quiz covers and started it."""
    import sqlalchemy as sa

    from onboarding.assessment.services import start_attempt
    from onboarding.auth.models import User
    from onboarding.extensions import db
    from onboarding.learning.models import ModuleCompletion
    from onboarding.people.services import create_user, record_of
    from onboarding.path.service import trainee_progress

    with app.app_context():
        cur = app.extensions["curriculum"]
        stage, quiz = cur.stages[0], cur.stages[0].quizzes[0]
        mentor = db.session.scalar(sa.select(User).where(User.email == "mentor@example.com"))
        trainee = create_user("trainee@example.com", "Bench Trainee", "trainee", PASSWORD, mentor_id=mentor.id)
        for slug in quiz.modules:
            db.session.add(ModuleCompletion(user_id=trainee.id, module_slug=slug,
                                            content_version=cur.modules[slug].version))
        db.session.flush()
        attempt = start_attempt(trainee, quiz, trainee_progress(record_of(trainee)))
        db.session.commit()
        return {"module": stage.modules[0].slug, "attempt": attempt.id}


def add_waiting_attempts(app) -> int:
    """The written test (the quiz with answers a person grades) submitted by each stage-3 trainee of fill's mentor,
    through the services a trainee's answers go through: the grading inbox lists a mentor's working day, not an
    empty page. Returns how many attempts wait."""
    import sqlalchemy as sa

    from onboarding.assessment import grading
    from onboarding.assessment.models import WRITTEN
    from onboarding.assessment.services import start_attempt, submit
    from onboarding.auth.models import User
    from onboarding.extensions import db
    from onboarding.people.models import TraineeRecord
    from onboarding.people.services import record_of
    from onboarding.path.service import trainee_progress

    with app.app_context(), app.test_request_context():
        cur = app.extensions["curriculum"]
        quiz = next(q for q in cur.quizzes.values() if any(x.graded_by_person for x in q.questions)
                    and WRITTEN in q.forms)
        mentor = db.session.scalar(sa.select(User).where(User.email == "mentor@example.com"))
        trainees = db.session.scalars(sa.select(User).join(TraineeRecord, TraineeRecord.user_id == User.id)
                                      .where(TraineeRecord.mentor_id == mentor.id).order_by(User.id)).all()
        waiting = 0
        for trainee in trainees:
            progress = trainee_progress(record_of(trainee))
            if progress.current_stage != quiz.stage:
                continue
            attempt = start_attempt(trainee, quiz, progress)
            answers = {q.id: (f"The answer of {trainee.full_name} to question {q.id}, in a few sentences."
                              if q.graded_by_person else "") for q in grading.asked(quiz, attempt.plan)}
            waiting += submit(attempt, quiz, answers, trainee)
        db.session.commit()
        return waiting


@contextlib.contextmanager
def environment(env: dict):
    """This process's environment replaced by `env` inside the block."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def count_queries(url: str, setup: dict, planned: list[Page]) -> dict[str, int]:
    """Each page's SQL statements, counted in-process on the benchmark's database as its user sees it (the third
    visit: the day's first look for stale summaries and the kept renderings are behind it, as under load)."""
    import sqlalchemy as sa

    from onboarding import create_app
    from onboarding.extensions import db

    with environment(server_env(url)):  # configured as the servers are
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    counts = {}
    with app.app_context():
        engine = db.engine
    clients = {}
    for page in planned:
        client = clients.get(page.who)
        if client is None:
            client = clients[page.who] = app.test_client()
            if page.who != "api":
                client.post("/login", data={"email": f"{page.who}@example.com", "password": PASSWORD})
        headers = {"Authorization": f"Bearer {setup['token']}"} if page.who == "api" else {}
        for _ in range(2):
            client.get(page.path, headers=headers)
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731  (before_cursor_execute's statement)
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            status = client.get(page.path, headers=headers).status_code
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        if status != 200:
            raise RuntimeError(f"{page.path} answered {status} to {page.who} in-process, not 200")
        counts[page.name] = len(statements)
    engine.dispose()
    return counts


# --- the servers ----------------------------------------------------------------------------------

def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(database_url: str) -> dict:
    """This environment without Flask or gunicorn settings, plus the app's database and a random key."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN", "ONBOARDING_"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY=secrets.token_urlsafe(48), PYTHONUNBUFFERED="1")
    return env


@contextlib.contextmanager
def gunicorn(target: str, cwd: Path, env: dict, ready_path: str, log: Path):
    """Serve a WSGI app with the benchmark's settings; yields (base URL, master pid) once it answers."""
    port = free_port()
    # --preload as `make serve` runs the app: loaded once, the workers forked from it (the bare app alike)
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "--worker-class", "sync",
               "--preload", "--error-logfile", str(log), target]  # no --access-logfile: gunicorn writes no access log
    server = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(base + ready_path, server, log)
        yield base, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_ready(url: str, server: subprocess.Popen, log: Path) -> None:
    """Poll the URL until it answers 200; raise with gunicorn's log when the server dies or a minute passes."""
    deadline = time.monotonic() + 60
    while True:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start:\n{log.read_text() if log.exists() else ''}")
        time.sleep(0.2)


@dataclass(frozen=True)
class Memory:
    """A process's memory in MB (/proc/PID/smaps_rollup): resident, proportional and private."""
    rss: float  # every page it maps, those shared with the master and the other workers counted in full
    pss: float  # each shared page divided among the processes sharing it: the processes' PSS add up to their use
    private: float  # pages no other process maps: what the machine gets back when this worker ends


def memory_of(pid: int) -> Memory:
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields[name] = int(rest.split()[0]) / 1024  # kB
    return Memory(fields["Rss"], fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"])


def worker_memory(master: int) -> dict[int, Memory]:
    """The memory of each child process (worker) of a gunicorn master, by pid."""
    found = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        with contextlib.suppress(OSError, KeyError, ValueError):
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
            if int(fields["PPid"]) == master:
                found[int(status.parent.name)] = memory_of(int(status.parent.name))
    return found


# --- signing in -----------------------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hand redirects back to the caller: a page that sends us to /login must not look like a 200."""

    def redirect_request(self, *args, **kwargs):
        return None


def csrf_token_in(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    if match is None:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def signed_in_opener(base: str, email: str) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    """Sign in through the login form; returns an opener that sends the session (and the User-Agent) and its jar."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect())
    opener.addheaders = [("User-Agent", USER_AGENT)]
    with opener.open(base + "/login", timeout=30) as response:
        form = {"email": email, "password": PASSWORD, "csrf_token": csrf_token_in(response.read().decode())}
    try:
        opener.open(base + "/login", urllib.parse.urlencode(form).encode(), timeout=30).close()
    except urllib.error.HTTPError as answer:  # the redirect after a good login arrives as an "error"
        if answer.code != 302:
            raise RuntimeError(f"signing in as {email} answered {answer.code}") from None
    return opener, jar


def cookie_header(jar: http.cookiejar.CookieJar) -> str:
    """The Cookie header value that sends every cookie of the jar."""
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def sign_in(base: str, email: str) -> str:
    """Sign in through the login form; returns the Cookie header value of the session."""
    return cookie_header(signed_in_opener(base, email)[1])


def check_page(url: str, headers: dict) -> None:
    """Raise unless the page answers 200 itself (a redirect to /login means the session was refused)."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.build_opener(_NoRedirect()).open(request, timeout=60) as response:
            status = response.status
    except urllib.error.HTTPError as answer:
        status = answer.code
    if status != 200:
        raise RuntimeError(f"{url} answered {status} before the load, not 200")


# --- wrk ------------------------------------------------------------------------------------------

def ensure_wrk() -> None:
    """Install Debian's wrk when it is missing and we are root; otherwise say how and exit 2."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        print("wrk is missing: install it with `sudo apt-get install -y wrk`", file=sys.stderr)
        sys.exit(2)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)


def wrk(url: str, headers: dict, connections: int = 16, script: Path | None = None) -> str:
    """Load one URL with wrk for SECONDS (2 threads; a Lua script if given); what wrk prints."""
    header_args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    script_args = ["-s", str(script)] if script else []
    command = ["wrk", "-t2", f"-c{connections}", f"-d{SECONDS}s", "--latency", *script_args, *header_args, url]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def lua_summed(counter: str, label: str) -> str:
    """A wrk script's done(): the per-thread `counter` summed over the threads its setup() kept in `threads`, written
    as "LABEL: N" (read back by parse_count)."""
    return f"""function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("{counter}")
  end
  io.write(string.format("{label}: %d\\n", total))
end
"""


def parse_count(output: str, label: str) -> int:
    """The "LABEL: N" line of a script's done() (lua_summed); raise when it is missing (the script did not run)."""
    match = re.search(rf"^{re.escape(label)}: (\d+)$", output, re.M)
    if match is None:
        raise RuntimeError(f"wrk's script printed no count of {label}")
    return int(match.group(1))


#: wrk's script for a page's load: every answer must be a 200. wrk itself counts only answers outside 2xx and 3xx,
#: and a refused session is a 302 to /login, which would pass for a fast page.
STATUS_SCRIPT = """-- written by benchmarks/serve.py
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  others = 0
end

function response(status, headers, body)
  if status ~= 200 then
    others = others + 1
  end
end

""" + lua_summed("others", "answers other than 200")


def parse_others(output: str) -> int:
    """The answers other than 200 that STATUS_SCRIPT counted."""
    return parse_count(output, "answers other than 200")


def run_wrk(url: str, headers: dict, connections: int = 16) -> Load:
    """Load one URL with wrk for SECONDS, every answer checked to be a 200, and parse what it prints."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp, "status.lua")
        script.write_text(STATUS_SCRIPT)
        output = wrk(url, headers, connections, script)
    load = parse_wrk(output)  # the script's count holds wrk's own non-2xx/3xx answers: not counted twice
    return Load(load.rps, load.p50_ms, load.p99_ms, socket_errors(output) + parse_others(output))


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def socket_errors(output: str) -> int:
    """wrk's failed connections, reads, writes and timeouts (no answer within 2 s)."""
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return sum(map(int, errors.groups())) if errors else 0


def parse_wrk(output: str) -> Load:
    """Requests/sec, the 50 % and 99 % latencies in ms, and the failed responses and socket errors."""
    def latency(share: str) -> float:
        value, unit = re.search(rf"^\s*{share}%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M).groups()
        return float(value) * UNITS_MS[unit]

    non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    bad = (int(non2xx.group(1)) if non2xx else 0) + socket_errors(output)
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", output).group(1))
    return Load(rps=rps, p50_ms=latency("50"), p99_ms=latency("99"), bad=bad)


# --- the run --------------------------------------------------------------------------------------

def headers_for(who: str, cookies: dict, token: str) -> dict:
    """The headers wrk and the check send for a user: their session cookie, or the head's bearer token."""
    if who == "api":
        return {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
    return {"Cookie": cookies[who], "User-Agent": USER_AGENT}


def measure(app_base: str, hello_base: str, frame_base: str, setup: dict) -> tuple[float, list[tuple[Page, Load]]]:
    """The bare app's mean req/s (loaded first and last) and each page's load, the floor's reference rows first."""
    cookies = {who: sign_in(app_base, f"{who}@example.com") for who in ("head", "trainee", "mentor")}
    plan = ([(page, frame_base, headers_for(page.who, cookies, setup["token"])) for page in FLOOR]
            + [(page, app_base, headers_for(page.who, cookies, setup["token"])) for page in pages(setup)])
    for page, base, headers in plan:
        check_page(base + page.path, headers)
    first = run_wrk(hello_base + "/", {"User-Agent": USER_AGENT})
    loads = [(page, run_wrk(base + page.path, headers)) for page, base, headers in plan]
    last = run_wrk(hello_base + "/", {"User-Agent": USER_AGENT})
    if first.bad or last.bad:
        raise RuntimeError("the bare Flask app gave failed responses or socket errors")
    return (first.rps + last.rps) / 2, loads


def report(count: int, hello_rps: float, loads: list[tuple[Page, Load]], memory: dict,
           queries: dict[str, int] | None = None, what: str = "trainees", connections: int = 16) -> bool:
    """Print the table and the memory lines; True when every goal is met."""
    print(f"\n{count} {what}, wrk -t2 -c{connections} -d{SECONDS}s, 2 sync workers each; "
          f"bare Flask: {hello_rps:.0f} req/s (mean of first and last load)\n")
    print(f"{'page':24} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p99 ms':>8} {'queries':>8}  {'goal':36} result")
    all_ok = True
    for page, load in loads:
        ratio = load.rps / hello_rps
        made = (queries or {}).get(page.name)
        if page.min_ratio is None:
            print(f"{page.name:24} {load.rps:8.0f} {ratio:7.1%} {load.p50_ms:8.1f} {load.p99_ms:8.1f} {'-':>8}  "
                  f"{'(reference: no goal)':36} {f'{load.bad} failed' if load.bad else ''}")
            all_ok &= load.bad == 0
            continue
        ok = (ratio >= page.min_ratio and load.bad == 0
              and (page.max_queries is None or (made is not None and made <= page.max_queries))
              and (page.max_p99_ms is None or load.p99_ms <= page.max_p99_ms))
        goal = (f">= {page.min_ratio:.0%}" + (f", p99 <= {page.max_p99_ms:.0f} ms" if page.max_p99_ms else "")
                + (f", <= {page.max_queries} queries" if page.max_queries else ""))
        failed = f" ({load.bad} failed)" if load.bad else ""
        print(f"{page.name:24} {load.rps:8.0f} {ratio:7.1%} {load.p50_ms:8.1f} {load.p99_ms:8.1f} "
              f"{'-' if made is None else made:>8}  "
              f"{goal:36} {'ok' if ok else 'MISS'}{failed}")
        all_ok &= ok
    print()
    for pid, mem in memory.items():
        line = f"{mem.rss:.1f} MB resident, {mem.pss:.1f} MB proportional (PSS), {mem.private:.1f} MB its own"
        if pid == "master":
            print(f"app master: {line}")
            continue
        ok = mem.pss <= MAX_WORKER_MB
        print(f"app worker {pid}: {line} (goal: PSS <= {MAX_WORKER_MB} MB) {'ok' if ok else 'MISS'}")
        all_ok &= ok
    return all_ok


def main(count: int) -> int:
    ensure_wrk()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        setup = build_database(url, count)
        queries = count_queries(url, setup, pages(setup))
        env = server_env(url)  # one secret key: the frame's server accepts the app's sessions
        with gunicorn("app:app", ROOT, env, "/healthz", Path(tmp, "app.log")) as (app_base, master), \
                gunicorn("hello:app", HERE, env, "/", Path(tmp, "hello.log")) as (hello_base, _), \
                gunicorn("frame:app", HERE, env, "/healthz", Path(tmp, "frame.log")) as (frame_base, _):
            hello_rps, loads = measure(app_base, hello_base, frame_base, setup)
            memory = {"master": memory_of(master), **worker_memory(master)}
    return 0 if report(count, hello_rps, loads, memory, queries) else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000))
