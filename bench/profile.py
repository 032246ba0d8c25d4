"""Where one page's time goes (issue #20: "each step measured with py-spy before and after").

Serves the portal as `make bench` does (production settings, the seeded `qm_bench`), signs in as
the reviewer, keeps one gunicorn worker busy with that page through wrk, samples the worker with
py-spy and prints the frames that hold the most samples, inclusive (a frame counts once per
sample however deep it recurs). The raw samples stay in var/bench/ for a flame graph.

Run: .venv/bin/python -m bench.profile "/iad/reports/?status=closed" --seconds 15
(needs `make bench` once, for the database and wrk; py-spy comes with requirements-bench.txt).
"""

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from .client import Client
from .run import OUT, REVIEWER, demo_password, environment
from .serve import free_port, start_gunicorn, stop_group, worker_pids

PY_SPY = Path(sys.executable).with_name("py-spy")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", help="the page, as the reviewer asks for it")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/qm_bench")
    parser.add_argument("--seconds", type=int, default=15, help="how long to sample")
    parser.add_argument("--rate", type=int, default=250, help="samples a second")
    parser.add_argument("--top", type=int, default=60, help="how many frames to print")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    raw = OUT / "profile.txt"
    port = free_port()
    env = environment(args.database_url)
    server = start_gunicorn(port, env, OUT / "profile-gunicorn.log", workers=1, timeout=120)
    try:
        reviewer = Client("127.0.0.1", port)
        reviewer.sign_in(REVIEWER, demo_password())
        answer = reviewer.get(args.path)
        if answer.status != 200:
            raise SystemExit(f"{args.path} answered {answer.status}, not 200: nothing to profile.")
        load = _load(port, args.path, reviewer.headers(), args.seconds + 6)
        time.sleep(3)  # past the first requests' warm-up
        worker = str(worker_pids(server)[0])
        sample = ["record", "-p", worker, "-d", str(args.seconds), "-r", str(args.rate)]
        subprocess.run(  # noqa: S603 (py-spy of this venv on the worker we started)
            [str(PY_SPY), *sample, "--format", "raw", "-o", str(raw), "--nonblocking"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        load.wait()
    finally:
        stop_group(server)
    for share, frame in top_frames(raw.read_text(), args.top):
        print(f"{share:6.1%}  {frame}")
    print(f"Raw samples: {raw}")
    return 0


def _load(port: int, path: str, headers: dict[str, str], seconds: int) -> subprocess.Popen[bytes]:
    """wrk keeping the single worker busy (4 connections: always a request waiting)."""
    command = ["wrk", "-t1", "-c4", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603 (wrk, our arguments)


def top_frames(raw: str, count: int) -> list[tuple[float, str]]:
    """The frames in most samples, each counted once per sample, as (share, "function file")."""
    inclusive: Counter[str] = Counter()
    total = 0
    for line in filter(None, raw.splitlines()):
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit():  # --nonblocking can read a stack mid-change: garbage
            continue
        total += int(samples)
        frames = {_frame(frame) for frame in stack.split(";")}
        for frame in frames:
            inclusive[frame] += int(samples)
    return [(n / max(total, 1), frame) for frame, n in inclusive.most_common(count)]


def _frame(frame: str) -> str:
    name, _, where = frame.partition(" (")
    file = where.rsplit(":", 1)[0].split("site-packages/")[-1].replace(str(Path.cwd()) + "/", "")
    return f"{name}  {file}"


if __name__ == "__main__":
    sys.exit(main())
