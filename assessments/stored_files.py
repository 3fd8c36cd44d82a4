"""Stored files: one abstract model for every uploaded file, its checks and how it is served.

Files written during a change that fails are removed again.

A database rollback cannot take back a file already written to storage. Services that store files
are wrapped in ``removes_files_on_failure`` (outside their transaction): every file stored inside
is remembered, and deleted if the change raises — including when an outer service that called
this one fails later."""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

_stored: ContextVar[list | None] = ContextVar("stored_files", default=None)


def remember(field_file):
    """Note a file just written through ``field_file`` (a FieldFile) for removal on failure."""
    pending = _stored.get()
    if pending is not None:
        pending.append((field_file.storage, field_file.name))


@contextmanager
def files_removed_on_failure():
    outer = _stored.get()
    pending = []
    token = _stored.set(pending)
    try:
        yield
    except BaseException:
        for storage, name in pending:
            storage.delete(name)
        raise
    finally:
        _stored.reset(token)
    if outer is not None:
        outer.extend(pending)  # an outer change that fails later removes them too


def removes_files_on_failure(function):
    @wraps(function)
    def wrapper(*args, **kwargs):
        with files_removed_on_failure():
            return function(*args, **kwargs)

    return wrapper


def content_disposition(filename, *, inline=False):
    """``inline`` or ``attachment``, with the name both as plain ASCII (for old clients) and as
    ``filename*`` in UTF-8 (RFC 6266), so Indonesian names with any character survive."""
    from urllib.parse import quote

    fallback = "".join(char for char in filename.encode("ascii", "ignore").decode() if char.isprintable())
    fallback = fallback.replace("\\", "_").replace('"', "'").strip() or "berkas"
    return f"{'inline' if inline else 'attachment'}; filename=\"{fallback}\"; filename*=utf-8''{quote(filename)}"


def private_file_response(field_file, *, filename, content_type, inline=False):
    """Serve a private file (after the caller checked the user's scope): as a download, never
    cached by shared caches, never sniffed into another type. ``inline`` shows it in the browser
    instead, under a policy that lets it load and run nothing (for INLINE_TYPES only)."""
    from django.http import FileResponse

    if inline and content_type not in INLINE_TYPES:
        inline = False
    response = FileResponse(field_file.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    if inline:
        policy = INLINE_POLICY if content_type == "application/pdf" else INLINE_POLICY + "; sandbox"
        response["Content-Security-Policy"] = policy
        response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# --- One base for every stored file ---------------------------------------------------------------

INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
"""Types a browser may show in place; everything else (office files above all) is only downloaded."""

# The policy of a file shown in place: it may load nothing, run nothing, submit nothing, and only
# the portal may frame it. Chromium shows a PDF in its own viewer, whose page needs inline styles
# ('unsafe-inline') and no plugin permission (``plugin-types`` is gone from browsers); the viewer
# refuses a document under ``sandbox`` (checked by hand in Chromium: the page never loads), so PDFs
# get everything but that, and images, which need no viewer, are also sandboxed.
INLINE_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"


def random_file_name(folder, filename):
    """``folder/<random>.<ext>``: files are stored under random names, never the uploaded one."""
    import uuid

    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{uuid.uuid4().hex}.{suffix}"


def stored_file_path(instance, filename):
    return random_file_name(instance.storage_folder(), filename)


class StoredFile(models.Model):
    """A file a person uploaded (or the portal issued): checked by name, size and content
    (assessments.evidence_files), stored privately under a random name, with its SHA-256, and served
    only by views that checked the user's scope first. The original name is display text only.

    Indicator evidence, meeting attachments, final minutes and follow-up evidence all build on it.
    A subclass says where its files go (``storage_folder``) and may redeclare a field (indicator
    evidence is a file or a link, so its file fields may be blank)."""

    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=255)
    original_name = models.CharField(_("original file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        abstract = True

    def storage_folder(self):
        return self._meta.model_name

    @property
    def display_name(self):
        return self.original_name

    @property
    def shows_inline(self):
        """Whether a browser may show this file in place (PDF, PNG, JPEG), besides downloading it."""
        return bool(self.file) and self.content_type in INLINE_TYPES

    def store(self, content, checked, *, actor=None):
        """Keep ``content`` (a File, already passed through ``check_upload``/``check_bytes`` as
        ``checked``) under a random name and fill in name, type, size and hash; saves nothing to
        the database. A file written here is removed again if the surrounding change fails."""
        self.original_name = checked.display_name
        self.content_type = checked.content_type
        self.size = checked.size
        self.sha256 = checked.sha256
        if actor is not None:
            self.uploaded_by = actor
        content.seek(0)
        self.file.save(f"file.{checked.extension}", content, save=False)
        remember(self.file)

    def download_response(self):
        return private_file_response(self.file, filename=self.original_name, content_type=self.content_type)

    def inline_response(self):
        """The file shown in the browser, for the safe types only (others: Http404)."""
        if not self.shows_inline:
            from django.http import Http404

            raise Http404
        return private_file_response(self.file, filename=self.original_name, content_type=self.content_type, inline=True)


def check_upload(upload, *, field="file", max_bytes=None):
    """Check an uploaded file (a Django UploadedFile) against the evidence rules; a ValidationError
    on ``field`` says what is wrong."""
    from django.core.exceptions import ValidationError

    from .evidence_files import EvidenceFileError, check_file

    limit = settings.EVIDENCE_MAX_BYTES if max_bytes is None else max_bytes
    try:
        return check_file(name=upload.name, stream=upload, size=upload.size, max_bytes=limit)
    except EvidenceFileError as error:
        raise ValidationError({field: str(error)}) from None
