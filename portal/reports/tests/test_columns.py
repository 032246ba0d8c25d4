"""The list columns' own formatting, held to what Django's date format writes."""

from datetime import UTC, date, datetime

from django.utils.dateformat import format as date_format

from portal.reports.columns import short_day


def test_a_short_day_reads_as_djangos_m_j_y_for_every_month() -> None:
    for month in range(1, 13):
        for day in (1, 9, 10, 28):
            value = date(2026, month, day)
            assert short_day(value) == date_format(value, "M j, Y")
    assert short_day(datetime(2024, 2, 29, 23, 59, tzinfo=UTC)) == "Feb 29, 2024"


def test_no_day_is_an_empty_cell() -> None:
    assert short_day(None) == ""
