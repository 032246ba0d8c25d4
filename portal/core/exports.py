"""Lists exported to CSV (streamed) and Excel (openpyxl write-only), safe to open in a spreadsheet.

A cell whose text begins with `=`, `+`, `-`, `@`, tab or carriage return could run as a formula
in the program that opens the file (OWASP "CSV injection"): such text gets a leading single
quote, and Excel cells are always written as text, never as formulas.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

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


def _xlsx_cell(sheet: Any, value: Cell, *, bold: bool = False) -> WriteOnlyCell:
    if isinstance(value, datetime):
        value = value.replace(tzinfo=None)  # Excel has no time zones
    if isinstance(value, str):
        value = neutralized(ILLEGAL_CHARACTERS_RE.sub("", value))
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even if it looks like a formula
    if isinstance(value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]
) -> FileResponse:
    """The rows as one Excel sheet, built on disk (write-only mode) and sent from there."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Export")
    sheet.append([_xlsx_cell(sheet, header, bold=True) for header in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    # Not a `with` block: the response reads the file after this returns, then closes (deletes) it.
    spooled = tempfile.TemporaryFile()  # noqa: SIM115
    book.save(spooled)
    spooled.seek(0)
    return FileResponse(
        spooled, as_attachment=True, filename=filename, content_type=CONTENT_TYPES["xlsx"]
    )
