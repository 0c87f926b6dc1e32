"""sys/locked-users: the users (and roles) locked out of auth mounts, and unlocking them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response

if TYPE_CHECKING:
    from strongroom.core.core import Core


def lockout_paths(core: Core) -> list[PathSpec]:
    async def list_locked(request: Request, data: FieldData) -> Response:
        locked = await core.lockout.locked(data.get("mount_accessor"))
        mounts = [
            {"mount_accessor": accessor, "counts": len(aliases), "alias_identifiers": aliases}
            for accessor, aliases in sorted(locked.items(), key=lambda item: -len(item[1]))
        ]
        total = sum(mount["counts"] for mount in mounts)  # type: ignore[misc]
        namespaces = []
        if total:
            namespaces.append(
                {
                    "namespace_id": "root",
                    "namespace_path": "",
                    "counts": total,
                    "mount_accessors": mounts,
                }
            )
        return Response({"by_namespace": namespaces, "total": total})

    async def unlock(request: Request, data: FieldData) -> None:
        await core.lockout.unlock(data.get("mount_accessor"), data.get("alias_identifier"))

    return [
        PathSpec(
            "locked-users",
            {Operation.READ: list_locked},
            {"mount_accessor": Field(FieldType.STRING, "only this auth mount", default="")},
            help="Users locked out after failed logins.",
        ),
        PathSpec(
            "locked-users/(?P<mount_accessor>[^/]+)/unlock/(?P<alias_identifier>.+)",
            {Operation.UPDATE: unlock},
            {
                "mount_accessor": Field(FieldType.STRING),
                "alias_identifier": Field(FieldType.STRING),
            },
            help="Unlock a user.",
        ),
    ]
