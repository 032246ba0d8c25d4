"""Exports: CSV streamed and Excel written, both read back, and neither can carry a formula."""

import csv
import io
from datetime import date, datetime

import pytest
from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from portal.core.business_days import PHOENIX
from portal.core.exports import FORMULA_TRIGGERS, export_response, neutralized

HEADERS = ("Name", "Born", "Seen at", "Note")
TRIGGERS = ["=", "+", "-", "@", "\t", "\r"]
SEEN = datetime(2026, 11, 16, 9, 30, tzinfo=PHOENIX)  # already in the reader's time zone


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")  # Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"), newline="")))


def read_xlsx(response):
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return book.active


def test_every_formula_trigger_is_listed() -> None:
    assert set(FORMULA_TRIGGERS) == set(TRIGGERS)


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_text_that_could_start_a_formula_gets_a_leading_quote(trigger) -> None:
    assert neutralized(f"{trigger}SUM(A1:A9)") == f"'{trigger}SUM(A1:A9)"


@pytest.mark.parametrize("text", ["Rosa", "a=b", "1+1", "", " =1", "'quoted"])
def test_other_text_is_left_as_it_is(text) -> None:
    assert neutralized(text) == text


def test_csv_is_streamed_with_its_headers_and_rows() -> None:
    rows = [("Rosa", date(1980, 4, 2), SEEN, None), ("Ana", None, None, 3)]

    response = export_response("csv", "people", HEADERS, iter(rows))

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="people.csv"'
    assert read_csv(response) == [
        list(HEADERS),
        ["Rosa", "1980-04-02", "2026-11-16 09:30", ""],
        ["Ana", "", "", "3"],
    ]


def test_xlsx_keeps_dates_as_dates_and_names_the_file() -> None:
    rows = [("Rosa", date(1980, 4, 2), SEEN, None)]

    response = export_response("xlsx", "people", HEADERS, iter(rows))

    assert response["Content-Disposition"] == 'attachment; filename="people.xlsx"'
    sheet = read_xlsx(response)
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == HEADERS
    name, born, seen, empty = values[1]
    assert (name, born.date(), empty) == ("Rosa", date(1980, 4, 2), None)
    assert seen == SEEN.replace(tzinfo=None)  # Excel has no time zones: the time as read


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_csv_cells_never_start_a_formula(trigger) -> None:
    evil = f'{trigger}HYPERLINK("http://example.com","x")'

    response = export_response("csv", "x", (f"{trigger}head", "b", "c", "d"), [(evil, "", "", "")])

    header, row = read_csv(response)
    assert header[0] == f"'{trigger}head"
    assert row[0] == f"'{evil}"


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_xlsx_cells_are_text_never_formulas(trigger) -> None:
    evil = f"{trigger}1+1"

    response = export_response("xlsx", "x", HEADERS, [(evil, "=2", "plain", "")])

    sheet = read_xlsx(response)
    cells = sheet[2]
    # XML reads a carriage return back as a line feed; the leading quote is what matters.
    expected = f"'{evil}".replace("\r", "\n")
    assert [cell.value for cell in cells[:3]] == [expected, "'=2", "plain"]
    assert {cell.data_type for cell in cells[:3]} == {"s"}


def test_xlsx_drops_characters_excel_cannot_hold() -> None:
    response = export_response("xlsx", "x", HEADERS, [("Ro\x0bsa", "", "", "")])

    assert read_xlsx(response)["A2"].value == "Rosa"


def test_an_unknown_format_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="pdf"):
        export_response("pdf", "x", HEADERS, [])
