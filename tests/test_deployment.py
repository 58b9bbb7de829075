"""Two app servers behind nginx on one PostgreSQL, on loopback: the deployment the README's "Running in
production" describes, served through deploy/nginx.conf itself.

Both servers run `init-db` at the same moment, then gunicorn (ONBOARDING_ENV=production, TRUSTED_PROXIES=1, one
SECRET_KEY); nginx (Debian's package, as the current user, everything in a temporary folder) terminates TLS with
a throw-away certificate and takes turns between them. The tests talk to nginx and to each server directly: a
session or a CSRF token from one server works on the other, failed logins on both add up to one throttle, and
when one server stops the other answers everything.
"""
import contextlib
import grp
import http.cookiejar
import os
import pwd
import shutil
import ssl
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from deploy.nginx_conf import TEMPLATE, render

from .conftest import ON_POSTGRES, PASSWORD, _pg_admin, _pg_url
from .live import BIN, Client, app_env, flask, free_port, gunicorn

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
NGINX_PATHS = ("/usr/sbin/nginx", "/usr/local/sbin/nginx")

on_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="several app servers share one PostgreSQL: runs in the "
                                 "PostgreSQL pass (scripts/with_postgres.py)")

TRAINEE = ("ada@example.com", "Ada Lovelace", "trainee")
MENTOR = ("grace@example.com", "Grace Hopper", "mentor")
PER_ACCOUNT, PER_ADDRESS = 4, 10  # the throttle's limits on these servers


def find_nginx() -> str | None:
    return shutil.which("nginx") or next((path for path in NGINX_PATHS if Path(path).exists()), None)


class _ProxiedCookies(http.cookiejar.DefaultCookiePolicy):
    """Send the Secure cookies over plain HTTP to an app server, as nginx does once it has ended TLS."""

    def return_ok_secure(self, cookie, request):
        return True


@dataclass
class Deployment:
    nginx: str  # https://127.0.0.1:PORT
    nginx_http: str  # the plain-HTTP port that sends browsers to HTTPS
    servers: dict  # "A"/"B" -> {"base", "address" (HOST:PORT), "process", "access"}
    context: ssl.SSLContext
    nginx_log: Path
    database_url: str
    init_db: list = field(default_factory=list)  # (exit status, output) of each server's `init-db`

    def visitor(self) -> "Visitor":
        return Visitor(self)

    def upstreams(self, uri_prefix: str, count: int) -> list[str]:
        """Which app server (HOST:PORT, or several when nginx moved on) answered each request, in order; waits
        for `count` of them, as nginx logs a request once it has finished with it, a moment after the client."""
        deadline = time.monotonic() + 5
        while True:
            answered = []
            for line in self.nginx_log.read_text().splitlines():
                _method, uri, _status, upstream = line.split(" ", 3)
                if uri.startswith(uri_prefix):
                    answered.append(upstream)
            if len(answered) >= count or time.monotonic() > deadline:
                return answered
            time.sleep(0.05)

    def name_of(self, address: str) -> str:
        return next(name for name, server in self.servers.items() if server["address"] == address)

    def hits(self, name: str, method: str, path: str) -> int:
        """Requests for this path in one server's own access log (pid method path status)."""
        log = self.servers[name]["access"]
        return sum(1 for line in log.read_text().splitlines() if line.split()[1:3] == [method, path])

    def hits_after(self, before: dict, method: str, path: str, count: int) -> dict:
        """Each server's requests for this path since `before`, once `count` are logged in all (gunicorn too logs
        a request after its answer has left)."""
        deadline = time.monotonic() + 5
        while True:
            now = {name: self.hits(name, method, path) - before[name] for name in before}
            if sum(now.values()) >= count or time.monotonic() > deadline:
                return now
            time.sleep(0.05)

    def clear_login_failures(self):
        engine = sa.create_engine(self.database_url)
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM login_failures"))
        engine.dispose()

    def failures_by_address(self) -> dict:
        engine = sa.create_engine(self.database_url)
        with engine.connect() as conn:
            found = dict(conn.execute(sa.text("SELECT address, count(*) FROM login_failures GROUP BY address")).all())
        engine.dispose()
        return found


