"""KV version 1: documents at paths, replaced on write; `ttl` is advisory only."""

from __future__ import annotations

from strongroom.engines.kv.documents import document_paths
from strongroom.framework import FrameworkBackend
from strongroom.logical import Storage


def build_kv_v1_backend(storage: Storage) -> FrameworkBackend:
    return FrameworkBackend(document_paths(storage, lambda request: "", ttl_is_advisory=True))
