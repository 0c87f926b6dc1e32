"""Audit entries in Vault's JSON shape: one `request` entry, then one `response` entry.

What is hashed (unless the device has ``log_raw``): every token (the caller's, a new token in
`response.auth`, a wrapping token); accessors when ``hmac_accessor``; every string under
`request.data` and `response.data` except top-level keys in the device's non-HMAC key lists;
audited header values configured with ``hmac``. As in Vault, display names, policies, token
metadata, lease ids, warnings and the error text stay readable; error texts never echo input
values (see `strongroom.errors`). Inputs are never mutated.

The blocks are built here; the broker encodes a request's `auth` and `request` blocks once per
device (`chain.encoded`) and writes the same bytes in both of the request's lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import orjson

from strongroom.audit.chain import encode_json
from strongroom.audit.hashing import Salt, hash_structure, raw_copy
from strongroom.logical import Auth, Operation, Request, Response, WrapInfo

REMEMBERED_CALLERS = 4096
REMEMBERED_BLOCK_BYTES = 4096


class AuthInfo(NamedTuple):
    """What the pipeline knows about the caller once its token resolved and the ACL ran.
    (Hashable, so a device can remember the encoded auth block of a caller who calls again.)"""

    client_token: str = ""
    accessor: str = ""
    display_name: str = ""
    policies: tuple[str, ...] = ()
    token_policies: tuple[str, ...] = ()
    identity_policies: tuple[str, ...] = ()
    metadata: tuple[tuple[str, str], ...] = ()
    entity_id: str = ""
    token_type: str = ""
    token_ttl: int = 0
    token_issue_time: str = ""
    granting_policies: tuple[str, ...] = ()
    allowed: bool = False


class EntryHasher:
    """One device's hashing settings, applied to the fields of its entries."""

    __slots__ = ("_auth_blocks", "hmac_accessor", "log_raw", "salt")

    def __init__(self, salt: Salt, hmac_accessor: bool, log_raw: bool) -> None:
        self.salt = salt
        self.hmac_accessor = hmac_accessor
        self.log_raw = log_raw
        # A caller's auth block, encoded, by caller: the same few callers call again and again.
        # Bounded; it holds tokens as the salt's own memo does and goes with the device.
        self._auth_blocks: dict[AuthInfo, orjson.Fragment] = {}

    def token(self, value: str) -> str:
        return value if self.log_raw or not value else self.salt.hash_cached(value)

    def accessor(self, value: str) -> str:
        return self.token(value) if self.hmac_accessor else value

    def data(self, value: Any, skip_keys: frozenset[str]) -> Any:
        if self.log_raw:
            return raw_copy(value)
        return hash_structure(value, self.salt, skip_keys=skip_keys)

    def encoded_auth(self, auth: AuthInfo | None) -> orjson.Fragment | None:
        """`caller_auth`, encoded once per caller."""
        if auth is None:
            return None
        found = self._auth_blocks.get(auth)
        if found is None:
            block = encode_json(caller_auth(auth, self))
            found = orjson.Fragment(block)
            # Only small blocks are kept: token metadata can make one large, and the memo is
            # bounded in entries, not bytes.
            if len(block) <= REMEMBERED_BLOCK_BYTES:
                if len(self._auth_blocks) >= REMEMBERED_CALLERS:
                    self._auth_blocks.clear()
                self._auth_blocks[auth] = found
        return found


Block = dict[str, Any] | orjson.Fragment | None


def request_entry(time: str, auth: Block, request: Block, error: str) -> dict[str, Any]:
    """The `type: "request"` entry, written before the request is handled."""
    return {"time": time, "type": "request", "auth": auth, "request": request, "error": error}


def response_entry(
    time: str, auth: Block, request: Block, response: Block, error: str
) -> dict[str, Any]:
    """The `type: "response"` entry: the request's own `auth` and `request` blocks again."""
    return {
        "time": time,
        "type": "response",
        "auth": auth,
        "request": request,
        "response": response,
        "error": error,
    }


