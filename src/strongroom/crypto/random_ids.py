"""Random identifiers in base62 (token IDs, accessors, lease IDs), uniform and fast.

Random bytes of 248 and above are dropped (248 = 4 * 62, so `byte % 62` is then unbiased) and
the rest mapped to characters by one `bytes.translate`, in C: a character per byte kept.
"""

from __future__ import annotations

import os
import string

BASE62 = string.ascii_letters + string.digits
_UNBIASED_BELOW = 248
_TO_BASE62 = bytes(ord(BASE62[byte % len(BASE62)]) for byte in range(256))
_REJECTED = bytes(range(_UNBIASED_BELOW, 256))


def random_base62(length: int) -> str:
    """`length` uniformly random base62 characters."""
    drawn = b""
    while len(drawn) < length:
        drawn += os.urandom(length + 8).translate(_TO_BASE62, _REJECTED)
    return drawn[:length].decode("ascii")
