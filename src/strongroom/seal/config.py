"""The seal configuration, stored in plaintext so a sealed node knows how many shares to ask for."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from strongroom.errors import IntegrityError, InvalidParameter

FORMAT_VERSION = 1
MAX_SHARES = 255


@dataclass(frozen=True, slots=True)
class SealConfig:
    secret_shares: int
    secret_threshold: int
    type: str = "shamir"
    version: int = FORMAT_VERSION

    @classmethod
    def validated(cls, shares: int, threshold: int) -> SealConfig:
        if shares < 1:
            raise InvalidParameter("invalid seal configuration: secret_shares must be at least 1")
        if shares > MAX_SHARES:
            raise InvalidParameter(
                f"invalid seal configuration: secret_shares must be at most {MAX_SHARES}"
            )
        if threshold < 1:
            raise InvalidParameter(
                "invalid seal configuration: secret_threshold must be at least 1"
            )
        if threshold > shares:
            raise InvalidParameter(
                "invalid seal configuration: secret_threshold cannot be larger than secret_shares"
            )
        if shares > 1 and threshold == 1:
            raise InvalidParameter(
                "invalid seal configuration: secret_threshold must be greater than one "
                "for multiple shares"
            )
        return cls(shares, threshold)

    def serialize(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> SealConfig:
        try:
            document = json.loads(data)
            if document.get("version") != FORMAT_VERSION:
                raise IntegrityError("unsupported seal configuration version")
            return cls(**document)
        except (TypeError, ValueError) as exc:
            raise IntegrityError("the stored seal configuration is malformed") from exc
