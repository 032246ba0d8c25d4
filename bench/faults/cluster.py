"""A private, throwaway PostgreSQL cluster for the fault drills: `initdb` in a temporary folder,
its own port on 127.0.0.1, a random password. The machine's own server is never touched.

PostgreSQL refuses to run as root, so as root the server-side commands (initdb, pg_ctl) run as
the `postgres` system user, who then owns the folder; client tools (pg_dump, pg_restore) run as
whoever we are, over TCP.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psycopg
from psycopg import sql


def bindir() -> Path:
    """PostgreSQL's programs: PG_BINDIR, else the newest /usr/lib/postgresql/N/bin (Debian),
    else the folder of `initdb` on PATH."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    if initdb is None:
        raise SystemExit("PostgreSQL's initdb was not found; set PG_BINDIR.")
    return Path(initdb).resolve().parent


class Cluster:
    """One PostgreSQL server: `start()`, `stop(mode)`, `url(database)`, `remove()`."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder, self.port = folder, port
        self.data, self.log = folder / "pgdata", folder / "postgres.log"
        self.password = secrets.token_urlsafe(24)
        self.bin = bindir()
        self.as_postgres = os.geteuid() == 0

    def _server_command(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run(  # noqa: S603 (fixed programs, our own folder)
            [*prefix, *command],
            cwd=self.folder,
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            # Its own session: Ctrl+C in the terminal reaches us, and we stop the server.
            start_new_session=True,
        )

    def init(self) -> None:
        password_file = self.folder / "password"
        password_file.write_text(self.password)
        if self.as_postgres:
            account = pwd.getpwnam("postgres")
            for path in (self.folder, password_file):
                os.chown(path, account.pw_uid, account.pw_gid)
        self._server_command(
            str(self.bin / "initdb"),
            "--pgdata",
            str(self.data),
            "--username",
            "postgres",
            "--auth",
            "scram-sha-256",
            "--pwfile",
            str(password_file),
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )
        password_file.unlink()

    def start(self) -> None:
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.folder} -c max_connections=80 "
            "-c shared_buffers=64MB -c log_min_messages=warning"
        )
        self._server_command(
            str(self.bin / "pg_ctl"),
            "start",
            "--pgdata",
            str(self.data),
            "--log",
            str(self.log),
            "--wait",
            "--timeout",
            "60",
            "-o",
            options,
        )

    def stop(self, mode: str = "fast") -> None:
        """`fast`: a clean shutdown that ends every session; `immediate`: a crash (recovery runs
        at the next start)."""
        self._server_command(
            str(self.bin / "pg_ctl"),
            "stop",
            "--pgdata",
            str(self.data),
            "--mode",
            mode,
            "--wait",
            "--timeout",
            "60",
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    def client_env(self) -> dict[str, str]:
        """Environment for pg_dump and pg_restore: the password, never on a command line."""
        return {**os.environ, "PGPASSWORD": self.password}

    def shutdown(self) -> None:
        """Stop the server however it stands (the folder stays, for its log)."""
        if (self.data / "postmaster.pid").exists():
            try:
                self.stop("immediate")
            except (subprocess.CalledProcessError, OSError):
                self._kill_postmaster()

    def remove(self) -> None:
        self.shutdown()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
            time.sleep(1)
        except (OSError, ValueError, IndexError):
            pass