class Visitor:
    """One browser: one cookie jar, whichever door it comes through (nginx, or server A or B directly)."""

    def __init__(self, deployment: Deployment):
        self.deployment = deployment
        self.jar = http.cookiejar.CookieJar(policy=_ProxiedCookies())

    def via(self, door: str) -> Client:
        base = self.deployment.nginx if door == "nginx" else self.deployment.servers[door]["base"]
        return Client(base, jar=self.jar, context=self.deployment.context)

    def referer(self, path: str) -> dict:
        """What a browser sends with a POST from a page of the site: HTTPS requests need a same-site Referer."""
        return {"Referer": self.deployment.nginx + path}

    def session_cookie(self) -> http.cookiejar.Cookie:
        return next(cookie for cookie in self.jar if cookie.name == "session")


# --- starting it --------------------------------------------------------------------------------------

def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, made by openssl for this run."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def _main_config(folder: Path, site: Path) -> Path:
    """What /etc/nginx/nginx.conf holds around the site, with every path in the folder and this user's rights."""
    account = ""
    if os.geteuid() == 0:  # as root nginx would hand its workers to `nobody`, who cannot write the temp folders
        account = f"user {pwd.getpwuid(os.geteuid()).pw_name} {grp.getgrgid(os.getegid()).gr_name};"
    config = folder / "nginx.conf"
    config.write_text(f"""{account}
daemon off;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 128; }}
http {{
    log_format upstreams '$request_method $request_uri $status $upstream_addr';
    access_log {folder}/access.log upstreams;
    client_body_temp_path {folder}/client_body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {site};
}}
""")
    return config


