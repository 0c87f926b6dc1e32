"""sys/leases/* and the legacy sys/renew, sys/revoke, sys/revoke-prefix, sys/revoke-force."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strongroom.clock import rfc3339
from strongroom.errors import BadRequest, NotFound
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response, Secret

if TYPE_CHECKING:
    from strongroom.core.core import Core

LEASE_FIELDS = {
    "lease_id": Field(FieldType.STRING, "the lease to act on"),
    "url_lease_id": Field(FieldType.STRING),
    "increment": Field(FieldType.DURATION, "requested extension", default=0),
    "sync": Field(FieldType.BOOL, "wait for the revocation to finish", default=True),
}
PREFIX_FIELDS = {
    "prefix": Field(FieldType.STRING, "lease ID prefix", default=""),
    "sync": Field(FieldType.BOOL, default=True),
}


def _lease_id(data: FieldData) -> str:
    lease_id = data.get("url_lease_id") or data.get("lease_id")
    if not lease_id:
        raise BadRequest("missing lease_id")
    return str(lease_id)


def lease_paths(core: Core) -> list[PathSpec]:
    async def lookup(request: Request, data: FieldData) -> Response:
        entry = await core.leases.lookup(_lease_id(data))
        if entry is None:
            raise BadRequest("invalid lease")
        now = core.clock.now()
        return Response(
            {
                "id": entry.lease_id,
                "issue_time": rfc3339(entry.issue_time),
                "expire_time": rfc3339(entry.expire_time),
                "last_renewal": rfc3339(entry.last_renewal) if entry.last_renewal else None,
                "renewable": entry.renewable,
                "ttl": max(0, round(entry.expire_time - now)),
            }
        )

    async def list_prefix(request: Request, data: FieldData) -> Response:
        keys = await core.leases.list(data.get("prefix"))
        if not keys:
            raise NotFound()
        return Response({"keys": keys})

    async def renew(request: Request, data: FieldData) -> Response:
        lease_id = _lease_id(data)
        entry = await core.leases.renew(lease_id, data.get("increment"), core.max_ttl_for(lease_id))
        ttl = max(0, round(entry.expire_time - core.clock.now()))
        secret = Secret(secret_type="", ttl=ttl, renewable=entry.renewable, lease_id=lease_id)
        return Response(secret=secret)

    async def revoke(request: Request, data: FieldData) -> None:
        await core.leases.revoke(_lease_id(data))

    async def revoke_prefix(request: Request, data: FieldData) -> None:
        await core.leases.revoke_prefix(data.get("prefix"))

    async def revoke_force(request: Request, data: FieldData) -> None:
        await core.leases.revoke_prefix(data.get("prefix"), force=True)

    async def tidy(request: Request, data: FieldData) -> None:
        await core.leases.tidy()

    async def count(request: Request, data: FieldData) -> Response:
        return Response({"lease_count": await core.leases.count(), "counts": None})

    def update(handler: Any) -> dict[Operation, Any]:
        return {Operation.UPDATE: handler}

    url_lease = r"(?:/(?P<url_lease_id>.+))?"
    specs = [
        PathSpec("leases/lookup", update(lookup), LEASE_FIELDS),
        PathSpec(
            "leases/lookup/(?P<prefix>.*)", {Operation.LIST: list_prefix}, PREFIX_FIELDS, sudo=True
        ),
        PathSpec("leases/tidy", update(tidy)),
        PathSpec("leases/count", {Operation.READ: count}),
    ]
    # Each action under its current name and its legacy sys/ alias.
    for prefix in ("leases/", ""):
        specs += [
            PathSpec(f"{prefix}renew{url_lease}", update(renew), LEASE_FIELDS),
            PathSpec(f"{prefix}revoke{url_lease}", update(revoke), LEASE_FIELDS),
            PathSpec(
                f"{prefix}revoke-prefix/(?P<prefix>.+)",
                update(revoke_prefix),
                PREFIX_FIELDS,
                sudo=True,
            ),
            PathSpec(
                f"{prefix}revoke-force/(?P<prefix>.+)",
                update(revoke_force),
                PREFIX_FIELDS,
                sudo=True,
            ),
        ]
    return specs
