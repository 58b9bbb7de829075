"""Configuration from the environment, and refusal of unsafe production settings."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from onboarding.config import ConfigError, load_config

ROOT = Path(__file__).resolve().parent.parent
STRONG = "x" * 20 + "Strong-Key-For-Tests-0123456789"


def test_defaults_use_sqlite_in_instance(tmp_path):
    config = load_config(str(tmp_path), env={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/onboarding.db"
    assert config["SESSION_COOKIE_SECURE"] is False


def test_database_url_is_read_and_postgres_uses_psycopg(tmp_path):
    config = load_config(str(tmp_path), env={"DATABASE_URL": "postgresql://u:p@localhost/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@localhost/db"


@pytest.mark.parametrize("env", [
    {"ONBOARDING_ENV": "production"},
    {"ONBOARDING_ENV": "production", "SECRET_KEY": "dev"},
    {"ONBOARDING_ENV": "production", "SECRET_KEY": "too-short"},
    {"ONBOARDING_ENV": "production", "SECRET_KEY": STRONG, "FLASK_DEBUG": "1"},
])
def test_production_refuses_unsafe_settings(tmp_path, env):
    with pytest.raises(ConfigError):
        load_config(str(tmp_path), env=env)


def test_production_with_a_strong_key_has_secure_cookies(tmp_path):
    config = load_config(str(tmp_path), env={"ONBOARDING_ENV": "production", "SECRET_KEY": STRONG})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax" and config["SESSION_COOKIE_HTTPONLY"]


def test_app_import_fails_in_production_without_secret_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(ONBOARDING_ENV="production", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}")
    result = subprocess.run([sys.executable, "-c", "from app import app"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


_FORKED = """
import gc, os, sys
import sqlalchemy as sa
from app import app
from onboarding.extensions import db

with app.app_context():  # the loading process uses the database once: its pool keeps the connection
    db.session.execute(sa.text("SELECT 1"))
    db.session.remove()
    print("parent", db.engine.pool.checkedin(), gc.get_freeze_count() > 0)
    sys.stdout.flush()
    child = os.fork()
    if child == 0:  # a worker forked from it, as gunicorn --preload does
        print("worker", db.engine.pool.checkedin())
        db.session.execute(sa.text("SELECT 1"))  # and it opens its own
        db.session.remove()
        print("worker", db.engine.pool.checkedin())
        sys.stdout.flush()
        os._exit(0)
    os.waitpid(child, 0)
    print("parent", db.engine.pool.checkedin())
    db.session.execute(sa.text("SELECT 1"))  # the parent opens a new one when it needs one
    print("parent", db.engine.pool.checkedout())
"""


def test_a_worker_forked_from_the_loaded_app_starts_with_its_own_connections(tmp_path):
    """`make serve` loads the app once and forks the workers from it (gunicorn --preload): the connections the
    loading process pooled are closed before the fork, so a worker starts with none of them and opens its own. What
    was loaded is frozen for the garbage collector, so the workers keep sharing its pages."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "SECRET_KEY": "k" * 48}
    result = subprocess.run([sys.executable, "-c", _FORKED], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == ["parent 1 True", "worker 0", "worker 1", "parent 0", "parent 1"]
