"""Request paths: normalised once, and that one string is used for ACL, routing and storage."""

from __future__ import annotations

from strongroom.errors import InvalidPath, RelativePath


def normalize_path(path: str) -> str:
    """`path` (relative to /v1/) with `//` collapsed and no leading `/`; relative segments and
    non-printable characters are refused (400)."""
    if not path.isprintable():
        raise InvalidPath("invalid path: non-printable characters")
    segments = path.split("/")
    if any(segment in (".", "..") for segment in segments):
        raise RelativePath()
    trailing = path.endswith("/")
    cleaned = "/".join(segment for segment in segments if segment)
    return cleaned + "/" if trailing and cleaned else cleaned
