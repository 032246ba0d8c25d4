"""Finding and removing identifying phrases in free text (SPEC §3.4), for every report
application that releases redacted copies.

A phrase is removed wherever it appears as a whole (not inside a longer word), whatever its
case and however many spaces separate its words. The tool suggests phrases, as the text spells
them (the record's own identifying values in any spelling, and common shapes of identifiers:
`identifiers.py`); a person accepts or rejects each one and may add their own. Redaction works
on the data, before anything is rendered.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from .identifiers import Known, find

REMOVED = "[removed]"


@dataclass(frozen=True)
class Suggestion:
    """A phrase the tool proposes to remove, why, and how many times it appears."""

    phrase: str
    reason: str
    count: int


def phrase_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern matching any of the phrases as a whole, longest first so that a full name
    goes before its first name; None when there is nothing to match."""
    parts = []
    for phrase in sorted({" ".join(p.split()) for p in phrases if p.strip()}, key=len,
                         reverse=True):  # fmt: skip
        body = r"\s+".join(re.escape(word) for word in phrase.split(" "))
        start = r"(?<!\w)" if phrase[0].isalnum() or phrase[0] == "_" else ""
        end = r"(?!\w)" if phrase[-1].isalnum() or phrase[-1] == "_" else ""
        parts.append(f"{start}{body}{end}")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def redact(text: str, phrases: Iterable[str]) -> str:
    """The text with every phrase replaced by the removal marker."""
    pattern = phrase_pattern(phrases)
    return pattern.sub(REMOVED, text) if pattern else text


def suggest(texts: Iterable[str], known: Iterable[Known | tuple[str, str]]) -> list[Suggestion]:
    """Phrases to propose for removal from `texts`, as written there: the `known` values in
    every spelling found, then whatever has the shape of an identifier; each phrase once, in
    reading order of its first appearance. Each text is searched on its own: a phrase never
    runs from one text into the next, where removing it would find nothing."""
    texts, values = list(texts), as_known(known)
    found: dict[str, tuple[tuple[int, int], str, str]] = {}  # folded phrase → (place, it, why)
    for number, text in enumerate(texts):
        for place in find(text, values):
            phrase = " ".join(text[place.start : place.end].split())
            found.setdefault(phrase.casefold(), ((number, place.start), phrase, place.reason))
    ordered = sorted(found.values(), key=lambda item: (item[0], -len(item[1])))
    return [Suggestion(phrase, reason, _count(texts, phrase)) for _, phrase, reason in ordered]


def leftovers(
    texts: Iterable[tuple[str, str]], known: Iterable[Known | tuple[str, str]]
) -> list[tuple[str, str, str]]:
    """The record's own values still in texts that should be free of them, in any spelling:
    (where, why, as written) for each, by the label of the text it is in."""
    values = as_known(known)
    return [
        (label, place.reason, " ".join(text[place.start : place.end].split()))
        for label, text in texts
        for place in find(text, values, patterns=False)
    ]


def as_known(known: Iterable[Known | tuple[str, str]]) -> list[Known]:
    """Known values, given as `Known` or as plain (why, value) pairs."""
    return [item if isinstance(item, Known) else Known(*item) for item in known]


def _count(texts: list[str], phrase: str) -> int:
    pattern = phrase_pattern([phrase])
    return sum(len(pattern.findall(text)) for text in texts) if pattern else 0
