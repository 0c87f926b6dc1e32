"""The API prefix: everything Strongroom serves lives under /v1/."""

from __future__ import annotations

from strongroom.errors import UnsupportedPath
from strongroom.logical.paths import normalize_path

API_PREFIX = "/v1/"


def normalize(path: str) -> str:
    """The normalised path after /v1/ (see `logical.paths.normalize_path`)."""
    if not path.startswith(API_PREFIX):
        raise UnsupportedPath("unsupported path: the API lives under /v1/")
    return normalize_path(path[len(API_PREFIX) :])
