"""Uploaded files: type and size limits, SHA-256 digest, and serving them to staff only
(issue 12, finding 1).

A file is accepted when its extension is on the list AND its first bytes match that type (a
renamed executable is refused). Its SHA-256 is computed once, stored beside the file and put in
the ledger event that records the upload, so anyone holding the file can check it against the
log. Files are never published under a URL of their own: `serve()` streams one after the view
has checked, on that request, that the user may see the case it belongs to.
"""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.http import FileResponse
from django.utils.translation import gettext as _

from .exceptions import InvalidInput

# extension -> (content type, magic prefixes). OFD (the national e-document format), DOCX and
# XLSX are ZIP containers; DOC and XLS are OLE2 compound files.
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
ALLOWED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "ofd": ("application/ofd", _ZIP),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "doc": ("application/msword", _OLE),
    "xls": ("application/vnd.ms-excel", _OLE),
}
PREVIEWABLE = {"application/pdf": "pdf", "image/jpeg": "image", "image/png": "image"}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024  # 20 MB: a scanned multi-page licence at 300 dpi


def max_bytes() -> int:
    return int(getattr(settings, "WUQUAN_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class CheckedFile:
    sha256: str
    content_type: str
    size: int


def _label(label: str | None, f) -> str:
    return label or getattr(f, "name", "") or _("文件")


def check_upload(f, *, field: str, label: str | None = None) -> CheckedFile:
    """Refuse a file of the wrong type or size (InvalidInput on `field`), else its digest."""
    name = getattr(f, "name", "") or ""
    ext = PurePath(name).suffix.lower().lstrip(".")
    allowed = ", ".join(sorted({k.upper() for k in ALLOWED_TYPES}))
    if ext not in ALLOWED_TYPES:
        raise InvalidInput(
            _("“%(l)s”的文件类型不允许，只接受 %(a)s。") % {"l": _label(label, f), "a": allowed},
            field=field,
        )
    size = getattr(f, "size", None)
    if size is None:
        f.seek(0, 2)
        size = f.tell()
    if size == 0:
        raise InvalidInput(_("“%(l)s”是空文件。") % {"l": _label(label, f)}, field=field)
    if size > max_bytes():
        raise InvalidInput(
            _("“%(l)s”超过 %(m)d MB 的大小限制。")
            % {"l": _label(label, f), "m": max_bytes() // (1024 * 1024)},
            field=field,
        )
    content_type, magics = ALLOWED_TYPES[ext]
    f.seek(0)
    head = f.read(16)
    if not any(head.startswith(m) for m in magics):
        raise InvalidInput(
            _("“%(l)s”的内容与扩展名 .%(e)s 不符，请上传真实的 %(e)s 文件。")
            % {"l": _label(label, f), "e": ext},
            field=field,
        )
    f.seek(0)
    digest = hashlib.sha256()
    chunks = f.chunks() if hasattr(f, "chunks") else iter(lambda: f.read(65536), b"")
    for chunk in chunks:
        digest.update(chunk)
    f.seek(0)
    return CheckedFile(digest.hexdigest(), content_type, size)


def sha256_of(field_file) -> str:
    """The digest of a stored file, recomputed now (to compare with the one recorded)."""
    digest = hashlib.sha256()
    with field_file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_type_of(field_file) -> str:
    ext = PurePath(field_file.name).suffix.lower().lstrip(".")
    if ext in ALLOWED_TYPES:
        return ALLOWED_TYPES[ext][0]
    return mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"


def preview_kind(field_file) -> str:
    """ "pdf", "image" or "" (download only)."""
    return PREVIEWABLE.get(content_type_of(field_file), "")


def serve(field_file, *, download: bool = False) -> FileResponse:
    """Stream a stored file after the caller has checked permission. PDFs and images open
    inline (preview) unless `download`; other types always download. Never cached by shared
    caches, never sniffed into another type."""
    content_type = content_type_of(field_file)
    inline = not download and content_type in PREVIEWABLE
    response = FileResponse(
        field_file.open("rb"),
        as_attachment=not inline,
        filename=PurePath(field_file.name).name,
        content_type=content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["X-Frame-Options"] = "SAMEORIGIN"  # the preview page embeds it
    return response
