"""The redaction corpus (issue #18, ADR 0023): narratives built from a report's own values in
the spellings people use, and clean narratives that name no one.

Every planted spelling must be suggested (removing the suggestions leaves none of it; a miss
names the spelling that slipped through), and suggestions on clean narratives stay below
`CLEAN_FALSE_POSITIVE_RATE`, the figure `docs/security.md` states."""

import unicodedata
from dataclasses import dataclass
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.core.identifiers import Known
from portal.core.redaction import REMOVED, leftovers, redact, suggest

GENERATED = 250  # narratives generated (the issue asks for at least 200)
CLEAN_FALSE_POSITIVE_RATE = 0.02  # at most this share of clean narratives get any suggestion

FIRST = ["José", "María José", "Nora", "Ngozi", "Đức", "Zoë", "Renée", "Anh", "Kai", "Siobhán"]
LAST = ["Núñez-García", "Tsosie", "O'Brien", "Begay", "Smith-Jones", "Nguyễn", "Ortiz Peña"]


@dataclass(frozen=True)
class Member:
    first: str
    last: str
    member_id: str
    born: date
    phone: str

    def known(self) -> list[Known]:
        return [
            Known("member's name", f"{self.first} {self.last}", name=True),
            Known("member's name", f"{self.last}, {self.first}", name=True),
            Known("AHCCCS ID", self.member_id),
            Known("date of birth", self.born),
            Known("phone number", self.phone),
        ]


def plain(text: str) -> str:
    """Without accents, as people type a name on a keyboard that has none (written here
    independently of the code under test)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def letters(text: str) -> str:
    """Only the letters and digits, in one case: what identifies, whatever surrounds it."""
    return "".join(c for c in plain(text).casefold() if c.isalnum())


def identifying(what: str, value: str) -> str:
    """The part of a planted spelling that identifies: a phone's country code does not."""
    found = letters(value)
    return found[-10:] if what == "phone" else found


def name_spellings(member: Member) -> list[str]:
    whole = f"{member.first} {member.last}"
    parts = [p for p in whole.replace("-", " ").split() if len(p) >= 3]
    return [
        whole,
        plain(whole),
        whole.upper(),
        plain(whole).lower(),
        whole.replace("-", " "),
        f"{member.last}, {member.first}",
        *parts,
        *(plain(part) for part in parts),
    ]


def id_spellings(member_id: str) -> list[str]:
    letter, digits = member_id[0], member_id[1:]
    return [
        member_id,
        member_id.lower(),
        f"{letter.lower()} {digits[:4]} {digits[4:]}",
        f"{letter}-{digits[:4]}-{digits[4:]}",
        f"{letter} {digits}",
    ]


def date_spellings(day: date) -> list[str]:
    m, d, y, yy = day.month, day.day, day.year, f"{day:%y}"
    return [
        f"{m}/{d}/{y}",
        f"{day:%m/%d/%Y}",
        f"{m}-{d}-{yy}",
        f"{day:%d.%m.%Y}",
        f"{day:%m.%d.%Y}",
        f"{day:%Y-%m-%d}",
        f"{day:%B} {d}, {y}",
        f"{d} {day:%B} {y}",
        f"{day:%b}. {d} {y}",
        f"{d}th of {day:%B}, {y}",
        f"{day:%B} {d}, '{yy}",
        f"{day:%m%d%Y}",
        f"{m}/{d}/{yy}",
    ]


def phone_spellings(phone: str) -> list[str]:
    area, exchange, line = phone.split("-")
    return [
        phone,
        f"({area}) {exchange}-{line}",
        f"{area}{exchange}{line}",
        f"{area}.{exchange}.{line}",
        f"({area}){exchange}{line}",
        f"+1 {area} {exchange} {line}",
        f"1-{area}-{exchange}-{line}",
    ]


SSNS = ["123-45-6789", "123 45 6789", "123456789", "212.45.6789"]
FILLERS = [
    "Staff found the member in the hallway at 9:30 and offered water.",
    "The nurse checked vital signs; blood pressure was 120/80.",
    "She was taken to the quiet room for 15 minutes.",
    "Two staff members stayed with the member until 10:45.",
    "The family was told by phone the same evening.",
]

PHONES = st.from_regex(r"[2-9][0-8][0-9]-[2-9][0-9]{2}-[0-9]{4}", fullmatch=True)
# The planted values that are the record's own: the release check looks for these alone.
OWN = {"name", "AHCCCS ID", "date of birth", "phone"}
members = st.builds(
    Member,
    first=st.sampled_from(FIRST),
    last=st.sampled_from(LAST),
    member_id=st.from_regex(r"[A-Z][0-9]{8}", fullmatch=True),
    born=st.dates(min_value=date(1930, 1, 1), max_value=date(2024, 12, 31)),
    phone=PHONES,
)


@st.composite
def planted(draw: st.DrawFn) -> tuple[Member, list[tuple[str, str]], str]:
    """A member, the spellings planted (what, as written), and the narrative holding them."""
    member = draw(members)
    choices = [
        ("name", draw(st.sampled_from(name_spellings(member)))),
        ("name", draw(st.sampled_from(name_spellings(member)))),
        ("AHCCCS ID", draw(st.sampled_from(id_spellings(member.member_id)))),
        ("date of birth", draw(st.sampled_from(date_spellings(member.born)))),
        ("phone", draw(st.sampled_from(phone_spellings(member.phone)))),
        ("SSN", draw(st.sampled_from(SSNS))),
        ("another phone", draw(st.sampled_from(phone_spellings(draw(PHONES))))),
    ]
    plants = draw(st.lists(st.sampled_from(choices), min_size=2, max_size=6, unique=True))
    sentences = [f"{draw(st.sampled_from(FILLERS))} ({what}: {value})." for what, value in plants]
    if draw(st.booleans()):  # a name part after a title, as staff write it
        sentences.append(f"Mr. {name_spellings(member)[-1]} was told.")
        plants.append(("name", name_spellings(member)[-1]))
    return member, plants, " ".join(sentences)


