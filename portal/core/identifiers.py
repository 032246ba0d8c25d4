"""Finding identifiers in free text, in the spellings people write them (issue #18, ADR 0023).

Two kinds of finds, both as spans of the original text:
- a record's own values (`Known`: the member's name, AHCCCS ID, date of birth, a phone...),
  matched after folding accents and case, whatever spaces, hyphens, dots or brackets people put
  inside them; each part of a person's name on its own; a date of birth in every numeric order
  and separator, with month names and two-digit years;
- common shapes of identifiers the record does not know (`PATTERNS`, and phone numbers found by
  `phonenumbers`, Google's libphonenumber).
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import phonenumbers

# What may stand between the digits of a number as people write it; between the words or
# number groups of a value, anything but letters and digits ("Nunez-Garcia, Jose", "#5").
_DIGIT_GAP = r"[\s.\-/()]*"
_WORD_GAP = r"[\W_]*"
# A name's part shorter than this is looked for alone only as a name is written, capitalised
# ("Al" in any case would mark every "al"; "Ms. Li" must still go).
NAME_PART_FLOOR = 3

_MONTH_NAMES = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_STREET_WORDS = (
    r"(?i:street|st|avenue|ave|road|rd|drive|dr|lane|ln|boulevard|blvd|way|court|ct|place|pl"
    r"|circle|cir|parkway|pkwy|highway|hwy|trail|trl|route)"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
# Common shapes of identifiers in narratives, with the words that tell the person why; matched
# on the original text. Phone numbers are libphonenumber's (`_phone_spans`).
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # An AHCCCS ID: a letter and 8 digits, in any case, spaces or hyphens between groups.
    ("AHCCCS ID", re.compile(r"(?<![\w-])[A-Za-z][\s-]?\d{4}[\s-]?\d{4}(?![\w-])")),
    # A US Social Security number, its groups apart or not; never 000, 666 or 9xx first.
    (
        "Social Security number",
        re.compile(r"(?<![\w-])(?!000|666|9\d\d)\d{3}([\s.-]?)(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])"),
    ),
    ("e-mail address", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    ("web address", re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)]", re.I)),
    ("date", re.compile(r"(?<![\d.])\d{1,2}([/.-])\d{1,2}\1(?:\d{4}|\d{2})(?![\d.]|\.\d)")),
    ("date", re.compile(r"\b\d{4}-\d{2}-\d{2}\b")),
    ("date", re.compile(rf"\b{_MONTHS}\s+\d{{1,2}}{_ORDINAL},?\s+\d{{4}}\b", re.I)),
    ("date", re.compile(rf"\b\d{{1,2}}{_ORDINAL}\s+(?:of\s+)?{_MONTHS},?\s+\d{{4}}\b", re.I)),
    (
        "street address",
        re.compile(rf"\b\d{{1,6}}(?:\s+[A-Z][\w.]*){{1,4}}\s+{_STREET_WORDS}(?!\w)"),
    ),
)


@dataclass(frozen=True)
class Known:
    """A value of the record itself, looked for in every spelling: a string (a name, a number)
    or a date (a date of birth). A person's name (`name=True`) is also looked for part by part."""

    reason: str
    value: str | date
    name: bool = False


@dataclass(frozen=True)
class Found:
    """Where an identifier is in the original text, and why it is one."""

    start: int
    end: int
    reason: str


# Letters that Unicode does not decompose into a plain letter and an accent.
_UNDECOMPOSED = str.maketrans(
    {"đ": "d", "ħ": "h", "\u0131": "i", "ł": "l", "ø": "o", "œ": "oe", "æ": "ae"}
)


def fold(text: str) -> tuple[str, list[int]]:
    """The text without accents, in one case, and where each of its characters came from in the
    original (folding may change lengths: "ß" becomes "ss")."""
    folded: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        plain = unicodedata.normalize("NFKD", char)
        plain = "".join(c for c in plain if not unicodedata.combining(c)).casefold()
        plain = plain.translate(_UNDECOMPOSED)
        folded.append(plain)
        origin.extend([index] * len(plain))
    return "".join(folded), origin


def find(text: str, known: Iterable[Known], *, patterns: bool = True) -> list[Found]:
    """Every identifier in the text: the known values first, then (with `patterns`) the common
    shapes; finds that overlap are one (`_merged`)."""
    finds = list(_known_spans(text, known))
    if patterns:
        finds += _pattern_spans(text)
    return _merged(text, finds)


def _known_spans(text: str, known: Iterable[Known]) -> Iterator[Found]:
    folded, origin = fold(text)
    for item in known:
        for pattern in _patterns_of(item):
            for match in pattern.finditer(folded):
                if match.end() > match.start():
                    start, end = origin[match.start()], origin[match.end() - 1] + 1
                    yield Found(start, end, item.reason)
        if item.name and isinstance(item.value, str):
            for match in _short_parts_pattern(item.value).finditer(text):
                yield Found(match.start(), match.end(), item.reason)


