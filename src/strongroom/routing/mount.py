"""The persisted record of one mount (a secrets engine under `path/` or an auth method)."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any

FORMAT_VERSION = 1
SECRET_TABLE = "secret"
AUTH_TABLE = "auth"


@dataclass(frozen=True, slots=True)
class MountConfig:
    default_lease_ttl: int = 0  # 0 = the system default
    max_lease_ttl: int = 0
    force_no_cache: bool = False
    audit_non_hmac_request_keys: tuple[str, ...] = ()
    audit_non_hmac_response_keys: tuple[str, ...] = ()
    listing_visibility: str = ""  # "" (hidden from anonymous UIs) or "unauth"
    passthrough_request_headers: tuple[str, ...] = ()
    allowed_response_headers: tuple[str, ...] = ()
    token_type: str = ""  # auth mounts: default-service, default-batch, service, batch
    # Auth mounts, `user_lockout_config`: 0 / False = the server's default.
    lockout_threshold: int = 0
    lockout_duration: int = 0
    lockout_counter_reset: int = 0
    lockout_disable: bool = False

    def as_api(self, table: str) -> dict[str, Any]:
        """The `config` object of sys/mounts and sys/auth: unset lists are left out."""
        document: dict[str, Any] = {
            "default_lease_ttl": self.default_lease_ttl,
            "max_lease_ttl": self.max_lease_ttl,
            "force_no_cache": self.force_no_cache,
        }
        for name in (
            "audit_non_hmac_request_keys",
            "audit_non_hmac_response_keys",
            "passthrough_request_headers",
            "allowed_response_headers",
        ):
            if value := getattr(self, name):
                document[name] = list(value)
        if self.listing_visibility:
            document["listing_visibility"] = self.listing_visibility
        if table == AUTH_TABLE:
            document["token_type"] = self.token_type or "default-service"
            lockout = self.user_lockout_config()
            if lockout:
                document["user_lockout_config"] = lockout
        return document

    def user_lockout_config(self) -> dict[str, Any]:
        """The lockout settings that were set, as the API shows them."""
        settings = {
            "lockout_threshold": self.lockout_threshold,
            "lockout_duration": self.lockout_duration,
            "lockout_counter_reset": self.lockout_counter_reset,
            "lockout_disable": self.lockout_disable,
        }
        return {name: value for name, value in settings.items() if value}


@dataclass(frozen=True, slots=True)
class MountEntry:
    table: str  # SECRET_TABLE or AUTH_TABLE
    path: str  # relative to its table, always ending in "/": "secret/", "userpass/"
    type: str
    description: str = ""
    uuid: str = ""
    accessor: str = ""
    local: bool = False
    seal_wrap: bool = False
    external_entropy_access: bool = False
    options: dict[str, str] | None = None
    config: MountConfig = field(default_factory=MountConfig)
    version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        if not self.path.endswith("/") or self.path.startswith("/"):
            raise ValueError("a mount path is relative and ends with '/'")

    @classmethod
    def new(cls, table: str, path: str, type_: str, **settings: Any) -> MountEntry:
        prefix = f"auth_{type_}" if table == AUTH_TABLE else type_
        return cls(
            table=table,
            path=path,
            type=type_,
            uuid=str(uuid.uuid4()),
            accessor=f"{prefix}_{secrets.token_hex(4)}",
            **settings,
        )

    @property
    def route(self) -> str:
        """The path prefix requests arrive on: "secret/" or "auth/userpass/"."""
        return f"auth/{self.path}" if self.table == AUTH_TABLE else self.path

    @property
    def storage_prefix(self) -> str:
        """Where this mount's data lives in the barrier: one prefix per mount UUID."""
        return f"{'auth' if self.table == AUTH_TABLE else 'logical'}/{self.uuid}/"

    def with_changes(self, **changes: Any) -> MountEntry:
        return replace(self, **changes)

    def as_api(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "description": self.description,
            "accessor": self.accessor,
            "uuid": self.uuid,
            "local": self.local,
            "seal_wrap": self.seal_wrap,
            "external_entropy_access": self.external_entropy_access,
            "options": self.options,
            "config": self.config.as_api(self.table),
            "plugin_version": "",
            "running_plugin_version": "",
            "running_sha256": "",
        }

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> MountEntry:
        raw_config: dict[str, Any] = record.pop("config")
        lists = {k: tuple(v) for k, v in raw_config.items() if isinstance(v, list)}
        return cls(config=MountConfig(**{**raw_config, **lists}), **record)