def slipped(narrative: str, known: list[Known], plants: list[tuple[str, str]]) -> list[str]:
    """The planted spellings still readable after removing every suggestion."""
    kept = redact(narrative, [s.phrase for s in suggest([narrative], known)])
    kept_folded = plain(kept).casefold()
    return [
        f"{what} spelled {value!r}"
        for what, value in plants
        if plain(value).casefold() in kept_folded.replace(REMOVED, "\0")
    ]


@settings(max_examples=GENERATED, deadline=None, derandomize=True)
@given(case=planted())
def test_every_planted_spelling_is_suggested(case: tuple[Member, list, str]) -> None:
    member, plants, narrative = case
    assert slipped(narrative, member.known(), plants) == [], narrative
    # The release check finds the record's own values without the common shapes' help.
    found = [phrase for _, _, phrase in leftovers([("narrative", narrative)], member.known())]
    missed = [
        f"{what} spelled {value!r}"
        for what, value in plants
        if what in OWN and not any(identifying(what, value) in letters(p) for p in found)
    ]
    assert missed == [], narrative


HARD_CASES = [
    (
        # The outside review's case (issue #18).
        Member("Jose", "Nunez-Garcia", "B77777777", date(1986, 3, 4), "480-555-0111"),
        "José Núñez-García (Mr. Nunez) born 4 March 1986 / 03.04.1986, ID b 7777 7777, phone "
        "4805550111 and (480)5550111; SSN 123 45 6789",
        [
            "José Núñez-García",
            "Nunez",
            "4 March 1986",
            "03.04.1986",
            "b 7777 7777",
            "4805550111",
            "(480)5550111",
            "123 45 6789",
        ],
    ),
    (
        Member("Siobhán", "O'Brien", "A12345678", date(2001, 12, 25), "602-555-0142"),
        "SIOBHAN OBRIEN, dob 25/12/01, said Ms. O\u2019Brien; call 602 555 0142 or a12345678.",
        ["SIOBHAN OBRIEN", "25/12/01", "O\u2019Brien", "602 555 0142", "a12345678"],
    ),
    (
        Member("Đức", "Nguyễn", "C00000001", date(1975, 9, 30), "520-555-0199"),
        "Mr Duc Nguyen (Sept. 30th, 1975) and NGUYEN DUC; 1-520-555-0199; c-0000-0001.",
        ["Duc Nguyen", "Sept. 30th, 1975", "NGUYEN DUC", "1-520-555-0199", "c-0000-0001"],
    ),
]


def test_the_hard_cases_leave_nothing_behind() -> None:
    for member, narrative, spellings in HARD_CASES:
        plants = [("value", spelling) for spelling in spellings]
        assert slipped(narrative, member.known(), plants) == [], narrative


CLEAN = [
    *FILLERS,
    "The member refused lunch and later ate a sandwich in the dining room.",
    "Risperidone 0.5 mg was given at 8:00 as ordered; no side effects were seen.",
    "Three residents argued over the television; staff separated them within 2 minutes.",
    "The member scored 24 out of 30 on the screening and was calm for the rest of the shift.",
    "Room 12 was cleaned and the broken chair was removed from Unit 4B.",
    "Staff called 911 after the fall; paramedics arrived 8 minutes later.",
    "The fire drill ran from 14:00 to 14:20 and everyone left the building in time.",
    "A safety plan was reviewed with the team on the 3rd floor.",
    "The member walked 2 laps of the courtyard with staff and returned at 16:30.",
    "Medication count was correct: 28 tablets remained in the blister pack.",
    "The temperature was 98.6 and the pulse 72 when checked at bedtime.",
    "The treatment team will meet next week to review the behavior plan.",
    "Two of the 16 beds were empty; the unit was quiet overnight.",
    "The member asked to call her grandmother and was allowed a 10 minute call.",
    "Debriefing took place with all 4 staff members involved.",
    "Shift change happened at 7 a.m. and the incoming nurse was briefed.",
    "The door alarm sounded twice between 1:15 and 1:40 but no one left.",
    "No injuries were found; an ice pack was offered as a precaution.",
    "Version 2.3 of the policy was followed for the room search.",
    "The member was redirected 3 times before agreeing to rest.",
]
CLEAN_MEMBERS = [
    Member("Rosa", "Quintero", "A12345678", date(1990, 3, 14), "602-555-0100"),
    Member("Will", "Begay", "B87654321", date(1979, 11, 2), "928-555-0177"),
    Member("Grace", "Yazzie-Tso", "C11223344", date(2008, 6, 21), "520-555-0123"),
]


def clean_false_positive_rate() -> tuple[float, list[str]]:
    """The share of (clean narrative, member) pairs with any suggestion, and the phrases."""
    wrongly = [
        phrase.phrase
        for text in CLEAN
        for member in CLEAN_MEMBERS
        for phrase in suggest([text], member.known())
    ]
    pairs = len(CLEAN) * len(CLEAN_MEMBERS)
    hits = sum(1 for text in CLEAN for member in CLEAN_MEMBERS if suggest([text], member.known()))
    return hits / pairs, wrongly


def test_clean_narratives_are_rarely_marked() -> None:
    rate, phrases = clean_false_positive_rate()
    assert rate <= CLEAN_FALSE_POSITIVE_RATE, phrases