def _patterns_of(item: Known) -> list[re.Pattern[str]]:
    if isinstance(item.value, date):
        return [_date_pattern(item.value)]
    patterns = [_value_pattern(item.value)]
    if item.name:
        # Parts split where names are joined (spaces, hyphens, commas), not at an apostrophe:
        # "O'Brien" is one part, found as "OBrien" or "O\u2019Brien" too.
        parts = [part for part in re.split(r"[\s,\-]+", fold(item.value)[0]) if part]
        if len(parts) > 1:
            patterns += [
                _value_pattern(part) for part in parts if _letters(part) >= NAME_PART_FLOOR
            ]
    return [pattern for pattern in patterns if pattern is not None]


@lru_cache(maxsize=512)
def _short_parts_pattern(name: str) -> re.Pattern[str]:
    """A name's parts shorter than the floor ("Li", "Ng"), as a name is written: capitalised or
    in capitals, on the original text, so "li" in a sentence is not marked but "Ms. Li" is."""
    parts = {p for p in re.split(r"[\s,\-]+", name) if p and len(p) < NAME_PART_FLOOR}
    spellings = {form for part in parts for form in (part.capitalize(), part.upper())}
    spellings |= {fold(form)[0].capitalize() for form in spellings}  # "Lé" typed "Le"
    spellings.discard("")
    if len(re.split(r"[\s,\-]+", name.strip())) < 2 or not spellings:
        return re.compile(r"(?!x)x")  # a one-part name is the whole value, already looked for
    alternatives = "|".join(re.escape(form) for form in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])")


def _letters(folded: str) -> int:
    return sum(len(run) for run in _runs(folded))


def _runs(folded: str) -> list[str]:
    """The letter and digit runs of a folded value: "b77777777" → ["b", "77777777"]."""
    return re.findall(r"[^\W\d_]+|\d+", folded)


@lru_cache(maxsize=512)
def _value_pattern(value: str) -> re.Pattern[str] | None:
    """A value as its letters and digits, in order, on folded text: spaces, dots, hyphens or
    brackets between its digits, anything but letters and digits between its words or groups;
    nothing inside a word. Never inside a longer word or number."""
    runs = _runs(fold(value)[0])
    if not runs or sum(len(run) for run in runs) < 2:
        return None
    pieces = [_DIGIT_GAP.join(run) if run.isdigit() else re.escape(run) for run in runs]
    joined = pieces[0]
    for piece in pieces[1:]:
        joined += _WORD_GAP + piece
    return re.compile(rf"(?<![^\W_]){joined}(?![^\W_])")


@lru_cache(maxsize=64)
def _date_pattern(day: date) -> re.Pattern[str]:
    """A date in every spelling people use: numeric in any order (month-day-year, day-month-
    year, year-month-day) and separator, with or without leading zeros, four- or two-digit
    years; the month's name or its abbreviation before or after the day."""
    m, d = rf"0?{day.month}", rf"0?{day.day}"
    yyyy, yy = f"{day.year}", f"{day.year % 100:02d}"
    year = rf"(?:{yyyy}|'?{yy})"
    sep = r"\s*[/.\-]\s*|\s+"
    month = _month_words(day.month)
    forms = [
        rf"{m}(?:{sep}){d}(?:{sep}){year}",
        rf"{d}(?:{sep}){m}(?:{sep}){year}",
        rf"{yyyy}(?:{sep}){m}(?:{sep}){d}",
        rf"{day:%m%d%Y}|{day:%d%m%Y}|{day:%Y%m%d}",
        rf"{month}\s*{d}{_ORDINAL},?\s*{year}",
        rf"{d}{_ORDINAL}\s*(?:of\s+)?{month},?\s*{year}",
    ]
    return re.compile(rf"(?<![\w/.\-])(?:{'|'.join(forms)})(?![\w/\-]|\.\d)")


def _month_words(month: int) -> str:
    name = _MONTH_NAMES[month - 1]
    shorter = {name[:3], "sept"} if month == 9 else {name[:3]}
    return rf"(?:{name}|(?:{'|'.join(sorted(shorter))})\.?)"


def _pattern_spans(text: str) -> Iterator[Found]:
    for reason, pattern in PATTERNS:
        for match in pattern.finditer(text):
            yield Found(match.start(), match.end(), reason)
    yield from _phone_spans(text)


def _phone_spans(text: str) -> Iterator[Found]:
    """US phone numbers in any usual writing, by libphonenumber (numbers that could be
    dialled: fictional 555 numbers included, since staff type them too)."""
    matcher = phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE)
    for match in matcher:
        yield Found(match.start, match.end, "phone number")


def _merged(text: str, finds: list[Found]) -> list[Found]:
    """Overlapping finds as one, covering both (an ID run into a number after it is one phrase
    to remove, not a part of each), widened to whole words: a phrase that began inside a word
    could not be removed as a whole. The reason is the first find's (the record's own first)."""
    ordered = sorted(enumerate(finds), key=lambda item: (item[1].start, item[0]))
    merged: list[Found] = []
    for _, found in ordered:
        start, end = _word_bounds(text, found.start, found.end)
        if merged and start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Found(last.start, max(last.end, end), last.reason)
        else:
            merged.append(Found(start, end, found.reason))
    return merged


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end
