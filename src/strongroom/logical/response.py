"""A logical response: what a backend returns. HTTP renders it into Vault's envelope."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strongroom.logical.auth import Auth
from strongroom.logical.secret import Secret
from strongroom.logical.wrapping import WrapInfo


@dataclass(slots=True)
class Response:
    data: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    # A token created by this request (logins, auth/token/create).
    auth: Auth | None = None
    # A lease on the returned secret; the core registers it and fills in `lease_id`.
    secret: Secret | None = None
    # Set instead of everything else when the response was wrapped.
    wrap_info: WrapInfo | None = None
    # An advisory TTL reported as lease_duration without a lease (KV v1).
    advisory_ttl: int = 0
    # Written as plain JSON without the envelope (sys/rekey/*, sys/generate-root/*).
    bare: bool = False
    # Legacy sys routes also copy the keys of `data` to the top level of the envelope.
    top_level_copy: bool = False
    # Overrides the status (e.g. a 404 that still carries a body).
    status: int | None = None
    # Sent as it is, without the envelope, with `content_type` (a PKI CA in DER, a CRL in PEM).
    raw_body: bytes | None = None
    content_type: str = ""
    # Extra HTTP headers (ACME's Replay-Nonce, Location, Link). The core keeps only those the
    # mount's `allowed_response_headers` names, as Vault does.
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        return (
            self.data is None
            and not self.warnings
            and self.auth is None
            and self.secret is None
            and self.wrap_info is None
            and self.raw_body is None
        )