def caller_auth(auth: AuthInfo, hasher: EntryHasher) -> dict[str, Any]:
    return {
        "client_token": hasher.token(auth.client_token),
        "accessor": hasher.accessor(auth.accessor),
        "display_name": auth.display_name,
        "policies": list(auth.policies),
        "token_policies": list(auth.token_policies),
        "identity_policies": list(auth.identity_policies),
        "metadata": dict(auth.metadata),
        "entity_id": auth.entity_id,
        "token_type": auth.token_type,
        "token_ttl": auth.token_ttl,
        "token_issue_time": auth.token_issue_time,
        "policy_results": {
            "allowed": auth.allowed,
            "granting_policies": [
                {"name": name, "namespace_id": "root", "type": "acl"}
                for name in auth.granting_policies
            ],
        },
    }


def request_block(
    request: Request,
    hasher: EntryHasher,
    non_hmac_keys: frozenset[str],
    audited_headers: Mapping[str, bool],
) -> dict[str, Any]:
    """`audited_headers` maps a lower-case header name to whether its value is HMAC'd
    (``sys/config/auditing/request-headers``); headers not listed are not logged."""
    return {
        "id": request.request_id,
        "operation": str(request.operation),
        "mount_type": request.mount_type,
        "mount_accessor": request.mount_accessor,
        "mount_point": request.mount_point,
        "client_token": hasher.token(request.client_token),
        "client_token_accessor": hasher.accessor(request.client_token_accessor),
        "namespace": {"id": "root"},
        "path": request.full_path,
        "data": hasher.data(request.data, non_hmac_keys),
        "remote_address": request.remote_address,
        "wrap_ttl": request.wrap_ttl,
        "headers": _headers(request.headers, audited_headers, hasher),
    }


def _headers(
    headers: Mapping[str, str], audited: Mapping[str, bool], hasher: EntryHasher
) -> dict[str, list[str]]:
    """Only configured headers, as Vault logs them: name → list of values."""
    logged: dict[str, list[str]] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in audited:
            logged[lowered] = [hasher.token(value) if audited[lowered] else value]
    return logged


def response_block(
    request: Request,
    response: Response | None,
    hasher: EntryHasher,
    non_hmac_keys: frozenset[str],
    elide_list: bool,
) -> dict[str, Any]:
    """`non_hmac_keys` are the mount's response keys. With `elide_list`, a list response's
    `keys` (and `key_info`) are logged as their count."""
    block: dict[str, Any] = {
        "mount_type": request.mount_type,
        "mount_accessor": request.mount_accessor,
        "auth": None,
        "secret": None,
        "data": None,
        "warnings": [],
        "wrap_info": None,
    }
    if response is None:
        return block
    if response.auth is not None:
        block["auth"] = _new_token_auth(response.auth, hasher)
    if response.secret is not None:
        block["secret"] = {"lease_id": response.secret.lease_id}
    if response.data is not None:
        data = response.data
        if elide_list and request.operation is Operation.LIST and isinstance(data, Mapping):
            data = _elided(data)
        block["data"] = hasher.data(data, non_hmac_keys)
    block["warnings"] = list(response.warnings)
    if response.wrap_info is not None:
        block["wrap_info"] = _wrap_info(response.wrap_info, hasher)
    return block


def _elided(data: Mapping[str, Any]) -> dict[str, Any]:
    elided = dict(data)
    for key in ("keys", "key_info"):
        if isinstance(elided.get(key), list | dict):
            elided[key] = len(elided[key])
    return elided


def _new_token_auth(auth: Auth, hasher: EntryHasher) -> dict[str, Any]:
    return {
        "client_token": hasher.token(auth.client_token),
        "accessor": hasher.accessor(auth.accessor),
        "display_name": "",
        "policies": auth.policies,
        "token_policies": list(auth.token_policies),
        "identity_policies": list(auth.identity_policies),
        "metadata": dict(auth.metadata),
        "entity_id": auth.entity_id,
        "token_type": auth.token_type,
        "token_ttl": auth.lease_duration,
        "token_issue_time": "",
    }


def _wrap_info(info: WrapInfo, hasher: EntryHasher) -> dict[str, Any]:
    return {
        "token": hasher.token(info.token),
        "accessor": hasher.accessor(info.accessor),
        "ttl": info.ttl,
        "creation_time": info.creation_time,
        "creation_path": info.creation_path,
        "wrapped_accessor": hasher.accessor(info.wrapped_accessor),
    }
