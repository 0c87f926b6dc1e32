"""A logical request: what a backend sees. No HTTP objects cross this line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strongroom.logical.auth import Auth
from strongroom.logical.operation import Operation
from strongroom.logical.secret import Secret


@dataclass(slots=True)
class Request:
    operation: Operation
    # Normalised path relative to /v1/ (the pipeline rewrites it relative to the mount).
    path: str
    data: dict[str, Any] = field(default_factory=dict)
    client_token: str = ""
    request_id: str = ""
    remote_address: str = ""
    # Vault's request headers that change behaviour (X-Vault-Wrap-TTL, …), lower-cased names.
    headers: dict[str, str] = field(default_factory=dict)
    # Seconds from X-Vault-Wrap-TTL (0 = do not wrap).
    wrap_ttl: int = 0

    # --- set by the pipeline after routing ---------------------------------------------------
    mount_point: str = ""
    mount_type: str = ""
    mount_accessor: str = ""

    # --- set by the pipeline when the token resolved -----------------------------------------
    policies: tuple[str, ...] = ()
    client_token_accessor: str = ""
    display_name: str = ""
    entity_id: str = ""
    # Whether the caller's ACL grants `sudo` on this path (root-protected operations).
    root_privileges: bool = False

    # --- revoke and renew requests, sent by the lease manager to the issuing engine -----------
    secret: Secret | None = None
    # --- a token renewal, sent to the auth method whose login created the token ------------
    auth: Auth | None = None

    @property
    def full_path(self) -> str:
        """The path as the client sent it (mount point + path inside the mount)."""
        return self.mount_point + self.path
