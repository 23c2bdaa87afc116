"""Uploads are checked by what they hold and what they are called, opened safely, and stored under
random names (issue 9, finding 9): each hostile file below was accepted before."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from qualification.uploads import attachment_name, check_upload, stored_name

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
WORD_MAIN = WORD + ".main+xml"


def zipped(files: dict[str, bytes], *, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx(**extra: bytes) -> bytes:
    types = f'<Types><Override PartName="/word/document.xml" ContentType="{WORD_MAIN}"/></Types>'.encode()
    return zipped({"[Content_Types].xml": types, "word/document.xml": b"<w:document/>", **extra})


def refused(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as error:
        check_upload(SimpleUploadedFile(name, content))
    return error.value.messages[0]


def test_good_files_are_accepted_with_their_type():
    assert check_upload(SimpleUploadedFile("plan.pdf", PDF)).content_type == "application/pdf"
    assert check_upload(SimpleUploadedFile("Plan.DOCX", docx())).content_type == WORD


def test_a_zip_bomb_is_refused_before_it_is_unzipped():
    # About 20 KB that would unzip to 20 MB: a ratio of about 1,000 to 1.
    bomb = docx(**{"word/padding.xml": b"\0" * (20 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    assert refused("report.docx", bomb) == "The selected file is too big to open safely when unzipped"


def test_a_zip_that_unzips_to_too_much_in_all_is_refused(settings):
    settings.MAX_UNZIPPED_BYTES = 1024 * 1024
    parts = {f"word/part{n}.bin": bytes(range(256)) * 1024 for n in range(8)}  # 2 MB, hardly compressible
    assert refused("report.docx", docx(**parts)) == "The selected file is too big to open safely when unzipped"


def test_a_zip_with_too_many_files_is_refused(settings):
    settings.MAX_ZIP_ENTRIES = 50
    parts = {f"word/part{n}.xml": b"<p/>" for n in range(60)}
    assert refused("report.docx", docx(**parts)) == "The selected file has too many parts to open safely"


@pytest.mark.parametrize("name", ["shell.php", "invoice.pdf.exe", "plan.html", "plan", "plan.pdf.", "plan.docx"])
def test_a_file_named_as_something_other_than_what_it_holds_is_refused(name):
    assert refused(name, PDF) == "The selected file is a PDF, so its name must end in .pdf"


def test_a_pdf_that_is_also_a_web_page_is_refused():
    polyglot = b"%PDF-1.4\n<html><script>alert(document.cookie)</script></html>\n" + PDF
    assert refused("invoice.pdf", polyglot).startswith("The selected file must be a PDF, Word")


@pytest.mark.parametrize(
    "content",
    [
        docx(**{"word/vbaProject.bin": b"macro"}),
        zipped(
            {
                "[Content_Types].xml": b'<Types><Override ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
                "word/document.xml": b"<w:document/>",
            }
        ),
        zipped(
            {
                "mimetype": b"application/vnd.oasis.opendocument.text",
                "content.xml": b"<office:document-content/>",
                "Basic/Standard/Module1.xml": b"<script:module/>",
            },
            method=zipfile.ZIP_STORED,
        ),
    ],
    ids=["vba-project", "macro-enabled-type", "opendocument-basic"],
)
def test_a_document_with_macros_is_refused(content):
    name = "minutes.odt" if b"opendocument" in content else "minutes.docx"
    assert refused(name, content) == "The selected file must not contain macros"


def test_stored_names_are_random_and_keep_only_the_checked_extension():
    checked = check_upload(SimpleUploadedFile("../../etc/passwd.pdf", PDF))
    first, second = stored_name(checked), stored_name(checked)
    assert first != second
    assert first.endswith(".pdf") and len(first) == 36 and "/" not in first and "passwd" not in first


def test_a_download_is_named_from_its_title_and_type():
    assert attachment_name("Service specification (v2)", "application/pdf") == "service-specification-v2.pdf"
    assert attachment_name("<script>", WORD) == "script.docx"
    assert attachment_name("", "application/pdf") == "document.pdf"
