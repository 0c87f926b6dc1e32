"""What several transit paths share: the key-name pattern, common fields, key lookup."""

from __future__ import annotations

from strongroom.engines.transit.encoding import decode_b64
from strongroom.engines.transit.keyring import Key
from strongroom.engines.transit.store import KeyStore
from strongroom.errors import InvalidParameter
from strongroom.framework import Field, FieldData, FieldType

# Vault's framework.GenericNameRegex: word characters, with `-`, `.` and `@` inside.
NAME = r"\w(?:[\w\-.@]*\w)?"


def named(group: str = "name") -> str:
    return f"(?P<{group}>{NAME})"


NAME_FIELD = {"name": Field(FieldType.STRING, "the name of the key", required=True)}


async def existing_key(store: KeyStore, data: FieldData, missing: str) -> Key:
    """The key named in the path, or a 400 with `missing` (Vault's wording per operation)."""
    key = await store.get(data.get("name"))
    if key is None:
        raise InvalidParameter(missing)
    return key


def optional_b64(value: str, what: str) -> bytes:
    return decode_b64(value, what) if value else b""


def context_of(data: FieldData) -> bytes:
    try:
        return optional_b64(data.get("context") or "", "context")
    except InvalidParameter:
        raise InvalidParameter("failed to base64-decode context") from None
