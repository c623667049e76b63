"""The main pages under load, served as in production.

``python -m bench.pages`` builds a scratch database with the demo data (SQLite in a temporary folder,
or a scratch PostgreSQL database next to ``--database-url``), collects the static files, and starts
gunicorn with the production settings (``DJANGO_ENV=production``, debug off, WhiteNoise) on loopback.
Then ``--clients`` concurrent clients (50) request the main public and signed-in pages in turn for
``--seconds`` (60): the criteria library and a criterion, the public results of the pact and of a
buyer group, the participant list, the home page; signed in as the demo procurer, the fleet dashboard,
the tender list and the monitoring page. The baseline, in the same run and from the same server, is a
static file (WhiteNoise's answer is the floor of what the stack can serve).

Prints one JSON line: for each page its requests, requests per second, p50 and p95 in ms and errors
(any answer but 200, or a failed connection); the same for the static baseline; the totals; and
``max_p95_ms`` of the pages, the figure the goal is stated in (p95 ≤ 300 ms, 0 errors).

The clients are threads of this process, one connection per request (gunicorn's sync workers close
each connection). On a small machine the clients and the server share the cores: compare runs on one
machine, and read the baseline beside the pages.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from bench.monitoring import scratch_database

ROOT = Path(__file__).resolve().parent.parent

#: (name, path, signed in): the pages a visitor and a procurer open most.
PAGES = [
    ("home", "/", False),
    ("criteria-library", "/criteria/", False),
    ("criterion", "/criteria/{criterion}/", False),
    ("results-pact", "/results/", False),
    ("results-group", "/results/?scope={group}", False),
    ("organisations", "/organisations/", False),
    ("fleet-dashboard", "/fleet/{organisation}/", True),
    ("tenders", "/tenders/", True),
    ("monitoring", "/monitoring/", True),
]
STATIC = ("static-file", "/static/cfit.css", False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cfit(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "cfit", *args], env=env, check=True, stdout=subprocess.DEVNULL)


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Migrate, load the demo, and find the ids the pages need and a procurer's session cookie."""
    cfit(env, "migrate", "--no-input", "-v", "0")
    cfit(env, "demo")
    script = (
        "import django, json; django.setup()\n"
        "from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model\n"
        "from django.contrib.sessions.backends.db import SessionStore\n"
        "from cfit.criteria.models import Criterion\n"
        "from cfit.pact.models import BuyerGroup\n"
        "from cfit.accounts.models import Membership\n"
        "user = get_user_model().objects.get(username='procurer')\n"
        "session = SessionStore()\n"
        "session[SESSION_KEY] = str(user.pk)\n"
        "from django.conf import settings\n"
        "session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]\n"
        "session[HASH_SESSION_KEY] = user.get_session_auth_hash()\n"
        "session.create()\n"
        "group = BuyerGroup.objects.filter(campaigns__results_published__isnull=False).first()\n"
        "print(json.dumps({'session': session.session_key,\n"
        "  'criterion': Criterion.objects.order_by('code').first().code,\n"
        "  'group': group.slug if group else 'pact',\n"
        "  'organisation': Membership.objects.filter(user=user).first().organisation.slug}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True
    ).stdout
    found: dict[str, str] = json.loads(out.strip().splitlines()[-1])
    return found


def serve(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "cfit.wsgi", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--log-level", "warning", "--backlog", "2048",
        ],
        env=env,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = request(port, "/health/", "")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not answer /health/ within 60 s")


def request(port: int, path: str, cookie: str) -> tuple[int, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Host": f"127.0.0.1:{port}", "X-Forwarded-Proto": "https", "Accept-Language": "en"}
        if cookie:
            headers["Cookie"] = f"sessionid={cookie}"
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        connection.close()


def drive(
    port: int, pages: list[tuple[str, str, bool]], cookie: str, clients: int, seconds: float
) -> dict[str, list[tuple[float, bool]]]:
    """Each client requests the pages in turn (starting at its own), until the time is up."""
    timings: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client(offset: int) -> None:
        mine: list[tuple[str, float, bool]] = []
        n = offset
        while time.monotonic() < stop:
            name, path, signed_in = pages[n % len(pages)]
            n += 1
            started = time.perf_counter()
            try:
                status, _ = request(port, path, cookie if signed_in else "")
                ok = status == 200
            except OSError:
                ok = False
            mine.append((name, time.perf_counter() - started, ok))
        with lock:
            for name, elapsed, ok in mine:
                timings[name].append((elapsed, ok))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summarise(timings: dict[str, list[tuple[float, bool]]], seconds: float) -> dict[str, dict[str, float]]:
    out = {}
    for name, found in timings.items():
        elapsed = [t for t, _ in found]
        out[name] = {
            "requests": len(found),
            "per_second": round(len(found) / seconds, 1),
            "p50_ms": round(statistics.median(elapsed) * 1000, 1),
            "p95_ms": round(percentile(elapsed, 0.95) * 1000, 1),
            "errors": sum(1 for _, ok in found if not ok),
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1)
    parser.add_argument("--database-url", default="", help="PostgreSQL server to make a scratch database on")
    options = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="cfit-bench-pages-"))
    env = {
        **os.environ,
        "CFIT_DATA_DIR": str(folder),
        "STATIC_ROOT": str(folder / "static"),
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "cfit.settings",
        # one key for the session made beforehand and the server that reads it
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    env.pop("DATABASE_URL", None)
    if options.database_url:
        env["DATABASE_URL"] = scratch_database(options.database_url, "pages")
    server = None
    try:
        ids = prepare({**env, "DJANGO_ENV": "development"})
        production = {
            **env,
            "DJANGO_ENV": "production",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "CFIT_SITE_URL": "https://cfit.example.org",
        }
        cfit(production, "collectstatic", "--no-input", "-v", "0")
        port = free_port()
        server = serve(production, port, options.workers)
        pages = [(name, path.format(**ids), signed_in) for name, path, signed_in in PAGES]
        for name, path, signed_in in pages:  # warm each worker's caches once, and fail early on errors
            status, _ = request(port, path, ids["session"] if signed_in else "")
            if status != 200:
                raise SystemExit(f"{name} ({path}) answered {status}")
        measured = summarise(
            drive(port, pages, ids["session"], options.clients, options.seconds), options.seconds
        )
        baseline = summarise(
            drive(port, [STATIC], "", options.clients, options.seconds / 4), options.seconds / 4
        )
        print(
            json.dumps(
                {
                    "clients": options.clients,
                    "seconds": options.seconds,
                    "workers": options.workers,
                    "database": "postgresql" if options.database_url else "sqlite",
                    "pages": measured,
                    "baseline_static": baseline[STATIC[0]],
                    "per_second": round(sum(p["per_second"] for p in measured.values()), 1),
                    "errors": sum(int(p["errors"]) for p in measured.values()),
                    "max_p95_ms": max(p["p95_ms"] for p in measured.values()),
                }
            )
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
