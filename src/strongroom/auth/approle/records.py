"""The persisted records of AppRole. Fields are only ever appended; `format` marks the layout.

    salt                            MountKey: the mount's HMAC key (32 random bytes)
    role/<name>                     Role
    role_id/<hmac of the role ID>   RoleIdEntry: which role a role ID names
    secret_id/<role hmac>/<hmac>    SecretIdEntry: one secret ID of a role
    accessor/<hmac of accessor>     AccessorEntry: where the secret ID of an accessor is

Secret IDs, role IDs and accessors appear in storage keys only as HMACs under the mount key,
never in the clear. A role's HMAC covers its name and a random `uid` drawn when the role is
created, so a role deleted and created again never sees the old role's secret IDs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from strongroom.auth.token_fields import TokenSettings
from strongroom.errors import InternalError
from strongroom.logical.records import known_fields, load_record

FORMAT_VERSION = 1
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class MountKey:
    key: str  # base64
    format: int = FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class Role:
    name: str
    role_id: str
    uid: str
    bind_secret_id: bool = True
    secret_id_bound_cidrs: tuple[str, ...] = ()
    secret_id_num_uses: int = 0
    secret_id_ttl: int = 0
    local_secret_ids: bool = False
    token: TokenSettings = field(default_factory=TokenSettings)
    format: int = FORMAT_VERSION

    @property
    def has_constraint(self) -> bool:
        """Vault refuses a role that binds nothing: no secret ID and no CIDR."""
        return bool(
            self.bind_secret_id or self.secret_id_bound_cidrs or self.token.token_bound_cidrs
        )


@dataclass(frozen=True, slots=True)
class RoleIdEntry:
    name: str
    format: int = FORMAT_VERSION


@dataclass(frozen=True, slots=True)
class SecretIdEntry:
    accessor: str
    num_uses: int  # uses left; 0 = unlimited
    ttl: int
    creation_time: float
    expiration_time: float  # 0 = never
    last_updated_time: float
    metadata: dict[str, str] = field(default_factory=dict)
    cidr_list: tuple[str, ...] = ()
    token_bound_cidrs: tuple[str, ...] = ()
    format: int = FORMAT_VERSION

    def expired(self, now: float) -> bool:
        return bool(self.expiration_time) and now >= self.expiration_time


@dataclass(frozen=True, slots=True)
class AccessorEntry:
    secret_id_hmac: str
    role_hmac: str
    format: int = FORMAT_VERSION


def dump(record: Any) -> bytes:
    return orjson.dumps(record)


def load(cls: type[T], raw: bytes, what: str) -> T:
    """A record of `cls` (lists back to tuples, a role's token settings rebuilt)."""
    document = known_fields(cls, load_record(raw, what, FORMAT_VERSION))
    try:
        for item in dataclasses.fields(cls):  # type: ignore[arg-type]
            value = document.get(item.name)
            if isinstance(value, list):
                document[item.name] = tuple(value)
        if "token" in document:
            document["token"] = TokenSettings.from_record(document["token"])
        return cls(**document)
    except (TypeError, ValueError, AttributeError):
        raise InternalError(f"a stored {what} record is unreadable") from None
