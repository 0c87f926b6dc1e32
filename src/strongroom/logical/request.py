"""A logical request: what a backend sees. No HTTP objects cross this line."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from strongroom.logical.operation import Operation


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
    # Set by the pipeline after routing.
    mount_point: str = ""
    # Set by the pipeline when the token resolved: its policies, for handlers that check sudo.
    policies: tuple[str, ...] = ()
