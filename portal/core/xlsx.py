"""Lists exported to Excel: one sheet written by openpyxl in write-only mode, every cell text or
a date, never a formula (see `exports` for why). `exports.export_response` imports this module
on a worker's first Excel export, not at start-up (openpyxl adds 5 MB to a process, ADR 0029)."""

import tempfile
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.http import FileResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from .exports import CONTENT_TYPES, Cell, neutralized


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
