"""What every auth method shares: the name pattern, the bad-login error, CIDR checks, list
answers and per-name locks.

An auth method's login answers with an `Auth` (see `token_fields.to_auth`); the core mints the
token. Everything a login refuses is one of two errors: `InvalidCredentials` (400, the same
message whatever was wrong, so a caller cannot tell a missing user from a wrong password) or
`PermissionDenied` (403, a source address outside the bound CIDRs).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterable
from weakref import WeakValueDictionary

from strongroom.errors import InvalidParameter, NotFound
from strongroom.logical import Response

# Vault's framework.GenericNameRegex, in ASCII (Go's \w): word characters, `-` and `.` inside.
NAME = r"[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?"


def named(group: str) -> str:
    return f"(?P<{group}>{NAME})"


def parse_cidrs(values: Iterable[str], field: str) -> tuple[str, ...]:
    """Normalised CIDR blocks (a bare address is a single host); the error names the field."""
    parsed: list[str] = []
    for value in values:
        try:
            network = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise InvalidParameter(
                f"invalid value for parameter {field!r}: expected CIDR blocks"
            ) from None
        # Vault writes a single host without its prefix length (sockaddr's String()).
        single = network.prefixlen == network.max_prefixlen
        parsed.append(str(network.network_address) if single else str(network))
    return tuple(parsed)


def address_allowed(cidrs: Iterable[str], remote_address: str) -> bool:
    """Whether `remote_address` is inside one of `cidrs` (none: always). Fails closed."""
    blocks = tuple(cidrs)
    if not blocks:
        return True
    try:
        address = ipaddress.ip_address(remote_address)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(block, strict=False) for block in blocks)


def is_subset(inner: Iterable[str], outer: Iterable[str]) -> bool:
    """Whether every block of `inner` lies inside some block of `outer` (no `outer`: yes)."""
    outer_networks = [ipaddress.ip_network(block, strict=False) for block in outer]
    if not outer_networks:
        return True
    for block in inner:
        network = ipaddress.ip_network(block, strict=False)
        if not any(
            network.version == o.version and network.subnet_of(o)  # type: ignore[arg-type]
            for o in outer_networks
        ):
            return False
    return True


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
