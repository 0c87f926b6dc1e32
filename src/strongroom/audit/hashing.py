"""Audit hashing: a device's salt and the walk that replaces every string with its HMAC.

Vault's rule: every string value is replaced by ``hmac-sha256:<hex>``; numbers, booleans and
null pass through; dict keys are kept. Bytes are hashed as their base64 text, so a ``[]byte``
field never reaches the log in the clear (CVE-2025-62513 class). The walk is iterative and
linear in the size of the input, so a deep or wide body can neither blow the stack nor cost
more than one pass (CVE-2025-6203 class). Inputs are never mutated: the result is a new tree,
so one device's raw copy cannot leak into another device's hashed copy (CVE-2024-0831 class).
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

HASH_PREFIX = "hmac-sha256:"
SALT_BYTES = 32


@dataclass(frozen=True, slots=True)
class Salt:
    """A device's HMAC key. Losing it (disabling the device) makes old hashes unreproducible."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) != SALT_BYTES:
            raise ValueError(f"an audit salt is {SALT_BYTES} bytes")

    @classmethod
    def generate(cls) -> Salt:
        return cls(secrets.token_bytes(SALT_BYTES))

    def hash(self, value: str) -> str:
        # surrogatepass: JSON may carry lone surrogates; hashing them must not crash the audit.
        message = value.encode("utf-8", "surrogatepass")
        return HASH_PREFIX + hmac.digest(self.key, message, "sha256").hex()


def hash_structure(value: Any, salt: Salt, *, skip_keys: frozenset[str] = frozenset()) -> Any:
    """A deep copy of `value` with every string hashed, except under top-level `skip_keys`."""

    def hashed(leaf: Any) -> Any:
        return _hash_leaf(leaf, salt)

    if isinstance(value, Mapping) and skip_keys:
        return {
            key: _transform(item, _raw_leaf if key in skip_keys else hashed)
            for key, item in value.items()
        }
    return _transform(value, hashed)


def raw_copy(value: Any) -> Any:
    """A deep, JSON-ready copy with nothing hashed (``log_raw``); bytes become base64 text."""
    return _transform(value, _raw_leaf)


def _hash_leaf(leaf: Any, salt: Salt) -> Any:
    if leaf is None or isinstance(leaf, bool | int | float):
        return leaf
    return salt.hash(_raw_leaf(leaf))


def _raw_leaf(leaf: Any) -> Any:
    if leaf is None or isinstance(leaf, bool | int | float | str):
        return leaf
    if isinstance(leaf, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(leaf)).decode("ascii")
    # Anything else (an enum, a datetime, an object) is logged as its text, never as-is.
    return str(leaf)


def _transform(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """Rebuild `value` with `leaf` applied to every non-container, using an explicit stack."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, slot, item = stack.pop()
        if isinstance(item, Mapping):
            copy: dict[Any, Any] = dict.fromkeys(item)  # keeps the key order
            parent[slot] = copy
            stack.extend((copy, key, child) for key, child in item.items())
        elif isinstance(item, list | tuple | set | frozenset):
            children = list(item)
            copy_list: list[Any] = [None] * len(children)
            parent[slot] = copy_list
            stack.extend((copy_list, index, child) for index, child in enumerate(children))
        else:
            parent[slot] = leaf(item)
    return root[0]
