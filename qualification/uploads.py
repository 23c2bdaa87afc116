"""Checking uploaded files by what is inside them, not by their name.

Allowed: PDF, Word and Excel (.docx, .xlsx), OpenDocument text and spreadsheets (.odt, .ods),
PNG and JPEG. Office and OpenDocument files are zip archives, so a zip is accepted only when
its contents say it is one of those documents. Anything over settings.MAX_UPLOAD_BYTES is refused.
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

ALLOWED_DESCRIPTION = "PDF, Word, Excel, OpenDocument, PNG or JPG"

_OOXML = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
}
_ODF = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str


def _zip_document_type(upload: UploadedFile) -> str | None:
    """The content type of an Office or OpenDocument file, from the files inside the zip."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
                for marker, content_type in _OOXML.items():
                    if marker in types:
                        return content_type
                return None
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return mimetype if mimetype in _ODF else None
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError):
        return None
    finally:
        upload.seek(0)
    return None


def detect_content_type(upload: UploadedFile) -> str | None:
    """What the file really is (None if not an allowed type), whatever its name says."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_document_type(upload)
    # Fall back on the filetype package's signatures for anything else it recognises that we allow.
    kind = filetype.guess(head)
    if kind is not None and kind.mime in {"application/pdf", "image/png", "image/jpeg"}:
        return kind.mime
    return None


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Refuse a file that is empty, too big or not an allowed type. GOV.UK error wording."""
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(f"The selected file must be smaller than {limit // (1024 * 1024)}MB", code="too_big")
    if not upload.size:
        raise ValidationError("The selected file is empty", code="empty")
    content_type = detect_content_type(upload)
    if content_type is None:
        raise ValidationError(f"The selected file must be a {ALLOWED_DESCRIPTION}", code="wrong_type")
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type=content_type, size=upload.size, sha256=digest.hexdigest())
