"""CIDR blocks that bind tokens and secret IDs to client networks: parsing, membership and
containment, shared by the token store and the auth methods."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from strongroom.errors import InvalidParameter


def parse_cidrs(values: Iterable[str], field: str, *, bare_hosts: bool = False) -> tuple[str, ...]:
    """Normalised CIDR blocks (a bare address is a single host); the error names the field only.

    With `bare_hosts`, a single host is written without its prefix length, as Vault's auth
    methods show it (sockaddr's String()); otherwise as `/32` or `/128`.
    """
    parsed: list[str] = []
    for value in values:
        try:
            network = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise InvalidParameter(
                f"invalid value for parameter {field!r}: expected CIDR blocks"
            ) from None
        single = bare_hosts and network.prefixlen == network.max_prefixlen
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
