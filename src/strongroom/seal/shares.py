"""Collecting key shares from several operators until a threshold is reached."""

from __future__ import annotations

import base64
import binascii

from strongroom.crypto import shamir
from strongroom.crypto.compare import constant_time_equal
from strongroom.errors import InvalidKey


def decode_share(encoded: str) -> bytes:
    """A share as operators hold it: hex (`keys`) or base64 (`keys_base64`)."""
    if not encoded:
        raise InvalidKey("missing key")
    try:
        return bytes.fromhex(encoded)
    except ValueError:
        pass
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidKey("'key' must be a valid hex or base64 string") from None


class ShareCollector:
    """Shares submitted so far toward a threshold. A duplicate share is ignored."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        self._shares: list[bytes] = []

    @property
    def progress(self) -> int:
        return len(self._shares)

    def add(self, share: bytes) -> bytes | None:
        """Add a share; once the threshold is reached return the combined secret and reset."""
        if any(constant_time_equal(share, held) for held in self._shares):
            return None
        self._shares.append(share)
        if len(self._shares) < self.threshold:
            return None
        shares, self._shares = self._shares, []
        return shares[0] if self.threshold == 1 else shamir.combine(shares)

    def reset(self) -> None:
        self._shares = []
