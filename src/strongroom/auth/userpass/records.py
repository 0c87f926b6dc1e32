"""The persisted record of userpass: `user/<lower-cased name>` → UserEntry.

The password is stored only as its hash (argon2id, or an imported bcrypt hash). Fields are only
ever appended; `format` marks the layout.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson

from strongroom.auth.token_fields import TokenSettings
from strongroom.errors import InternalError
from strongroom.logical.records import load_record

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class UserEntry:
    password_hash: str = ""
    token: TokenSettings = field(default_factory=TokenSettings)
    format: int = FORMAT_VERSION

    def serialize(self) -> bytes:
        document: dict[str, Any] = {
            "password_hash": self.password_hash,
            "token": self.token.to_record(),
            "format": self.format,
        }
        return orjson.dumps(document)

    @classmethod
    def deserialize(cls, raw: bytes) -> UserEntry:
        document = load_record(raw, "userpass user", FORMAT_VERSION)
        try:
            return cls(
                password_hash=str(document.get("password_hash", "")),
                token=TokenSettings.from_record(document.get("token", {})),
            )
        except (TypeError, ValueError):
            raise InternalError("a stored userpass user record is unreadable") from None
