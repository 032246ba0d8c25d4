"""The NPI check-digit rule (SPEC §12): Luhn over the first nine digits prefixed by 80840."""

import re

_NPI = re.compile(r"\d{10}")


def check_digit(first_nine: str) -> int:
    """The Luhn check digit of 80840 followed by the NPI's first nine digits."""
    total = 0
    # From the right of the payload, every other digit is doubled, starting with the last one
    # (the check digit will sit to its right).
    for position, char in enumerate(reversed("80840" + first_nine)):
        digit = int(char) * 2 if position % 2 == 0 else int(char)
        total += digit - 9 if digit > 9 else digit
    return (10 - total % 10) % 10


def is_valid_npi(value: str) -> bool:
    """True for exactly ten digits whose last digit is the check digit of the first nine."""
    return bool(_NPI.fullmatch(value)) and check_digit(value[:9]) == int(value[9])
