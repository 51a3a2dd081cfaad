"""Production settings pass Django's deployment checklist; the demo defaults do not pretend to."""

import os
import secrets
import subprocess
import sys


def run_check(extra_env):
    env = {**os.environ, **extra_env}
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "ansinh.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = run_check({
        "DEBUG": "0", "HTTPS": "1", "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ansinh.example.vn", "ANSINH_DATA_DIR": str(tmp_path),
    })
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_local_defaults_fail_check_deploy(tmp_path):
    result = run_check({"DEBUG": "0", "ANSINH_DATA_DIR": str(tmp_path), "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stdout + result.stderr


def test_a_new_sqlite_database_gets_16_kb_pages_and_wal(tmp_path):
    """The page size only takes when the file is created, before WAL is switched on: the
    settings' connection command must say it first (an import writes a quarter of the pages)."""
    db = tmp_path / "new.sqlite3"
    code = (
        "import django; django.setup()\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE t (x integer)')\n"
        "    c.execute('PRAGMA page_size'); size = c.fetchone()[0]\n"
        "    c.execute('PRAGMA journal_mode'); mode = c.fetchone()[0]\n"
        "print(size, mode)\n"
    )
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "ANSINH_DATA_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "ansinh.settings"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["16384", "wal"]
