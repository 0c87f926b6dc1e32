"""The certificate lifetime a new-order may ask for (RFC 8555 7.4: `notBefore`, `notAfter`).

`notAfter` is honoured when it is in the future and within the directory's role's `max_ttl`
(sign-verbatim: the mount's default maximum, as for `sign-verbatim`); otherwise the order is
refused, rather than a certificate issued with a lifetime other than the one asked for. It is
checked again at finalize, since the role may have changed. `notBefore` is refused, as in
Vault: a certificate starts when it is issued (less the role's `not_before_duration`). Without
`notAfter` the role's `ttl` applies.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from strongroom.engines.pki.acme.problems import malformed
from strongroom.engines.pki.issuance import SYSTEM_MAX_TTL
from strongroom.engines.pki.roles import Role


def requested_not_after(payload: dict[str, Any], role: Role, now: int) -> int:
    """The order's `notAfter` (Unix seconds), checked; 0 when it asks for none."""
    if "notBefore" in payload:
        raise malformed("notBefore is not supported: a certificate starts when it is issued")
    text = payload.get("notAfter")
    if text is None:
        return 0
    not_after = _parse(text)
    check_not_after(not_after, role, now)
    return not_after


def check_not_after(not_after: int, role: Role, now: int) -> None:
    if not_after <= now:
        raise malformed("notAfter is not in the future")
    limit = role.max_ttl or SYSTEM_MAX_TTL
    if not_after > now + limit:
        raise malformed(f"notAfter is further away than the role's max_ttl ({limit}s)")


def _parse(text: Any) -> int:
    if not isinstance(text, str):
        raise malformed("notAfter must be an RFC 3339 time")
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise malformed("notAfter must be an RFC 3339 time") from None
    if moment.tzinfo is None:
        raise malformed("notAfter needs a time zone (Z or an offset)")
    return int(moment.timestamp())
