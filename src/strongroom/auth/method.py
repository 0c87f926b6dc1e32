"""What every auth method shares: the name pattern, the bad-login error, CIDR checks, list
answers and per-name locks.

An auth method's login answers with an `Auth` (see `token_fields.to_auth`); the core mints the
token. Everything a login refuses is one of two errors: `InvalidCredentials` (400, the same
message whatever was wrong, so a caller cannot tell a missing user from a wrong password) or
`PermissionDenied` (403, a source address outside the bound CIDRs).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from weakref import WeakValueDictionary

from strongroom.errors import NotFound
from strongroom.logical import Response, cidrs

# Vault's framework.GenericNameRegex, in ASCII (Go's \w): word characters, `-` and `.` inside.
NAME = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"


def named(group: str) -> str:
    return f"(?P<{group}>{NAME})"


def parse_cidrs(values: Iterable[str], field: str) -> tuple[str, ...]:
    """CIDR blocks as the auth methods store and show them: a single host without `/32`."""
    return cidrs.parse_cidrs(values, field, bare_hosts=True)


def list_response(keys: list[str]) -> Response:
    """A LIST answer; an empty list is a 404, as in Vault."""
    if not keys:
        raise NotFound()
    return Response({"keys": keys})


class NamedLocks:
    """One asyncio lock per name (a user, a role, a secret ID's HMAC), dropped when unused."""

    def __init__(self) -> None:
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def __call__(self, name: str) -> asyncio.Lock:
        lock = self._locks.get(name)
        if lock is None:
            lock = self._locks[name] = asyncio.Lock()
        return lock
