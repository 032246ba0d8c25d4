"""Starting and stopping the portal's processes for bench/ tools: gunicorn on a free loopback
port (returned once /healthz answers), its worker processes, and process-group shutdown.

Shared by bench/faults; the port probe and group shutdown are tools/security's own.
"""

from __future__ import annotations

import http.client
import os
import secrets
import subprocess
import time
from pathlib import Path

from tools.security.findings import stop_group
from tools.security.run_scans import free_port

ROOT = Path(__file__).resolve().parent.parent
__all__ = [
    "ROOT",
    "free_port",
    "healthz",
    "production_environment",
    "start_gunicorn",
    "stop_group",
    "worker_pids",
]


def production_environment(
    database_url: str, *, audit_key: str, email_url: str, name: str,
    settings_module: str = "config.settings",
) -> dict[str, str]:  # fmt: skip
    """The production settings as deploy/ runs them, on loopback, for a throwaway database:
    fresh secret key, no single sign-on reachable (an .invalid issuer), nothing read from .env.
    `name` only labels the made-up SSO client."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_ENV": "production",
        "DJANGO_READ_DOTENV": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # gunicorn listens on TCP here: the socket's peer is the client.
        "CLIENT_IP_HEADER": "REMOTE_ADDR",
        "DATABASE_URL": database_url,
        "AUDIT_HMAC_KEY": audit_key,
        "EMAIL_URL": email_url,
        "SSO_ISSUER": f"https://sso.{name}.invalid",
        "SSO_CLIENT_ID": name,
        "SSO_CLIENT_SECRET": f"{name}-only",
        "PYTHONUNBUFFERED": "1",
    }


def healthz(port: int, timeout: float = 5) -> int:
    """The status /healthz answers with (an OSError when nothing answers)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    finally:
        connection.close()


def start_gunicorn(
    port: int,
    env: dict[str, str],
    log: Path,
    *,
    workers: int = 3,
    timeout: int = 60,
    wait_seconds: float = 60,
) -> subprocess.Popen[bytes]:
    """gunicorn (sync workers) with `env` on 127.0.0.1:`port`, in its own process group, its
    error log and the portal's own log lines in `log`; returns once /healthz answers 200."""
    with log.open("ab") as out:
        server = subprocess.Popen(  # noqa: S603 (fixed arguments)
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--timeout",
                str(timeout),
                # Its default socket is one path per user: two servers would fight over it.
                "--no-control-socket",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if healthz(port) == 200:
                return server
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.5)
    stop_group(server)
    raise SystemExit(f"gunicorn did not answer on port {port}; see {log}")


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    """The gunicorn master's current worker processes (Linux /proc)."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    try:
        return [int(pid) for pid in children.read_text().split()]
    except FileNotFoundError:
        return []
