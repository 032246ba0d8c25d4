"""Finding and removing identifying phrases in free text (SPEC §3.4), for every report
application that releases redacted copies.

A phrase is removed wherever it appears as a whole (not inside a longer word), whatever its
case and however many spaces separate its words. The tool suggests phrases (the record's own
identifying values and common patterns); a person accepts or rejects each one and may add their
own. Redaction works on the data, before anything is rendered.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

REMOVED = "[removed]"
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_STREET_WORDS = (
    r"(?i:street|st|avenue|ave|road|rd|drive|dr|lane|ln|boulevard|blvd|way|court|ct|place|pl"
    r"|circle|cir|parkway|pkwy|highway|hwy|trail|trl|route)"
)
# Common shapes of identifying values in narratives, with the words that tell the person why.
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AHCCCS ID", re.compile(r"\b[A-Z]\d{8}\b")),
    ("Social Security number", re.compile(r"\b\d{3}-\d{2}-\d{4}\b")),
    ("phone number", re.compile(r"(?<!\w)(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}\b")),
    ("e-mail address", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("date", re.compile(r"\b\d{1,2}[/-]\d{1,2}[/-](?:\d{4}|\d{2})\b")),
    ("date", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    ("date", re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b", re.I)),
    (
        "street address",
        re.compile(rf"\b\d{{1,6}}(?:\s+[A-Z][\w.]*){{1,4}}\s+{_STREET_WORDS}(?!\w)"),
    ),
)


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


def suggest(texts: Iterable[str], known: Iterable[tuple[str, str]]) -> list[Suggestion]:
    """Phrases to propose for removal from `texts`: the `known` (reason, value) pairs that
    appear in them, then whatever matches a common pattern, each phrase once, in reading order
    of first appearance."""
    corpus = "\n".join(texts)
    found: dict[str, tuple[int, str, str]] = {}  # folded phrase -> (first place, phrase, reason)
    for reason, value in known:
        value = " ".join(value.split())
        pattern = phrase_pattern([value])
        match = pattern.search(corpus) if pattern else None
        if match and value.casefold() not in found:
            found[value.casefold()] = (match.start(), match.group(0), reason)
    for reason, pattern in PATTERNS:
        for match in pattern.finditer(corpus):
            phrase = " ".join(match.group(0).split())
            found.setdefault(phrase.casefold(), (match.start(), phrase, reason))
    ordered = sorted(found.values(), key=lambda item: (item[0], -len(item[1])))
    return [Suggestion(phrase, reason, _count(corpus, phrase)) for _, phrase, reason in ordered]


def _count(corpus: str, phrase: str) -> int:
    pattern = phrase_pattern([phrase])
    return len(pattern.findall(corpus)) if pattern else 0
