"""Request paths: normalised once, and that one string is used for ACL, routing and storage."""

from __future__ import annotations

from strongroom.errors import InvalidPath, RelativePath, UnsupportedPath

API_PREFIX = "/v1/"


def normalize(path: str) -> str:
    """The path after /v1/, with `//` collapsed; relative segments and control characters → 400."""
    if not path.startswith(API_PREFIX):
        raise UnsupportedPath("unsupported path: the API lives under /v1/")
    path = path[len(API_PREFIX) :]
    if not path.isprintable():
        raise InvalidPath("invalid path: non-printable characters")
    segments = path.split("/")
    if any(segment in (".", "..") for segment in segments):
        raise RelativePath()
    trailing = path.endswith("/")
    cleaned = "/".join(segment for segment in segments if segment)
    return cleaned + "/" if trailing and cleaned else cleaned
