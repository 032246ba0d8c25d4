import pytest

from portal.registry.npi import check_digit, is_valid_npi


@pytest.mark.parametrize("npi", ["1234567893", "1245319599", "1003000126"])
def test_valid_npis_from_the_spec(npi: str) -> None:
    assert is_valid_npi(npi)


@pytest.mark.parametrize(
    "npi", ["1234567890", "1234567891", "123456789", "123456789A", "", "12345678933", " 1234567893"]
)
def test_invalid_npis_from_the_spec(npi: str) -> None:
    assert not is_valid_npi(npi)


def test_check_digit_matches_every_other_last_digit_never() -> None:
    first_nine = "123456789"
    valid = [d for d in range(10) if is_valid_npi(f"{first_nine}{d}")]
    assert valid == [check_digit(first_nine)] == [3]
