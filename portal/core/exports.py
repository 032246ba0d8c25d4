"""Lists exported to CSV (streamed) and Excel (openpyxl write-only), safe to open in a spreadsheet.

A cell whose text begins with `=`, `+`, `-`, `@`, tab or carriage return could run as a formula
in the program that opens the file (OWASP "CSV injection"): such text gets a leading single
quote, and Excel cells are always written as text, never as formulas.
"""

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime

from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)

Cell = str | int | date | datetime | None


def neutralized(text: str) -> str:
    """The text, made inert for spreadsheets when it could start a formula."""
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def export_response(
    file_format: str, filename: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> HttpResponseBase:
    """A download of the rows in `file_format` ("csv" or "xlsx"), named `filename` + extension.

    Datetimes must already be in the reader's time zone (naive or aware: shown as they are).
    """
    if file_format == "csv":
        return csv_response(f"{filename}.csv", headers, rows)
    if file_format == "xlsx":
        # openpyxl is loaded by a worker's first Excel export, not at start: it adds 5 MB to
        # every process.
        from .xlsx import xlsx_response

        return xlsx_response(f"{filename}.xlsx", headers, rows)
    raise ValueError(f"Unknown export format {file_format!r}.")


class _Echo:
    """A file-like object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralized(value)
    if isinstance(value, datetime):  # "YYYY-MM-DD HH:MM"; isoformat costs half of strftime
        return value.isoformat(" ", "minutes")[:16]
    if isinstance(value, date):
        return value.isoformat()
    return neutralized(str(value))


# Rows per piece handed to the server: one piece per row costs more in the response machinery
# than writing the row.
CSV_ROWS_PER_PIECE = 200


def _csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[str]:
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    # A byte order mark tells Excel the file is UTF-8 (names with accents stay readable).
    yield "\ufeff" + writer.writerow([neutralized(header) for header in headers])
    piece: list[str] = []
    for row in rows:
        # Most cells are plain text; they skip the call (an export writes millions of cells).
        cells = [v if type(v) is str and not v.startswith(FORMULA_TRIGGERS) else _csv_text(v)
                 for v in row]  # fmt: skip
        piece.append(writer.writerow(cells))
        if len(piece) == CSV_ROWS_PER_PIECE:
            yield "".join(piece)
            piece = []
    if piece:
        yield "".join(piece)


def csv_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> StreamingHttpResponse:
    """The rows as CSV, written while they are read: memory stays flat however many there are."""
    response = StreamingHttpResponse(_csv_lines(headers, rows), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
