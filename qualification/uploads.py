"""Checking uploaded files by what is inside them, and storing them under names of our own.

Allowed: PDF, Word and Excel (.docx, .xlsx), OpenDocument text and spreadsheets (.odt, .ods),
PNG and JPEG — and nothing else, whatever a file is called. A file is accepted only when:

- its content is one of those types (Office and OpenDocument files are zip archives, accepted only
  when the archive says it is one of those documents);
- its name ends with an extension of that type (so `shell.php` or `invoice.pdf.exe` holding a PDF is
  refused: someone meant it to be opened as something else);
- a zip is small and shallow enough to open safely, judged from its directory before anything in it
  is read or decompressed: at most `MAX_ZIP_ENTRIES` files, `MAX_UNZIPPED_BYTES` in all and a
  compression ratio of at most `MAX_ZIP_RATIO` for any file (a 306 KB "document" that would expand
  to 300 MB is a zip bomb);
- it carries no macros (a Word or Excel file with a VBA project, an OpenDocument with Basic or
  scripts);
- its first kilobyte holds no HTML (a PDF that is also a web page, which a browser could be led to run).

Stored files get random names (`stored_name`); the uploader's file name is never used on disk. Files
are always served as attachments with the checked content type (and `nosniff`, set for every
response by the security middleware).
"""

from __future__ import annotations

import hashlib
import re
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import slugify

ALLOWED_DESCRIPTION = "PDF, Word, Excel, OpenDocument, PNG or JPG"

# Each allowed type: the extensions its files may have (the first is the one we store with), and
# what people read.
FILE_TYPES: dict[str, tuple[tuple[str, ...], str]] = {
    "application/pdf": ((".pdf",), "PDF"),
    "image/png": ((".png",), "PNG image"),
    "image/jpeg": ((".jpg", ".jpeg"), "JPEG image"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ((".docx",), "Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ((".xlsx",), "Excel spreadsheet"),
    "application/vnd.oasis.opendocument.text": ((".odt",), "OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": ((".ods",), "OpenDocument spreadsheet"),
}

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
# An HTML tag a browser would act on (a namespaced XML tag such as <script:module> is not one).
_HTML = re.compile(rb"<\s*(!doctype|html|head|body|script|iframe|svg|object|embed|meta)[\s>/]", re.IGNORECASE)


class _Refused(Exception):
    """Why a file cannot be accepted, in GOV.UK's words."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    size: int
    sha256: str

    @property
    def extension(self) -> str:
        return FILE_TYPES[self.content_type][0][0]


def extension_for(content_type: str) -> str:
    return FILE_TYPES[content_type][0][0]


def label_for(content_type: str) -> str:
    return FILE_TYPES[content_type][1]


def attachment_name(title: str, content_type: str) -> str:
    """The name a download is saved as: from a title people gave it and its checked type, never
    the uploader's file name: letters, digits and hyphens, then the extension."""
    stem = slugify(title)[:80].strip("-") or "document"
    return f"{stem}{extension_for(content_type) if content_type in FILE_TYPES else ''}"


def stored_name(checked: CheckedFile) -> str:
    """A random name for the file on disk or in object storage, with the checked type's extension."""
    return f"{uuid.uuid4().hex}{checked.extension}"


def _check_zip_directory(archive: zipfile.ZipFile) -> None:
    """Refuse a zip that is too big, too deep or too compressed to open, from its directory alone."""
    entries = archive.infolist()
    if len(entries) > settings.MAX_ZIP_ENTRIES:
        raise _Refused("The selected file has too many parts to open safely", "zip_entries")
    total = 0
    for entry in entries:
        total += entry.file_size
        ratio = entry.file_size / max(entry.compress_size, 1)
        if ratio > settings.MAX_ZIP_RATIO or total > settings.MAX_UNZIPPED_BYTES:
            raise _Refused("The selected file is too big to open safely when unzipped", "zip_bomb")


def _zip_document_type(upload: UploadedFile) -> str | None:
    """The content type of an Office or OpenDocument file, from the files inside the zip."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            _check_zip_directory(archive)
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
                if "vbaProject" in types or "macroEnabled" in types or any(n.endswith("vbaProject.bin") for n in names):
                    raise _Refused("The selected file must not contain macros", "macros")
                for marker, content_type in _OOXML.items():
                    if marker in types:
                        return content_type
                return None
            if "mimetype" in names:
                if any(n.startswith(("Basic/", "Scripts/")) for n in names):
                    raise _Refused("The selected file must not contain macros", "macros")
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return mimetype if mimetype in _ODF else None
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError):
        return None
    finally:
        upload.seek(0)
    return None


def detect_content_type(upload: UploadedFile) -> str | None:
    """What the file really is (None if not an allowed type), whatever its name says."""
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if _HTML.search(head[:1024]):
        raise _Refused(f"The selected file must be a {ALLOWED_DESCRIPTION}", "html")
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _zip_document_type(upload)
    return None


def _extension(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip().lower()
    return "." + base.rsplit(".", 1)[-1] if "." in base else ""


def check_upload(upload: UploadedFile) -> CheckedFile:
    """Refuse a file that is empty, too big, not an allowed type, named as something else, unsafe to
    unzip, or carrying macros or HTML. GOV.UK error wording."""
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(f"The selected file must be smaller than {limit // (1024 * 1024)}MB", code="too_big")
    if not upload.size:
        raise ValidationError("The selected file is empty", code="empty")
    try:
        content_type = detect_content_type(upload)
    except _Refused as refused:
        raise ValidationError(refused.message, code=refused.code) from None
    if content_type is None:
        raise ValidationError(f"The selected file must be a {ALLOWED_DESCRIPTION}", code="wrong_type")
    extensions, label = FILE_TYPES[content_type]
    if _extension(upload.name or "") not in extensions:
        raise ValidationError(
            f"The selected file is a {label}, so its name must end in {' or '.join(extensions)}", code="wrong_name"
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(content_type=content_type, size=upload.size, sha256=digest.hexdigest())
