"""The authorization matrix (`access_matrix.toml`): what each person gets from each URL.

An entry names a URL pattern; its `path` fills the pattern's parameters with records of the
test world (`world.py`); each method maps outcomes to people:
`GET = "ok: individual director; sign_in: anonymous; not_found: *"`, where `*` is everyone
not named. `reads` names the audit action one allowed GET writes (PHI pages).
"""

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
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
    kit = raw.pop("kit")
    entries = {
        name: Entry(
            name=name,
            path=body["path"],
            reads=body.get("reads", ""),
            expected={method: parse_rule(body[method]) for method in METHODS},
        )
        for name, body in raw.items()
    }
    return entries | kit_entries(kit)


def kit_entries(kit: dict[str, dict[str, str]]) -> dict[str, Entry]:
    """The report kit's rows for every registered type, for the pages the type has."""
    from portal.reports.testing import contract_for
    from portal.reports.types import registered

    from .urls import ALL_URLS

    names = {name for name, _ in ALL_URLS}
    entries = {}
    for rtype in registered():
        contract = contract_for(rtype)
        classes = _classes(rtype, contract)
        fill = {
            "type": rtype.slug,
            "section": rtype.sections[0].slug,
            "item_list": rtype.item_lists[0].slug if rtype.item_lists else "",
            "review_step": contract.review_step,
            "draft": f"{{{rtype.slug}_draft}}",
            "filed": f"{{{rtype.slug}_filed}}",
            "attachment": f"{{{rtype.slug}_attachment}}",
            "copy": f"{{{rtype.slug}_copy}}",
        }
        for page, body in kit.items():
            name = f"{rtype.slug}:{page}"
            if name not in names:
                continue
            entries[name] = Entry(
                name=name,
                path=body["path"].format(**fill),
                reads=body.get("reads", "").format(**fill),
                expected={m: parse_rule(_expand(body[m], classes)) for m in METHODS},
            )
    return entries


# The people a kit rule's words stand for, by the side of the report they are on, and the
# contract's person each of them is.
HOLDERS = {
    "individual": "filer",
    "director": "approver",
    "plan_reviewer": "plan",
    "redactor": "redactor",
}
# Each word: the contract's person whose roles it tests, and the side whose people it names.
WORDS = {
    "filer": ("filer", "provider"),
    "approver": ("approver", "provider"),
    "plan": ("plan", "plan"),
    "redactor": ("redactor", "plan"),
    "plan_filer": ("filer", "plan"),  # the member's plan filing the type itself (OHR)
}


def _classes(rtype: Any, contract: Any) -> dict[str, list[str]]:
    """Each contract word to the people on its side who hold all of its roles. A type its plans
    file (QoC) has its filer on the plan's side; "reviewer" is whoever on the plan's side holds
    a role of the review step; "provider_filer" the outsider, when providers file the type."""
    held = {person: set(contract.holds(word)) for person, word in HOLDERS.items()}
    side = {person: WORDS[word][1] for person, word in HOLDERS.items()}
    words = dict(WORDS)
    if contract.filer_side == "plan":
        words["filer"] = ("filer", "plan")
    classes = {}
    for word, (tested, on) in words.items():
        wanted = set(contract.holds(tested))
        classes[word] = [
            person
            for person, has in held.items()
            if wanted and wanted <= has and side[person] == on
        ]
    step_roles = rtype.workflow.transitions[contract.review_step].roles
    classes["reviewer"] = [p for p, has in held.items() if side[p] == "plan" and has & step_roles]
    classes["provider_filer"] = ["outsider"] if contract.filer_side == "provider" else []
    return classes


def _expand(rule: str, classes: dict[str, list[str]]) -> str:
    """The rule with contract words replaced by people, each person kept where first named."""
    named: set[str] = set()
    parts = []
    for part in filter(None, (p.strip() for p in rule.split(";"))):
        outcome, _, words = part.partition(":")
        people = []
        for word in words.split():
            for person in classes.get(word, [word]):
                if person not in named or person == "*":
                    named.add(person)
                    people.append(person)
        if people:
            parts.append(f"{outcome}: {' '.join(people)}")
    return "; ".join(parts)


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
