"""Bounds on ZIP archives (office documents, spreadsheets) checked before anything is inflated.

An office file is a ZIP archive, and a ZIP archive may promise little and inflate to a lot: a 1 KB
file can hold a member that inflates to 1 GiB. Before any member is read, the central directory
(what the archive says about itself) is checked against these bounds; Python's zipfile never
inflates a member past the size the directory declares, so a member read after the check is
bounded too. Pure: a stream in, the open archive or ArchiveLimitError out.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext as _

MB = 1024 * 1024


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 5000
    max_uncompressed_bytes: int = 250 * MB
    max_ratio: int = 200  # uncompressed / compressed size of the whole archive, once it is past:
    ratio_from_bytes: int = 10 * MB


OFFICE_FILE_LIMITS = ArchiveLimits()


class ArchiveLimitError(ValueError):
    pass


def open_bounded(stream, limits: ArchiveLimits = OFFICE_FILE_LIMITS) -> zipfile.ZipFile:
    """The ZipFile of ``stream`` when its directory is within ``limits``; ArchiveLimitError says
    why not (zipfile.BadZipFile for what is no archive at all)."""
    archive = zipfile.ZipFile(stream)
    members = archive.infolist()
    if len(members) > limits.max_members:
        archive.close()
        raise ArchiveLimitError(
            _("The archive holds %(count)s parts; at most %(limit)s are accepted.") % {"count": len(members), "limit": limits.max_members}
        )
    uncompressed = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    too_large = uncompressed > limits.max_uncompressed_bytes
    too_dense = uncompressed > limits.ratio_from_bytes and uncompressed > max(compressed, 1) * limits.max_ratio
    if too_large or too_dense:
        archive.close()
        raise ArchiveLimitError(
            _("The archive unpacks to %(size)s MB from %(packed)s KB: that is not an ordinary document, so it is refused.")
            % {"size": uncompressed // MB, "packed": max(compressed // 1024, 1)}
        )
    return archive


def read_member_head(archive: zipfile.ZipFile, name: str, limit: int = 256) -> bytes:
    """At most ``limit`` bytes of one member: enough to identify it, never the whole thing."""
    with archive.open(name) as member:
        return member.read(limit)
