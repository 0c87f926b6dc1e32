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
import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

HASH_PREFIX = "hmac-sha256:"
SALT_BYTES = 32
REMEMBERED_HASHES = 4096


class _Keyed(Protocol):
    def copy(self) -> _Keyed: ...
    def update(self, data: bytes, /) -> None: ...
    def hexdigest(self) -> str: ...


def _keyed_hmac(key: bytes) -> _Keyed:
    """OpenSSL's HMAC-SHA256 keyed with `key`: CPython's own object (what `hmac.HMAC` wraps)
    when it is there, saving the pure-Python wrapper's calls on every hashed value."""
    try:
        from _hashlib import hmac_new
    except ImportError:  # pragma: no cover - CPython without OpenSSL
        return hmac.new(key, digestmod=hashlib.sha256)
    return hmac_new(key, digestmod="sha256")


@dataclass(frozen=True, slots=True)
class Salt:
    """A device's HMAC key. Losing it (disabling the device) makes old hashes unreproducible."""

    key: bytes = field(repr=False)
    # Tokens and accessors recur on every request of a client: their HMACs are remembered
    # (a bounded map, dropped with the device when the node seals).
    _remembered: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    _keyed: _Keyed = field(init=False, repr=False, compare=False)
    _empty: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.key) != SALT_BYTES:
            raise ValueError(f"an audit salt is {SALT_BYTES} bytes")
        object.__setattr__(self, "_keyed", _keyed_hmac(self.key))
        object.__setattr__(self, "_empty", self._digest(b""))

    @classmethod
    def generate(cls) -> Salt:
        return cls(secrets.token_bytes(SALT_BYTES))

    def hash(self, value: str) -> str:
        if not value:  # common in responses (a KV version never deleted)
            return self._empty
        # surrogatepass: JSON may carry lone surrogates; hashing them must not crash the audit.
        return self._digest(value.encode("utf-8", "surrogatepass"))

    def _digest(self, value: bytes) -> str:
        # One HMAC keyed once, copied per value: cheaper than keying HMAC anew each time.
        mac = self._keyed.copy()
        mac.update(value)
        return HASH_PREFIX + mac.hexdigest()

    def hash_cached(self, value: str) -> str:
        """`hash`, remembered: for tokens and accessors, not for request or response data."""
        found = self._remembered.get(value)
        if found is None:
            if len(self._remembered) >= REMEMBERED_HASHES:
                self._remembered.clear()
            found = self._remembered[value] = self.hash(value)
        return found


def hash_structure(value: Any, salt: Salt, *, skip_keys: frozenset[str] = frozenset()) -> Any:
    """A deep copy of `value` with every string hashed, except under top-level `skip_keys`."""

    def hash_other(leaf: Any) -> Any:
        if isinstance(leaf, bool | int | float):  # a subclass (an IntEnum): kept, as numbers are
            return leaf
        return salt.hash(_raw_leaf(leaf))

    if isinstance(value, Mapping) and skip_keys:
        return {
            key: _rebuild(item, str, _raw_leaf, 1)
            if key in skip_keys
            else _rebuild(item, salt.hash, hash_other, 1)
            for key, item in value.items()
        }
    return _rebuild(value, salt.hash, hash_other, 0)


def raw_copy(value: Any) -> Any:
    """A deep, JSON-ready copy with nothing hashed (``log_raw``); bytes become base64 text."""
    return _rebuild(value, str, _raw_leaf, 0)


def _raw_leaf(leaf: Any) -> Any:
    if leaf is None or isinstance(leaf, bool | int | float | str):
        return leaf
    if isinstance(leaf, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(leaf)).decode("ascii")
    # Anything else (an enum, a datetime, an object) is logged as its text, never as-is.
    return str(leaf)


_CONTAINERS = (Mapping, list, tuple, set, frozenset)
_SEQUENCES = (list, tuple, set, frozenset)
# Plain dicts and lists (what JSON decodes to) are rebuilt recursively, which is fastest; below
# this depth the rest of a tree is rebuilt with an explicit stack instead.
_RECURSION_DEPTH = 32
_SCALARS = frozenset({int, float, bool, type(None)})
Leaf = Callable[[Any], Any]


def _rebuild(value: Any, text: Leaf, other: Leaf, depth: int) -> Any:
    """`value` rebuilt with `text` applied to each string and `other` to each leaf that is not
    a string, a number, a boolean or null (those are kept as they are)."""
    kind = type(value)
    if kind is dict and depth < _RECURSION_DEPTH:
        depth += 1
        return {
            # The leaf tests are inlined: the hot path makes one call per string and none
            # per number.
            key: text(item)
            if type(item) is str
            else item
            if type(item) in _SCALARS
            else _rebuild(item, text, other, depth)
            for key, item in value.items()
        }
    if kind is list and depth < _RECURSION_DEPTH:
        depth += 1
        return [
            text(item)
            if type(item) is str
            else item
            if type(item) in _SCALARS
            else _rebuild(item, text, other, depth)
            for item in value
        ]
    if isinstance(value, _CONTAINERS):
        return _transform(value, functools.partial(_leaf, text, other))
    return _leaf(text, other, value)


def _leaf(text: Leaf, other: Leaf, leaf: Any) -> Any:
    if type(leaf) is str:
        return text(leaf)
    return leaf if type(leaf) in _SCALARS else other(leaf)


def _transform(value: Any, leaf: Callable[[Any], Any]) -> Any:
    """Rebuild `value` with `leaf` applied to every non-container, using an explicit stack
    (of containers only: leaves are rebuilt where they are met)."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(root, 0, value)]
    while stack:
        parent, slot, item = stack.pop()
        if isinstance(item, Mapping):
            copy: dict[Any, Any] = dict.fromkeys(item)  # keeps the key order
            parent[slot] = copy
            for key, child in item.items():
                if isinstance(child, _CONTAINERS):
                    stack.append((copy, key, child))
                else:
                    copy[key] = leaf(child)
        elif isinstance(item, _SEQUENCES):
            children = list(item)
            copy_list: list[Any] = [None] * len(children)
            parent[slot] = copy_list
            for index, child in enumerate(children):
                if isinstance(child, _CONTAINERS):
                    stack.append((copy_list, index, child))
                else:
                    copy_list[index] = leaf(child)
        else:
            parent[slot] = leaf(item)
    return root[0]
