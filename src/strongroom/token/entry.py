"""The persisted token record. Fields are only ever appended; `version` marks the layout."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

FORMAT_VERSION = 1


@dataclass(frozen=True, slots=True)
class TokenEntry:
    accessor: str
    policies: tuple[str, ...]
    display_name: str
    creation_time: float
    ttl: int = 0  # seconds; 0 = never expires (root tokens)
    meta: dict[str, str] = field(default_factory=dict)
    version: int = FORMAT_VERSION

    @property
    def is_root(self) -> bool:
        return "root" in self.policies

    def serialize(self) -> bytes:
        document = asdict(self)
        document["policies"] = list(self.policies)
        return json.dumps(document, separators=(",", ":")).encode()

    @classmethod
    def deserialize(cls, data: bytes) -> TokenEntry:
        document: dict[str, Any] = json.loads(data)
        document["policies"] = tuple(document["policies"])
        return cls(**document)
