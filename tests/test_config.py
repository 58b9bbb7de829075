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
