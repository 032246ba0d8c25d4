"""The authorization matrix (`access_matrix.toml`): what each person gets from each URL.

An entry names a URL pattern; its `path` fills the pattern's parameters with records of the
test world (`world.py`); each method maps outcomes to people:
`GET = "ok: individual director; sign_in: anonymous; not_found: *"`, where `*` is everyone
not named. `reads` names the audit action one allowed GET writes (PHI pages).
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import resolve_url

from .world import PERSONAS

MATRIX_FILE = Path(__file__).with_name("access_matrix.toml")
METHODS = ("GET", "POST")
OUTCOMES = ("ok", "redirect", "sign_in", "bad", "forbidden", "not_found", "method")


@dataclass(frozen=True)
class Entry:
    name: str
    path: str
    expected: dict[str, dict[str, str]]  # method -> persona -> outcome
    reads: str = ""
    notes: str = ""
    extra: dict[str, object] = field(default_factory=dict)


def parse_rule(rule: str) -> dict[str, str]:
    """ "ok: a b; not_found: *" -> {persona: outcome} for every persona."""
    chosen: dict[str, str] = {}
    rest = ""
    for part in filter(None, (p.strip() for p in rule.split(";"))):
        outcome, _, names = part.partition(":")
        outcome = outcome.strip()
        if outcome not in OUTCOMES:
            raise ValueError(f"Unknown outcome {outcome!r} in {rule!r}")
        for name in names.split():
            if name == "*":
                rest = outcome
            elif name not in PERSONAS:
                raise ValueError(f"Unknown persona {name!r} in {rule!r}")
            elif name in chosen:
                raise ValueError(f"{name} named twice in {rule!r}")
            else:
                chosen[name] = outcome
    missing = [p for p in PERSONAS if p not in chosen]
    if missing and not rest:
        raise ValueError(f"No outcome for {', '.join(missing)} in {rule!r}")
    return {persona: chosen.get(persona, rest) for persona in PERSONAS}


def load_matrix() -> dict[str, Entry]:
    raw = tomllib.loads(MATRIX_FILE.read_text(encoding="utf-8"))
    return {
        name: Entry(
            name=name,
            path=body["path"],
            reads=body.get("reads", ""),
            expected={method: parse_rule(body[method]) for method in METHODS},
        )
        for name, body in raw.items()
    }


def outcome_of(response: HttpResponse, path: str) -> str:
    """The response, in the matrix's words."""
    status = response.status_code
    if status in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        return "sign_in" if target == resolve_url(settings.LOGIN_URL) else "redirect"
    words = {400: "bad", 403: "forbidden", 404: "not_found", 405: "method"}
    if 200 <= status < 300:
        return "ok"
    if status in words:
        return words[status]
    raise AssertionError(f"{path} answered {status}")
