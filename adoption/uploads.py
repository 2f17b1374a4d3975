"""The one limit on the size of an uploaded file, for every upload of the service (903 files, panel papers).

The limit is the setting ``UPLOAD_MAX_BYTES`` (adoption/settings.py holds its one default); read when a file is
checked, so a changed setting applies at once. Messages say it as people do: "20 MB".
"""

from __future__ import annotations

from django.conf import settings

MEGABYTE = 1024 * 1024


def upload_max_bytes() -> int:
    """The largest file a user may upload."""
    return int(settings.UPLOAD_MAX_BYTES)


def size_in_words(size: int) -> str:
    """A size limit as people say it: "20 MB" (or "512 KB" below a megabyte)."""
    if size >= MEGABYTE:
        return f"{size // MEGABYTE} MB"
    return f"{size // 1024} KB" if size >= 1024 else f"{size} bytes"
