"""Wait until a server on HOST:PORT serves, then exit 0 (1 if it never does in the time allowed).

`make run` prints the demo sign-ins once the development server serves, so that they come after
its start-up lines rather than scroll away above them.
Usage: python tools/wait_for_server.py HOST PORT [SECONDS]
"""

import socket
import sys
import time


def wait_for(host: str, port: int, seconds: float) -> bool:
    """Knock until the server closes an empty connection: it then accepts and handles requests
    (the kernel completes a connection as soon as the port listens). An empty request is not
    logged, so the knocking leaves no line of its own in the server's output."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=2) as knock:
                knock.shutdown(socket.SHUT_WR)
                knock.recv(1)
                return True
        except OSError:  # refused (not listening yet) or timed out (not serving yet)
            time.sleep(0.2)
    return False


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    if not wait_for(host, port, float(sys.argv[3]) if len(sys.argv) > 3 else 120):
        sys.exit(f"Nothing serves on {host}:{port}.")
