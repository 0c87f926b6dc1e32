"""Bound CIDRs: a token that names networks works only for clients inside one of them."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from strongroom.errors import InvalidParameter


def parse_cidrs(values: Iterable[str], field: str) -> tuple[str, ...]:
    """Normalise CIDRs (a bare address is a /32 or /128); the error names the field only."""
    parsed: list[str] = []
    for value in values:
        try:
            parsed.append(str(ipaddress.ip_network(value.strip(), strict=False)))
        except ValueError:
            raise InvalidParameter(
                f"invalid value for parameter {field!r}: expected CIDRs"
            ) from None
    return tuple(parsed)


def address_allowed(cidrs: tuple[str, ...], remote_address: str) -> bool:
    """Whether a client at `remote_address` may use a token bound to `cidrs` (fails closed)."""
    if not cidrs:
        return True
    try:
        address = ipaddress.ip_address(remote_address)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(cidr) for cidr in cidrs)
