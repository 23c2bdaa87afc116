"""CSV and XLSX downloads of exactly the numbers in an insight page's tables."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font

from core.clock import LONDON
from insights.tables import DATE, DATETIME, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(value, kind: str):
    """Numbers stay numbers (no £ or commas); times in London to the minute, as on the page."""
    if value is None:
        return ""
    if kind == DATETIME and isinstance(value, datetime.datetime):
        return value.astimezone(LONDON).replace(tzinfo=None, second=0, microsecond=0)
    if kind == DATE and isinstance(value, datetime.datetime):
        return value.astimezone(LONDON).date()
    return value


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow([column.heading for column in table.columns])
    for row in table.rows:
        values = []
        for value, column in zip(row, table.columns, strict=True):
            plain = _plain(value, column.kind)
            values.append(plain.isoformat(sep=" ") if isinstance(plain, datetime.datetime) else plain)
        yield writer.writerow(values)


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def workbook_bytes(tables: list[Table], description: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for table in tables:
        sheet = book.create_sheet(title=table.key[:31])
        sheet.append([column.heading for column in table.columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            values = []
            for value, column in zip(row, table.columns, strict=True):
                plain = _plain(value, column.kind)
                values.append(float(plain) if isinstance(plain, Decimal) else plain)
            sheet.append(values)
        for index, column in enumerate(table.columns, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(
                12, min(48, len(column.heading) + 4)
            )
    about = book.create_sheet(title="About")
    about.append(["What these figures cover"])
    about.append([description])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xlsx_response(tables: list[Table], filename: str, description: str) -> HttpResponse:
    response = HttpResponse(workbook_bytes(tables, description), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
