"""The NPI check-digit rule (SPEC §12): Luhn over the first nine digits prefixed by 80840."""

import re

_NPI = re.compile(r"\d{10}")


def is_valid_npi(value: str) -> bool:
    """True for ten digits whose last digit is the Luhn check digit of 80840 + the first nine."""
    if not _NPI.fullmatch(value):
        return False
    digits = [int(c) for c in "80840" + value[:9]]
    total = 0
    # Double every second digit counting from the right of the payload (the check digit's place
    # is the rightmost, so the payload's last digit is doubled).
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10 == int(value[9])
