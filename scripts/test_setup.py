"""Install what the test suite needs beyond Python packages, only when it is missing.

- Chromium for the browser tests (Debian package `chromium`),
- PostgreSQL 15 for the second run of the suite (Debian package `postgresql-15`, or `postgresql`),
- nginx for the two-server deployment test (Debian package `nginx`; tests/test_deployment.py),
- axe-core and the Nu HTML Checker (vnu-jar) from the npm registry into tests/e2e/tools/node_modules
  (git-ignored; never a CDN), and a Java runtime (Debian's default-jre-headless) for the checker.

Packages are installed with apt-get only when running as root. Whatever cannot be installed is said
loudly; the tests that need it then skip with the same message (browser) or the run fails (PostgreSQL,
unless ALLOW_NO_POSTGRES is set).
"""
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tests" / "e2e" / "tools"
AXE_VERSION = "4.14.1"
VNU_VERSION = "26.9.27"  # the Nu HTML Checker (vnu.jar), run with Java over every page of every demo role
CHROMIUM = "/usr/bin/chromium"


def loud(message):
    bar = "!" * 78
    print(f"\n{bar}\n!! {message}\n{bar}\n", file=sys.stderr, flush=True)


def apt_install(*packages):
    """apt-get install, as root only; True when it worked."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for attempt in (False, True):
        if attempt:
            subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
        result = subprocess.run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], env=env,
                                stdout=subprocess.DEVNULL)
        if result.returncode == 0:
            return True
    return False


def have_postgres():
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb")) or bool(shutil.which("initdb"))


def ensure_postgres():
    if have_postgres() and shutil.which("pg_dump"):
        return
    print("Installing PostgreSQL 15 for the PostgreSQL run of the suite...", flush=True)
    if not (apt_install("postgresql-15") or apt_install("postgresql")) or not have_postgres():
        loud("PostgreSQL could not be installed (not root, or apt-get failed): the PostgreSQL run cannot start.")


NGINX_PATHS = ("/usr/sbin/nginx", "/usr/local/sbin/nginx")


def find_nginx() -> str | None:
    """The nginx binary: on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH)."""
    return shutil.which("nginx") or next((path for path in NGINX_PATHS if Path(path).exists()), None)


def ensure_nginx():
    if find_nginx():
        return
    print("Installing nginx for the two-server deployment test...", flush=True)
    if not apt_install("nginx") or not find_nginx():
        loud("nginx could not be installed (not root, or apt-get failed): the deployment test will be SKIPPED.")


def ensure_chromium():
    if Path(CHROMIUM).exists():
        return
    print("Installing Chromium for the browser tests...", flush=True)
    if not apt_install("chromium", "fonts-dejavu-core") or not Path(CHROMIUM).exists():
        loud("Chromium could not be installed (not root, or apt-get failed): the browser tests will be SKIPPED.")


def ensure_axe():
    target = TOOLS / "node_modules" / "axe-core" / "axe.min.js"
    if target.exists() and f'"version": "{AXE_VERSION}"' in (target.parent / "package.json").read_text():
        return
    if not shutil.which("npm") and not apt_install("npm"):
        loud("npm is not available: axe-core cannot be installed and the accessibility checks will be SKIPPED.")
        return
    TOOLS.mkdir(parents=True, exist_ok=True)
    print(f"Installing axe-core {AXE_VERSION} from the npm registry...", flush=True)
    result = subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-save", "--no-audit", "--no-fund",
                             "--loglevel=error", f"axe-core@{AXE_VERSION}"], stdout=subprocess.DEVNULL)
    if result.returncode != 0 or not target.exists():
        loud("axe-core could not be installed from npm: the accessibility checks will be SKIPPED.")


def ensure_vnu():
    target = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    package = TOOLS / "node_modules" / "vnu-jar" / "package.json"
    if not shutil.which("java") and not apt_install("default-jre-headless"):
        loud("Java is not available: the Nu HTML Checker cannot run and the HTML validity test will be SKIPPED.")
    if target.exists() and f'"version": "{VNU_VERSION}"' in package.read_text():
        return
    if not shutil.which("npm"):
        return  # said by ensure_axe
    print(f"Installing the Nu HTML Checker (vnu-jar {VNU_VERSION}) from the npm registry...", flush=True)
    result = subprocess.run(["npm", "install", "--prefix", str(TOOLS), "--no-save", "--no-audit", "--no-fund",
                             "--loglevel=error", f"axe-core@{AXE_VERSION}", f"vnu-jar@{VNU_VERSION}"],
                            stdout=subprocess.DEVNULL)
    if result.returncode != 0 or not target.exists():
        loud("vnu-jar could not be installed from npm: the HTML validity test will be SKIPPED.")


if __name__ == "__main__":
    ensure_postgres()
    ensure_nginx()
    ensure_chromium()
    ensure_axe()
    ensure_vnu()
