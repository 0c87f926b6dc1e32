"""KV version 2: versioned secrets with check-and-set, soft deletion and metadata."""

from strongroom.engines.kv.v2.backend import build_kv_v2_backend
from strongroom.engines.kv.v2.upgrade import upgrade_v1_to_v2

__all__ = ["build_kv_v2_backend", "upgrade_v1_to_v2"]
