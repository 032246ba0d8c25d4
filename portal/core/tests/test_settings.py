"""Production mode refuses to start without its secrets and passes Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "c7b0e9f3a1d84b2f9e6a5c3d1b0f8e7a6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a",
    "DATABASE_URL": "postgres://portal@127.0.0.1:5432/portal",
    "ALLOWED_HOSTS": "qmportal.example.gov",
    "EMAIL_URL": "smtp://mail.example.gov:587/?tls=True",
    "AUDIT_HMAC_KEY": "k" * 64,
    "SSO_ISSUER": "https://login.example.gov/oidc",
    "SSO_CLIENT_ID": "qmportal",
    "SSO_CLIENT_SECRET": "s" * 40,
    "CLIENT_IP_HEADER": "HTTP_X_REAL_IP",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    inherited = {*PRODUCTION, "DEBUG", "PORT", "SITE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(  # noqa: S603 (fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env={**clean, "DJANGO_READ_DOTENV": "false", **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_is_clean_in_production_mode() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "missing",
    ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "EMAIL_URL", "AUDIT_HMAC_KEY", "SSO_ISSUER",
     "SSO_CLIENT_ID", "SSO_CLIENT_SECRET", "CLIENT_IP_HEADER"],
)  # fmt: skip
def test_production_refuses_to_start_without(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set when DJANGO_ENV=production" in result.stderr


@pytest.mark.parametrize("unsafe", ["DEBUG", "ALLOW_AGENCY_LOCAL_PASSWORD"])
def test_production_refuses_unsafe_switches(unsafe: str) -> None:
    result = manage("check", **PRODUCTION, **{unsafe: "true"})
    assert result.returncode != 0
    assert f"{unsafe} cannot be on" in result.stderr


def test_production_refuses_an_identity_provider_without_https() -> None:
    result = manage("check", **{**PRODUCTION, "SSO_ISSUER": "http://login.example.gov/oidc"})
    assert result.returncode != 0
    assert "SSO_ISSUER must be an https:// address" in result.stderr


def test_production_takes_the_socket_address_only_when_told_to() -> None:
    # Behind a unix socket REMOTE_ADDR is empty; a deployment whose clients reach gunicorn
    # directly says so with CLIENT_IP_HEADER=REMOTE_ADDR.
    result = manage("check", **{**PRODUCTION, "CLIENT_IP_HEADER": "REMOTE_ADDR"})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("header", ["X-Real-IP", "HTTP_X-REAL-IP", "http_x_real_ip", "REMOTE_HOST"])
def test_a_client_address_header_that_names_no_meta_key_is_refused(header: str) -> None:
    # A misspelt name would read nothing: every client one empty address, silently.
    result = manage("check", CLIENT_IP_HEADER=header)
    assert result.returncode != 0
    assert "CLIENT_IP_HEADER names a request.META key" in result.stderr


def test_production_has_no_demo_password_by_default() -> None:
    code = "from django.conf import settings; print(repr(settings.DEMO_PASSWORD))"
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.strip() == "''", result.stderr


def site_url(**env: str) -> str:
    code = "from django.conf import settings; print(settings.SITE_URL)"
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_links_follow_the_port_make_run_serves_unless_site_url_is_set() -> None:
    assert site_url() == "http://127.0.0.1:8000"
    assert site_url(PORT="8123") == "http://127.0.0.1:8123"
    assert site_url(PORT="8123", SITE_URL="https://qm.example.gov") == "https://qm.example.gov"


def test_development_starts_quietly_and_writes_email_to_files(tmp_path: Path) -> None:
    # SQLite keeps the covering indexes as plain ones: known, and no warning at every start.
    sqlite = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    result = manage(
        "check", "--database", "default", "--fail-level", "WARNING", DATABASE_URL=sqlite
    )
    assert result.returncode == 0, result.stderr
    assert "W040" not in result.stdout + result.stderr
    # E-mail goes to var/mail/ (the mailbox page lists it), not in full onto the console.
    code = (
        "from django.conf import settings; print(settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH)"
    )
    shown = manage("shell", "--no-imports", "-c", code).stdout.split()
    assert shown == ["django.core.mail.backends.filebased.EmailBackend", str(ROOT / "var" / "mail")]


def test_every_variable_the_settings_read_is_documented_in_env_example() -> None:
    import re

    source = (ROOT / "config" / "settings.py").read_text()
    read = set(re.findall(r'(?:env\.\w+|_required_in_production)\(\s*"([A-Z_]+)"', source))
    documented = set(re.findall(r"^#?([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert len(read) > 15
    assert read - documented == set()


def test_development_mode_refuses_to_face_a_network() -> None:
    result = manage("check", ALLOWED_HOSTS="portal.example.gov")
    assert result.returncode != 0
    assert "loopback hosts only" in result.stderr


def test_a_copied_env_example_starts_in_development(tmp_path: Path) -> None:
    lines = (ROOT / ".env.example").read_text().splitlines()
    env = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    env.pop("DJANGO_READ_DOTENV")
    result = manage("check", **env)
    assert result.returncode == 0, result.stderr


def database_options(**env: str) -> str:
    options = "settings.DATABASES['default']['OPTIONS']"
    code = f"from django.conf import settings; print(sorted({options}.items()))"
    result = manage("shell", "--no-imports", "-c", code, **{**PRODUCTION, **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_postgresql_binds_on_the_server_unless_told_not_to_and_keeps_the_urls_options() -> None:
    """Bound on the server; nothing prepared by psycopg's threshold (only the fixed shapes are,
    by `portal.core.prepared`: ADR 0030); no just-in-time compilation (ADR 0034)."""
    url = "postgres://portal@127.0.0.1:5432/portal?sslmode=require&options=-c%20work_mem%3D8MB"
    options = ("options", "-c work_mem=8MB -c jit=off")
    assert database_options(DATABASE_URL=url) == str(
        [options, ("server_side_binding", True), ("sslmode", "require")]
    )
    assert database_options(DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="false") == str(
        [options, ("sslmode", "require")]
    )
    plain = "postgres://portal@127.0.0.1:5432/portal"
    assert database_options(DATABASE_URL=plain, DATABASE_PREPARED_STATEMENTS="false") == str(
        [("options", "-c jit=off")]
    )


def web_worker(code: str) -> str:
    """What `code` prints after a fresh process has loaded the production web application."""
    loaded = f"from config.wsgi import application; {code}"
    result = manage("shell", "--no-imports", "-c", loaded, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_web_worker_starts_without_the_libraries_of_pdf_uploads_and_excel_exports() -> None:
    """pypdf and openpyxl are loaded by the first upload or Excel export that needs them: a worker
    that never serves one does not carry them (ADR 0029)."""
    code = (
        "import sys; from django.urls import get_resolver; get_resolver().url_patterns; "
        "print(sorted(name for name in ('pypdf', 'openpyxl') if name in sys.modules))"
    )
    assert web_worker(code) == "[]"


def test_a_web_worker_keeps_what_start_up_and_its_first_request_build_from_the_collector() -> None:
    """config.wsgi freezes what start-up built, and again after the first request (which loads
    templates and caches), so that full collections do not walk them (ADR 0029). The request is
    answered by the redirect to HTTPS: no page is rendered, so no static files are needed."""
    code = (
        "import gc; started = gc.get_freeze_count(); "
        "from django.test import Client; "
        "Client().get('/healthz', HTTP_HOST='qmportal.example.gov'); "
        "print(started > 50_000, gc.get_freeze_count() > started)"
    )
    assert web_worker(code) == "True True"
