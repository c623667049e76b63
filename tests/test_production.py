"""The documented production set-up: `check --deploy` is clean, and gunicorn starts and serves pages."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "x" * 20 + "production-test-secret-key-with-enough-entropy-1234567890",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CFIT_DATA_DIR": str(tmp_path),
            "STATIC_ROOT": str(tmp_path / "static"),
            "SECURE_SSL_REDIRECT": "false",  # TLS ends at the proxy in front; the test talks to gunicorn directly
            "CFIT_SITE_URL": "https://cfit.example.org",
        }
    )
    if "DATABASE_URL" not in env:
        env.pop("DATABASE_URL", None)
    return env


def cfit(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "cfit"), *args], env=env, capture_output=True, text=True, timeout=300)


def test_production_settings_refuse_to_start_without_a_secret(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    result = cfit(env, "check")

    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    env["SECURE_SSL_REDIRECT"] = "true"

    result = cfit(env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.skipif(
    "DATABASE_URL" in os.environ, reason="uses its own SQLite file; the PostgreSQL run tests the rest"
)
def test_gunicorn_serves_pages_and_static_files(tmp_path: Path) -> None:
    env = production_env(tmp_path)
    assert cfit(env, "migrate", "--no-input").returncode == 0
    assert cfit(env, "collectstatic", "--no-input").returncode == 0
    assert cfit(env, "loadframework").returncode == 0
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "cfit.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = ""
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.25)
        assert body == '{"status": "ok"}'
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/criteria/", timeout=10) as response:
            page = response.read().decode()
            assert response.headers["X-Frame-Options"] == "DENY"
        assert "Criteria library" in page
        stylesheet = re.search(r'<link rel="stylesheet" href="/static/([^"]+)"', page)
        assert stylesheet is not None
        css = stylesheet.group(1)
        assert re.fullmatch(r"cfit\.[0-9a-f]{12}\.css", css), "hashed static file names in production"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/{css}", timeout=5) as response:
            assert response.status == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_console_script_works_from_any_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()}
    env["CFIT_DATA_DIR"] = str(tmp_path)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    run = lambda *args: subprocess.run(  # noqa: E731
        [shutil.which("cfit", path=str(BIN)) or str(BIN / "cfit"), *args],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run("migrate", "--no-input").returncode == 0
    assert "criteria" in run("loadframework").stdout
    exported = run("criteria", "export", "--format", "json", "--lang", "nl")

    assert exported.returncode == 0, exported.stderr
    assert '"languages": [\n    "nl"\n  ]' in exported.stdout
