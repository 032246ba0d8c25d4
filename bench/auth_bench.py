"""Benchmark: password hashing cost and the cost of the pages every user opens.

Run: .venv/bin/python bench/auth_bench.py   (uses a throwaway SQLite database in a temp folder)
Prints medians; speed is measured here, never asserted in tests.
"""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import (  # noqa: E402
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
)
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from portal.accounts.hashers import PortalArgon2Hasher  # noqa: E402


def median_ms(action: Callable[[], object], repeat: int) -> float:
    action()  # warm-up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def hashing() -> None:
    print("Password hash, one encode (median of 7):")
    for hasher in (PortalArgon2Hasher(), Argon2PasswordHasher(), PBKDF2PasswordHasher()):
        ms = median_ms(lambda h=hasher: h.encode("a long enough passphrase", h.salt()), 7)
        print(f"  {type(hasher).__name__:<24} {ms:8.1f} ms")


def pages() -> None:
    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    client = Client()
    print("Pages through the test client (median of 200; queries per request):")
    for label, path in (("sign-in page", "/sign-in/"), ("help page", "/help/")):
        report(client, label, path)
    client.post("/sign-in/", {"username": "agency.admin", "password": settings.DEMO_PASSWORD})
    report(client, "home page, signed in", "/")


def report(client: Client, label: str, path: str) -> None:
    reset_queries()  # the log is a bounded deque: once full, counting by its length fails
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    ms = median_ms(lambda: client.get(path), 200)
    print(f"  {label:<24} {ms:8.2f} ms   {len(queries)} queries")


if __name__ == "__main__":
    hashing()
    pages()
