"""A rekey attempt: a threshold of current shares authorises a new KEK split into new shares.

With verification required, the new shares are installed only after a threshold of the *new*
shares has been entered back, proving the operators received them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from strongroom.crypto.compare import constant_time_equal
from strongroom.errors import InvalidKey, NonceMismatch
from strongroom.seal.config import SealConfig
from strongroom.seal.shamir_seal import split_new_kek
from strongroom.seal.shares import ShareCollector


@dataclass
class PendingKek:
    """New shares handed out, waiting for operators to prove they hold them."""

    kek: bytes
    verification_nonce: str
    collector: ShareCollector


@dataclass
class RekeyAttempt:
    new_config: SealConfig
    current_threshold: int
    verification_required: bool
    nonce: str = field(default_factory=lambda: str(uuid.uuid4()))
    collector: ShareCollector = field(init=False)
    pending: PendingKek | None = None

    def __post_init__(self) -> None:
        self.collector = ShareCollector(self.current_threshold)

    def check_nonce(self, nonce: str) -> None:
        if not constant_time_equal(nonce, self.nonce):
            raise NonceMismatch("incorrect nonce for the rekey operation")

    def status(self) -> dict[str, Any]:
        return {
            "started": True,
            "nonce": self.nonce,
            "t": self.new_config.secret_threshold,
            "n": self.new_config.secret_shares,
            "progress": self.collector.progress,
            "required": self.current_threshold,
            "pgp_fingerprints": None,
            "backup": False,
            "verification_required": self.verification_required,
        }

    def submit_current_share(self, share: bytes) -> bytes | None:
        """Returns the combined current KEK once the threshold is reached."""
        if self.pending is not None:
            raise InvalidKey("rekey is awaiting verification of the new shares")
        return self.collector.add(share)

    def new_shares(self) -> tuple[list[bytes], bytes]:
        return split_new_kek(self.new_config)

    def await_verification(self, kek: bytes) -> PendingKek:
        self.pending = PendingKek(
            kek, str(uuid.uuid4()), ShareCollector(self.new_config.secret_threshold)
        )
        return self.pending

    def verification_status(self) -> dict[str, Any]:
        pending = self.require_pending()
        return {
            "started": True,
            "nonce": pending.verification_nonce,
            "t": self.new_config.secret_threshold,
            "n": self.new_config.secret_shares,
            "progress": pending.collector.progress,
        }

    def restart_verification(self) -> None:
        pending = self.require_pending()
        pending.verification_nonce = str(uuid.uuid4())
        pending.collector.reset()

    def check_verification_nonce(self, nonce: str) -> PendingKek:
        pending = self.require_pending()
        if not constant_time_equal(nonce, pending.verification_nonce):
            raise NonceMismatch("incorrect verification nonce")
        return pending

    def submit_new_share(self, nonce: str, share: bytes) -> bool:
        """True once a threshold of new shares has been entered and combines to the new KEK."""
        pending = self.check_verification_nonce(nonce)
        combined = pending.collector.add(share)
        if combined is None:
            return False
        if not constant_time_equal(combined, pending.kek):
            raise InvalidKey("the new keys do not combine to the new key; enter them again")
        return True

    def require_pending(self) -> PendingKek:
        if self.pending is None:
            raise InvalidKey("no rekey verification in progress")
        return self.pending
