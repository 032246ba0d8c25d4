"""Run Debian's wapiti 3.0.4 with its --exclude option repaired (run with /usr/bin/python3).

wapiti 3.0.4 builds exclusion patterns as `pattern\\Z(?ms)`; Python 3.11 rejects global flags
after the start, so any -x crashes the crawler. Without -x the crawler posts the sign-out form
and scans the rest anonymously. This puts the flags first; everything else is wapiti's own.
wapiti also loads every module at start, and the wapp and nikto modules then download their
databases from GitHub when missing: the scan must stay on loopback, so those updates do nothing.
"""

import re
import sys

from wapitiCore.attack import mod_nikto, mod_wapp
from wapitiCore.main import wapiti
from wapitiCore.net import crawler


def no_download(self: object) -> None:
    """Replaces the modules' database updates (neither module is in the scan's list)."""


def wildcard_translate(pattern: str) -> re.Pattern[str]:
    """`*` matches anything; every other character matches itself (as wapiti intends)."""
    body = "".join(".*" if char == "*" else re.escape(char) for char in pattern)
    return re.compile(r"(?ms)" + body + r"\Z")


if __name__ == "__main__":
    crawler.wildcard_translate = wildcard_translate
    mod_wapp.mod_wapp.update = no_download
    mod_nikto.mod_nikto.update = no_download
    sys.argv[0] = "wapiti"
    sys.exit(wapiti.wapiti_main())
