"""Files written during a change that fails are removed again.

A database rollback cannot take back a file already written to storage. Services that store files
are wrapped in ``removes_files_on_failure`` (outside their transaction): every file stored inside
is remembered, and deleted if the change raises — including when an outer service that called
this one fails later."""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

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


def private_file_response(field_file, *, filename, content_type):
    """Serve a private file (after the caller checked the user's scope): as a download, never
    cached by shared caches, never sniffed into another type."""
    from django.http import FileResponse

    response = FileResponse(field_file.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
