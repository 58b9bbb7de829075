"""Run a command beside a throw-away PostgreSQL server: `python scripts/with_postgres.py CMD...`.

The server lives in a temporary folder (initdb, pg_ctl), listens on a free loopback port and on a
unix socket inside that folder, and is stopped and deleted when the command ends. The command sees
TEST_DATABASE_URL (postgresql+psycopg://...). PostgreSQL refuses to run as root, so as root the
server runs as the `postgres` account (created by Debian's package). Exit status: the command's.
"""
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: Debian's versioned folder first (15 preferred), then PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: (not p.startswith("/usr/lib/postgresql/15/"), p))
    for folder in candidates:
        if Path(folder, "initdb").exists() and Path(folder, "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("initdb")
    return Path(found).resolve().parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _demote(account):
    """preexec_fn that drops root for the server's processes."""
    if account is None:
        return None

    def run():
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)
    return run


def _server_account():
    """The account the server runs as when we are root: Debian's `postgres`, else `nobody`."""
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("PostgreSQL refuses to run as root and there is no postgres or nobody account")


class PostgresServer:
    """A private PostgreSQL cluster: start() returns the SQLAlchemy URL of its `postgres` database."""

    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.account = _server_account() if os.geteuid() == 0 else None
        self.folder = Path(tempfile.mkdtemp(prefix="onboarding-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()

    def _run(self, *args, **kwargs):
        env = dict(os.environ, LC_ALL="C.UTF-8", LANG="C.UTF-8")
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], preexec_fn=_demote(self.account),
                              cwd=self.folder, env=env, check=True, **kwargs)

    def start(self) -> str:
        if self.account:
            os.chown(self.folder, self.account.pw_uid, self.account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", stdout=subprocess.DEVNULL)
        options = (f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-o", options,
                  "start", stdout=subprocess.DEVNULL)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self):
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop",
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        except (subprocess.CalledProcessError, FileNotFoundError):
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


def main(argv):
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    bindir = find_bindir()
    if bindir is None:
        print("\n" + "!" * 78 + "\n!! PostgreSQL (initdb, pg_ctl) is not installed: the PostgreSQL run is SKIPPED.\n"
              "!! Install Debian's postgresql-15 package (scripts/test_setup.py does it as root).\n" + "!" * 78 + "\n",
              file=sys.stderr)
        return 0 if os.environ.get("ALLOW_NO_POSTGRES") else 1
    server = PostgresServer(bindir)
    try:
        url = server.start()
        print(f"PostgreSQL {bindir.parent.name} on 127.0.0.1:{server.port} for: {' '.join(argv)}", flush=True)
        return subprocess.call(argv, env=dict(os.environ, TEST_DATABASE_URL=url))
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
