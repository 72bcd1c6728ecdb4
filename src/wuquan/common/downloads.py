"""File downloads of the staff site and the portal: one place for the Excel response, so every
export answers with the same content type and attachment header."""

from __future__ import annotations

import io

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content, filename: str) -> HttpResponse:
    """An .xlsx attachment named `filename`; `content` is the file's bytes or an openpyxl
    Workbook (saved here)."""
    if not isinstance(content, bytes | bytearray):
        buf = io.BytesIO()
        content.save(buf)
        content = buf.getvalue()
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
