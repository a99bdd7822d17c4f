"""The one way to write CSV for people to open: cells that a spreadsheet would run as a formula
(=HYPERLINK(…), +cmd, -1+2, @SUM(…), or a leading tab / carriage return) are prefixed with a
single quote, so they show as text. Keyword cells are stored as typed (the import keeps them
verbatim); neutralising happens on the way out. A test keeps csv.writer out of the rest of the code.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """`value` as a spreadsheet will show it, never evaluate it. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    """A download (UTF-8 with a BOM, which Excel needs to read UTF-8)."""
    response = HttpResponse("\ufeff" + write_csv(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
