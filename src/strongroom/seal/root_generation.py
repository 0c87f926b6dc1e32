"""A root-token generation attempt: a threshold of shares authorises a new root token.

The token is returned XOR-ed with a one-time pad that only the initiator saw, so whoever
enters the last share cannot read it.
"""

from __future__ import annotations

import base64
import secrets
import string
import uuid
from dataclasses import dataclass, field
from typing import Any

from strongroom.crypto.compare import constant_time_equal
from strongroom.errors import InvalidParameter, NonceMismatch
from strongroom.seal.shares import ShareCollector

_OTP_ALPHABET = string.ascii_letters + string.digits


def new_otp(length: int) -> str:
    return "".join(secrets.choice(_OTP_ALPHABET) for _ in range(length))


def encode_token(token: str, otp: str) -> str:
    """base64 (standard, unpadded) of token XOR otp, as the vault CLI decodes it."""
    if len(token) != len(otp):
        raise ValueError("the one-time pad must be as long as the token")
    mixed = bytes(a ^ b for a, b in zip(token.encode(), otp.encode(), strict=True))
    return base64.b64encode(mixed).decode().rstrip("=")


def decode_token(encoded: str, otp: str) -> str:
    padded = encoded + "=" * (-len(encoded) % 4)
    mixed = base64.b64decode(padded)
    return bytes(a ^ b for a, b in zip(mixed, otp.encode(), strict=True)).decode()


@dataclass
class RootGenerationAttempt:
    threshold: int
    otp_length: int
    otp: str
    nonce: str = field(default_factory=lambda: str(uuid.uuid4()))
    collector: ShareCollector = field(init=False)
    encoded_token: str = ""

    def __post_init__(self) -> None:
        if len(self.otp) != self.otp_length:
            raise InvalidParameter(f"OTP string must be {self.otp_length} characters long")
        self.collector = ShareCollector(self.threshold)

    def check_nonce(self, nonce: str) -> None:
        if not constant_time_equal(nonce, self.nonce):
            raise NonceMismatch("incorrect nonce for the root generation operation")

    def status(self, *, reveal_otp: bool = False) -> dict[str, Any]:
        complete = bool(self.encoded_token)
        return {
            "started": True,
            "nonce": self.nonce,
            "progress": self.threshold if complete else self.collector.progress,
            "required": self.threshold,
            "encoded_token": self.encoded_token,
            "encoded_root_token": self.encoded_token,
            "pgp_fingerprint": "",
            "otp": self.otp if reveal_otp else "",
            "otp_length": self.otp_length,
            "complete": complete,
        }


def idle_status(threshold: int, otp_length: int) -> dict[str, Any]:
    return {
        "started": False,
        "nonce": "",
        "progress": 0,
        "required": threshold,
        "encoded_token": "",
        "encoded_root_token": "",
        "pgp_fingerprint": "",
        "otp": "",
        "otp_length": otp_length,
        "complete": False,
    }
