"""A logical response: what a backend returns. HTTP renders it into Vault's envelope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Response:
    data: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    # Written as plain JSON without the envelope (sys/rekey/*, sys/generate-root/*).
    bare: bool = False
    # Legacy sys routes also copy the keys of `data` to the top level of the envelope.
    top_level_copy: bool = False
    # Overrides the status (e.g. a 404 that still carries a body).
    status: int | None = None

    @property
    def is_empty(self) -> bool:
        return self.data is None and not self.warnings