@contextlib.contextmanager
def _nginx(binary: str, folder: Path, base: str, context: ssl.SSLContext):
    config = _main_config(folder, folder / "onboarding.conf")
    check = subprocess.run([binary, "-t", "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config)],
                           capture_output=True, text=True)
    assert check.returncode == 0, f"nginx refuses the configuration:\n{check.stderr}"
    process = subprocess.Popen([binary, "-p", str(folder), "-e", str(folder / "error.log"), "-c", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(base + "/healthz", timeout=2, context=context) as response:
                    if response.status == 200:
                        break
            if process.poll() is not None or time.monotonic() > deadline:
                log = folder / "error.log"
                raise RuntimeError("nginx did not start:\n" + (log.read_text() if log.exists() else ""))
            time.sleep(0.1)
        yield
    finally:
        process.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _database() -> str:
    name = f"deployment_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def _init_db_at_once(env: dict, servers: int = 2) -> list:
    """`flask init-db` on every server at the same moment, as `make serve` on each would."""
    runs = [subprocess.Popen([str(BIN / "flask"), "--app", "app", "init-db"], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for _ in range(servers)]
    return [(run.wait(timeout=120), run.stdout.read()) for run in runs]


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    binary = find_nginx()
    if binary is None:
        pytest.skip("nginx is not installed: `apt-get install -y nginx` (scripts/test_setup.py does it as root)")
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: it makes the test's TLS certificate (`apt-get install -y openssl`)")
    folder = tmp_path_factory.mktemp("deployment")
    name = _database()
    url = _pg_url(name)
    env = app_env(url, ONBOARDING_ENV="production", TRUSTED_PROXIES=1, CONTENT_DIR=TESTS / "content",
                  QUIZZES_DIR=TESTS / "quizzes", LOGIN_FAILURES_PER_ACCOUNT=PER_ACCOUNT,
                  LOGIN_FAILURES_PER_ADDRESS=PER_ADDRESS)
    init_db = _init_db_at_once(env)
    for email, full_name, role in (TRAINEE, MENTOR):
        flask(env, "create-user", email, "--role", role, "--name", full_name, "--password-stdin",
              stdin=PASSWORD + "\n")
    cert, key = _certificate(folder)
    context = ssl.create_default_context(cafile=str(cert))
    with contextlib.ExitStack() as stack:
        servers = {}
        for server in "AB":
            log_dir = folder / server
            log_dir.mkdir()
            base, process, access = stack.enter_context(gunicorn(env, log_dir, workers=2))
            servers[server] = {"base": base, "address": base.removeprefix("http://"), "process": process,
                               "access": access}
        https_port, http_port = free_port(), free_port()
        (folder / "onboarding.conf").write_text(render(
            [server["address"] for server in servers.values()], "127.0.0.1", str(cert), str(key),
            http_port=http_port, https_port=https_port))
        nginx = f"https://127.0.0.1:{https_port}"
        stack.enter_context(_nginx(binary, folder, nginx, context))
        yield Deployment(nginx=nginx, nginx_http=f"http://127.0.0.1:{http_port}", servers=servers, context=context,
                         nginx_log=folder / "access.log", database_url=url, init_db=init_db)
    with _pg_admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def site(deployment):
    """The deployment with no failed login on record before and after the test."""
    deployment.clear_login_failures()
    yield deployment
    deployment.clear_login_failures()


# --- the tests ------------------------------------------------------------------------------------

def test_the_readme_shows_the_nginx_configuration_the_test_serves():
    readme = (ROOT / "README.md").read_text()
    site_config = TEMPLATE.read_text()
    body = site_config[site_config.index("\nupstream "):]
    assert body.strip() in readme, "README's 'Running in production' must show deploy/nginx.conf as it is"


@on_postgres
def test_two_servers_starting_at_once_migrate_the_database_once(site):
    assert [status for status, _output in site.init_db] == [0, 0], site.init_db
    assert sum("Running upgrade" in output for _status, output in site.init_db) == 1, site.init_db


@on_postgres
def test_nginx_takes_turns_between_the_two_servers(site):
    before = {name: site.hits(name, "GET", "/login") for name in "AB"}
    for turn in range(6):
        status, html, headers = site.visitor().via("nginx").get(f"/login?turn={turn}")
        assert status == 200
        assert "max-age=31536000" in headers["Strict-Transport-Security"]
    answered = [site.name_of(address) for address in site.upstreams("/login?turn=", 6)]
    assert answered in (list("ABABAB"), list("BABABA")), answered
    # Each server's own access log agrees: three each.
    assert site.hits_after(before, "GET", "/login", 6) == {"A": 3, "B": 3}


@on_postgres
def test_plain_http_is_sent_to_https(site):
    status, _html, headers = Client(site.nginx_http).get("/login")
    assert status == 301
    assert headers["Location"].startswith("https://127.0.0.1")


@on_postgres
def test_a_session_started_on_one_server_continues_on_the_other(site):
    visitor = site.visitor()
    assert visitor.via("A").login(TRAINEE[0], PASSWORD)[0] == 302
    for server in "BA":
        status, html, _ = visitor.via(server).get("/")
        assert status == 200 and TRAINEE[1] in html, (server, status)

    visitor = site.visitor()
    assert visitor.via("nginx").login(TRAINEE[0], PASSWORD, headers=visitor.referer("/login"))[0] == 302
    cookie = visitor.session_cookie()
    assert cookie.secure and cookie.has_nonstandard_attr("HttpOnly")
    for turn in range(4):
        status, html, _ = visitor.via("nginx").get(f"/?session={turn}")
        assert status == 200 and TRAINEE[1] in html
    assert {site.name_of(address) for address in site.upstreams("/?session=", 4)} == {"A", "B"}

    # Signing out on one server signs out on both.
    token = visitor.via("A").token("/")
    assert visitor.via("B").post("/logout", {"csrf_token": token})[0] == 302
    assert visitor.via("A").get("/")[0] == 302


@on_postgres
def test_a_csrf_token_from_one_server_is_accepted_by_the_other(site):
    visitor = site.visitor()
    token = visitor.via("A").token("/login")
    form = {"email": TRAINEE[0], "password": PASSWORD, "csrf_token": token}
    assert visitor.via("B").post("/login", form)[0] == 302

    # The check is on: a token from another visitor's form is refused.
    stranger = site.visitor()
    stranger.via("B").get("/login")
    assert stranger.via("A").post("/login", form)[0] == 400

    # Through nginx the form and its POST land on different servers.
    visitor = site.visitor()
    token = visitor.via("nginx").token("/login?form=csrf")
    form = {"email": TRAINEE[0], "password": PASSWORD, "csrf_token": token}
    assert visitor.via("nginx").post("/login?form=csrf", form, headers=visitor.referer("/login"))[0] == 302
    get, post = site.upstreams("/login?form=csrf", 2)
    assert get != post, "nginx sent the form's page and its POST to the same server"
    # Over HTTPS a POST from another site (its Referer) is refused, whichever server takes it.
    visitor = site.visitor()
    token = visitor.via("nginx").token("/login")
    form = {"email": TRAINEE[0], "password": PASSWORD, "csrf_token": token}
    assert visitor.via("nginx").post("/login", form, headers={"Referer": "https://evil.example/login"})[0] == 400


@on_postgres
def test_failed_logins_on_both_servers_add_up_to_the_account_throttle(site):
    email = MENTOR[0]
    for server in ("AB" * PER_ACCOUNT)[:PER_ACCOUNT]:
        assert site.visitor().via(server).login(email, "wrong-password-123")[0] == 401
    # Four failures, two on each server: now even the right password is refused everywhere.
    for server in ("A", "B"):
        status, html, _ = site.visitor().via(server).login(email, PASSWORD)
        assert status == 429 and "Too many failed attempts" in html
    for turn in range(2):
        visitor = site.visitor()
        assert visitor.via("nginx").login(email, PASSWORD, headers=visitor.referer("/login"))[0] == 429
    assert site.visitor().via("B").login(TRAINEE[0], PASSWORD)[0] == 302  # only that account is held


@on_postgres
def test_failed_logins_through_nginx_add_up_to_the_address_throttle_whatever_the_client_claims(site):
    seen = len(site.upstreams("/login", 0))
    for guess in range(PER_ADDRESS):
        visitor = site.visitor()
        headers = {**visitor.referer("/login"), "X-Forwarded-For": f"203.0.113.{guess}"}
        assert visitor.via("nginx").login(f"guess{guess}@example.com", "wrong-password-123", headers=headers)[0] == 401
    served = {site.name_of(address) for address in site.upstreams("/login", seen + 2 * PER_ADDRESS)[seen:]}
    assert served == {"A", "B"}
    assert site.failures_by_address() == {"127.0.0.1": PER_ADDRESS}
    visitor = site.visitor()
    assert visitor.via("nginx").login(TRAINEE[0], PASSWORD, headers=visitor.referer("/login"))[0] == 429
    for server in "AB":
        assert site.visitor().via(server).login(TRAINEE[0], PASSWORD)[0] == 429


@on_postgres
def test_when_one_server_stops_the_other_answers_everything(site):
    """Last in the file: it stops server B for good."""
    visitor = site.visitor()
    assert visitor.via("nginx").login(TRAINEE[0], PASSWORD, headers=visitor.referer("/login"))[0] == 302
    stopped = site.servers["B"]["process"]
    stopped.terminate()
    stopped.wait(timeout=15)
    for turn in range(4):
        status, html, _ = visitor.via("nginx").get(f"/?after-stop={turn}")
        assert status == 200 and TRAINEE[1] in html
    visitor = site.visitor()
    assert visitor.via("nginx").login(MENTOR[0], PASSWORD, headers=visitor.referer("/login"))[0] == 302
    answered = site.upstreams("/?after-stop=", 4)
    assert all(address.endswith(site.servers["A"]["address"]) for address in answered), answered
