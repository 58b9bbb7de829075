"""The real app under gunicorn on a free loopback port, and a small cookie-keeping HTTP client for it."""
import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "live-test-secret-key-that-is-long-enough-0123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_env(database_url: str, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "GUNICORN"))}
    env.update(DATABASE_URL=database_url, SECRET_KEY=SECRET, ONBOARDING_ENV="development", PYTHONUNBUFFERED="1")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def flask(env: dict, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`flask --app app ARGS` with this environment; raises with the output when it fails."""
    result = subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, input=stdin,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


@contextlib.contextmanager
def gunicorn(env: dict, log_dir: Path, workers: int = 3, timeout: int = 30):
    """Serve the app; yields (base URL, the server process, the access log path)."""
    port = free_port()
    access, errors = log_dir / "access.log", log_dir / "error.log"
    command = [str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--preload", "--timeout",
               str(timeout), "--access-logfile", str(access), "--access-logformat", "%(p)s %(m)s %(U)s %(s)s",
               "--error-logfile", str(errors), "app:app"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + (errors.read_text() if errors.exists() else ""))
            time.sleep(0.2)
        yield base, server, access
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One visitor: keeps cookies, never follows redirects, a new connection per request.

    Clients given the same jar are one visitor talking to several servers (cookies do not depend on the port);
    `context` is the SSL context for an https base."""

    def __init__(self, base: str, jar: http.cookiejar.CookieJar | None = None, context=None):
        self.base = base
        self.jar = http.cookiejar.CookieJar() if jar is None else jar
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()]
        if context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, method: str, path: str, data: dict | None = None, headers: dict | None = None,
                timeout: float = 30):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, method=method, headers=headers or {})
        try:
            with self.opener.open(req, timeout=timeout) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, data, **kwargs):
        return self.request("POST", path, data, **kwargs)

    def token(self, path="/login") -> str:
        status, html, _ = self.get(path)
        match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
        assert match, f"no CSRF token on {path} ({status})"
        return match.group(1)

    def login(self, email, password, headers: dict | None = None):
        return self.post("/login", {"email": email, "password": password, "csrf_token": self.token()}, headers=headers)


def worker_pids(access_log: Path, path: str) -> set[str]:
    """Which gunicorn workers answered requests for this path (from the access log: pid method path status)."""
    pids = set()
    for line in access_log.read_text().splitlines() if access_log.exists() else ():
        parts = line.split()
        if len(parts) >= 3 and parts[2] == path:
            pids.add(parts[0])
    return pids
