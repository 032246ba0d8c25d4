"""The portal as the drills run it: settings, management commands, gunicorn, and task workers
kept running the way deploy/systemd/qmportal-worker.service does (restarted when they die, with
`requeue_stranded_email` before each start)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.serve import ROOT, free_port, start_gunicorn, stop_group, worker_pids

PYTHON = sys.executable
_RECOVERY = re.compile(r"Re-queued: (\d+) stranded e-mail\(s\); abandoned delivery tasks: (\d+)")


def environment(database_url: str, smtp_port: int) -> dict[str, str]:
    """Development settings with DEBUG off (the error pages people get in production), real
    SMTP to the drill's server."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "development",
        "DJANGO_READ_DOTENV": "false",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "PYTHONUNBUFFERED": "1",
    }


class Portal:
    def __init__(self, folder: Path, database_url: str, smtp_port: int) -> None:
        self.logs = folder / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.env = environment(database_url, smtp_port)
        self.port = free_port()
        self.web: subprocess.Popen[bytes] | None = None

    def manage(self, *args: str, env: dict[str, str] | None = None) -> str:
        """Run a management command; its output, or SystemExit with its error."""
        done = subprocess.run(  # noqa: S603 (fixed program)
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"manage.py {args[0]} failed:\n{done.stderr[-2000:]}")
        return done.stdout

    def start_web(self, workers: int = 3) -> None:
        self.web = start_gunicorn(self.port, self.env, self.logs / "gunicorn.log", workers=workers)

    def web_workers(self) -> list[int]:
        return worker_pids(self.web) if self.web else []

    def stop(self) -> None:
        if self.web is not None:
            stop_group(self.web)
            self.web = None


@dataclass
class Recovery:
    runs: int = 0
    failed_runs: int = 0
    requeued: int = 0
    abandoned: int = 0


@dataclass
class TaskWorkers:
    """`count` db_worker processes, each restarted `restart_delay` seconds after it dies (as
    systemd's Restart=always), with the recovery command run first (as its ExecStartPre)."""

    portal: Portal
    count: int = 2
    restart_delay: float = 1.0
    processes: list[subprocess.Popen[bytes] | None] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    recovery: Recovery = field(default_factory=Recovery)
    starts: int = 0
    _held: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self.processes, self.ids = [None] * self.count, [""] * self.count
        self._thread = threading.Thread(target=self._supervise, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 60
        while not all(self.processes) and time.monotonic() < deadline:
            time.sleep(0.2)

    def _supervise(self) -> None:
        died_at: dict[int, float] = {}
        while not self._stopping.is_set():
            for slot in range(self.count):
                with self._lock:
                    process = self.processes[slot]
                    if slot in self._held or (process is not None and process.poll() is None):
                        continue
                if process is not None:
                    moment = died_at.setdefault(slot, time.monotonic())
                    if time.monotonic() - moment < self.restart_delay:
                        continue
                self._restart(slot)
                died_at.pop(slot, None)
            self._stopping.wait(0.1)

    def _restart(self, slot: int) -> None:
        self._recover()
        if self._stopping.is_set():
            return
        self.starts += 1
        worker_id = f"drill-{slot}-{self.starts}"
        with (self.portal.logs / f"worker-{slot}.log").open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 (fixed program)
                [
                    PYTHON,
                    "manage.py",
                    "db_worker",
                    "--no-reload",
                    "--no-startup-delay",
                    "--interval",
                    "0.5",
                    "--worker-id",
                    worker_id,
                ],
                cwd=ROOT,
                env=self.portal.env,
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        with self._lock:
            self.processes[slot], self.ids[slot] = process, worker_id

    def _recover(self) -> None:
        try:
            output = self.portal.manage("requeue_stranded_email")
        except SystemExit:
            self.recovery.failed_runs += 1  # the database is down: the worker starts anyway
            return
        self.recovery.runs += 1
        with (self.portal.logs / "recovery.log").open("a") as log:
            log.write(f"{time.strftime('%H:%M:%S')} {output.strip()}\n")
        found = _RECOVERY.search(output)
        if found:
            self.recovery.requeued += int(found.group(1))
            self.recovery.abandoned += int(found.group(2))

    @contextmanager
    def held(self, slot: int):  # type: ignore[no-untyped-def]
        """Keep the supervisor off one slot (while a drill kills it and looks around)."""
        with self._lock:
            self._held.add(slot)
        try:
            yield
        finally:
            with self._lock:
                self._held.discard(slot)

    def kill(self, slot: int) -> str:
        """SIGKILL the slot's worker (no clean-up, as the OOM killer or a power cut); its id."""
        with self._lock:
            process, worker_id = self.processes[slot], self.ids[slot]
        if process is None or process.poll() is not None:
            return ""
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return worker_id

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=60)
        for process in self.processes:
            if process is not None:
                stop_group(process)


@dataclass
class Sealer:
    """The audit sealer (`manage.py seal_audit --forever`), restarted `restart_delay` seconds after
    it dies, as deploy/systemd/qmportal-sealer.service does (Restart=always, RestartSec=1)."""

    portal: Portal
    restart_delay: float = 1.0
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    _held: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._supervise, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while self.process is None and time.monotonic() < deadline:
            time.sleep(0.1)

    def _supervise(self) -> None:
        died_at: float | None = None
        while not self._stopping.is_set():
            with self._lock:
                process, held = self.process, self._held
            if not held and (process is None or process.poll() is not None):
                if process is not None and died_at is None:
                    died_at = time.monotonic()
                if died_at is None or time.monotonic() - died_at >= self.restart_delay:
                    self._spawn()
                    died_at = None
            self._stopping.wait(0.1)

    def _spawn(self) -> None:
        with (self.portal.logs / "sealer.log").open("ab") as out:
            process = subprocess.Popen(  # noqa: S603 (fixed program)
                [PYTHON, "manage.py", "seal_audit", "--forever"],
                cwd=ROOT,
                env=self.portal.env,
                start_new_session=True,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        with self._lock:
            self.process = process
            self.starts += 1

    @contextmanager
    def held(self):  # type: ignore[no-untyped-def]
        """Stop the sealer (SIGTERM: it finishes its batch) and keep it stopped meanwhile."""
        with self._lock:
            self._held = True
            process = self.process
        if process is not None and process.poll() is None:
            stop_group(process)
        try:
            yield
        finally:
            with self._lock:
                self._held, self.process = False, None

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        if self.process is not None and self.process.poll() is None:
            stop_group(self.process)
