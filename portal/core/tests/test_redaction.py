"""Finding and removing identifying phrases in free text."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from portal.core.identifiers import Known
from portal.core.redaction import REMOVED, redact, suggest

NARRATIVE = (
    "Rosa Quintero (A12345678) fell at 3300 E. Indian School Road on 3/14/2026 at 9:30. "
    "Staff called 602-555-0100 and (480) 555 0199; e-mail rq@example.org. "
    "SSN 123-45-6789. She was born March 3, 1990, or 1990-03-03. rosa  QUINTERO is fine. "
    "The annual review by Rosalind is next week."
)


def test_every_occurrence_goes_whatever_its_case_and_spacing() -> None:
    text = redact(NARRATIVE, ["Rosa Quintero"])
    assert "Quintero" not in text and "QUINTERO" not in text
    assert text.count(REMOVED) == 2


def test_a_phrase_inside_a_longer_word_stays() -> None:
    text = redact(NARRATIVE, ["Rosa", "Ann"])
    assert "Rosalind" in text and "annual" in text
    assert "Rosa " not in text


def test_the_longer_phrase_goes_first_so_no_part_of_it_is_left() -> None:
    assert redact("Rosa Quintero left.", ["Rosa", "Rosa Quintero"]) == f"{REMOVED} left."


def test_phrases_are_matched_literally_not_as_patterns() -> None:
    assert redact("a.c abc (x) x", ["a.c", "(x)"]) == f"{REMOVED} abc {REMOVED} x"


def test_nothing_to_remove_leaves_the_text_alone() -> None:
    assert redact(NARRATIVE, []) == NARRATIVE
    assert redact(NARRATIVE, ["  ", ""]) == NARRATIVE


def test_suggestions_name_the_known_values_and_the_patterns_found() -> None:
    found = {s.phrase: s for s in suggest([NARRATIVE], [("member's name", "Rosa Quintero"),
                                                        ("member's name", "Rosa"),
                                                        ("staff name", "Dan Reyes")])}  # fmt: skip
    assert found["Rosa Quintero"].reason == "member's name"
    assert found["Rosa Quintero"].count == 2  # the second time in capitals, two spaces
    assert "Dan Reyes" not in found  # known, but not in the text
    for phrase, reason in [
        ("A12345678", "AHCCCS ID"),
        ("3300 E. Indian School Road", "street address"),
        ("3/14/2026", "date"),
        ("602-555-0100", "phone number"),
        ("(480) 555 0199", "phone number"),
        ("rq@example.org", "e-mail address"),
        ("123-45-6789", "Social Security number"),
        ("March 3, 1990", "date"),
        ("1990-03-03", "date"),
    ]:
        assert found[phrase].reason == reason, phrase


def test_suggestions_come_once_each_in_reading_order_longest_first() -> None:
    known = [("name", "Ana"), ("name", "Ana Ruiz")]
    phrases = [s.phrase for s in suggest(["Ana Ruiz met Ana."], known)]
    assert phrases == ["Ana Ruiz", "Ana"]


def test_removing_every_suggestion_leaves_none_of_them() -> None:
    suggestions = suggest([NARRATIVE], [("member's name", "Rosa Quintero")])
    text = redact(NARRATIVE, [s.phrase for s in suggestions])
    assert suggest([text], [("member's name", "Rosa Quintero")]) == []


WORDS = st.text(alphabet="abcdeXYZ019 .-,", min_size=1, max_size=12).filter(
    lambda w: w.strip(" .-,") != ""
)


@settings(max_examples=300, deadline=None)
@given(text=st.lists(WORDS, max_size=12).map(" ".join), phrases=st.lists(WORDS, max_size=4))
def test_no_removed_phrase_is_left_as_a_whole(text: str, phrases: list[str]) -> None:
    """Whatever the text and phrases, none of them is found again as a whole after removal."""
    for phrase in phrases:
        text_after = redact(text + " " + phrase, phrases)
        words = r"\s+".join(re.escape(w) for w in phrase.split())
        start = r"(?<!\w)" if re.match(r"\w", phrase.strip()) else ""
        end = r"(?!\w)" if re.search(r"\w$", phrase.strip()) else ""
        assert not re.search(f"{start}{words}{end}", text_after.replace(REMOVED, "\0"), re.I)


def test_overlapping_finds_are_removed_as_one_phrase() -> None:
    """An ID run into a number after it, and a name whose parts are found too: removing the
    suggestions leaves nothing of either (the outside review's follow-up cases)."""
    known = [("AHCCCS ID", "A10009999"), ("member's name", "Jose Nunez-Garcia")]
    for text, gone in [
        ("She hit her roommate B87654321 20 times.", ["B87654321", "87654321 20"]),
        ("Member A10009999 42 yo was calm.", ["A10009999", "10009999 42"]),
        ("Jose Nunez Garcia slept.", ["Jose", "Nunez", "Garcia"]),
    ]:
        kept = redact(text, [s.phrase for s in suggest([text], known)])
        assert not [value for value in gone if value in kept], kept


def test_a_short_name_part_goes_when_written_as_a_name() -> None:
    known = [Known("member's name", "Mei Li", name=True)]
    kept = redact(
        "Ms. Li refused; LI agreed later. Ali stayed.",
        [s.phrase for s in suggest(["Ms. Li refused; LI agreed later. Ali stayed."], known)],
    )
    assert kept == f"Ms. {REMOVED} refused; {REMOVED} agreed later. Ali stayed."
    assert suggest(["The lithium was stored."], known) == []
