"""Checks of an uploaded evidence file: its name, its size, and its type read from its content.

Pure: bytes and names in, a verdict out. A file is accepted only when its first bytes show one of
the allowed types and its extension belongs to that type, so an executable renamed to .pdf is
refused. The original name is kept as display text only; files are stored under random names.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .archives import ArchiveLimitError, open_bounded, read_member_head

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
OLE = "application/x-ole-storage"  # legacy .doc, .xls, .ppt

EXTENSIONS = {
    PDF: {"pdf"},
    PNG: {"png"},
    JPEG: {"jpg", "jpeg"},
    DOCX: {"docx"},
    XLSX: {"xlsx"},
    PPTX: {"pptx"},
    ODT: {"odt"},
    ODS: {"ods"},
    ODP: {"odp"},
    OLE: {"doc", "xls", "ppt"},
}
OLE_TYPES = {"doc": "application/msword", "xls": "application/vnd.ms-excel", "ppt": "application/vnd.ms-powerpoint"}
ALLOWED_EXTENSIONS = sorted(ext for group in EXTENSIONS.values() for ext in group)
ACCEPT_ATTRIBUTE = ",".join("." + ext for ext in ALLOWED_EXTENSIONS)

MAX_NAME_LENGTH = 150


class EvidenceFileError(ValueError):
    pass


@dataclass(frozen=True)
class CheckedFile:
    display_name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def check_name(name: str) -> tuple[str, str]:
    """(display name, extension) of an uploaded file's name, or EvidenceFileError. A name that
    reaches outside its folder (``../x.pdf``, ``C:\\x.pdf``) or holds control characters is refused:
    it did not come from an honest browser."""
    if not name or not name.strip():
        raise EvidenceFileError(_("The file has no name."))
    if "/" in name or "\\" in name or name.strip().startswith(".") or "\x00" in name:
        raise EvidenceFileError(_("The file name %(name)s is not allowed: it must be a plain name without folders.") % {"name": repr(name)})
    if any(unicodedata.category(char).startswith("C") for char in name):
        raise EvidenceFileError(_("The file name contains control characters."))
    display = re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip()
    if "." not in display:
        raise EvidenceFileError(_("The file name has no extension (such as .pdf)."))
    stem, extension = display.rsplit(".", 1)
    extension = extension.lower()
    if len(display) > MAX_NAME_LENGTH:
        display = stem[: MAX_NAME_LENGTH - len(extension) - 1] + "." + extension
    return display, extension


def sniff(head: bytes, stream) -> str | None:
    """The content type shown by a file's bytes, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"PK\x03\x04"):
        stream.seek(0)
        try:
            with open_bounded(stream) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    mimetype = read_member_head(archive, "mimetype").decode("ascii", "replace").strip()
                    return mimetype if mimetype in (ODT, ODS, ODP) else None
                if "[Content_Types].xml" in names:
                    if any(n.startswith("word/") for n in names):
                        return DOCX
                    if any(n.startswith("xl/") for n in names):
                        return XLSX
                    if any(n.startswith("ppt/") for n in names):
                        return PPTX
        except ArchiveLimitError:
            raise
        except (zipfile.BadZipFile, OSError, KeyError, EOFError, NotImplementedError, RuntimeError):
            return None
    return None


def check_file(*, name: str, stream, size: int, max_bytes: int) -> CheckedFile:
    """Check an uploaded file (``stream`` positioned anywhere); EvidenceFileError says why not."""
    display, extension = check_name(name)
    if size > max_bytes:
        raise EvidenceFileError(
            _("%(name)s is %(size)s MB; the limit is %(limit)s MB.") % {
                "name": display, "size": f"{size / 1048576:.1f}".replace(".", ","), "limit": max_bytes // 1048576}
        )
    if size == 0:
        raise EvidenceFileError(_("%(name)s is empty.") % {"name": display})
    stream.seek(0)
    head = stream.read(16)
    try:
        detected = sniff(head, stream)
    except ArchiveLimitError as error:
        raise EvidenceFileError(_("%(name)s: %(problem)s") % {"name": display, "problem": error}) from None
    if detected is None or extension not in EXTENSIONS[detected]:
        raise EvidenceFileError(
            _("%(name)s is not an accepted document: its content is not a PDF, image (PNG/JPEG), office document or spreadsheet matching its extension.")
            % {"name": display}
        )
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    content_type = OLE_TYPES[extension] if detected == OLE else detected
    return CheckedFile(display_name=display, extension=extension, content_type=content_type, size=size, sha256=digest.hexdigest())


def check_bytes(name: str, content: bytes, max_bytes: int) -> CheckedFile:
    return check_file(name=name, stream=io.BytesIO(content), size=len(content), max_bytes=max_bytes)
