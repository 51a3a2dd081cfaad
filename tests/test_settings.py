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
