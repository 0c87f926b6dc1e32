"""sys/internal/ui/mounts: what the web UI and the vault CLI's `kv` commands ask first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strongroom.errors import PermissionDenied
from strongroom.framework import Field, FieldData, FieldType, PathSpec
from strongroom.logical import Operation, Request, Response
from strongroom.routing import AUTH_TABLE, SECRET_TABLE, MountEntry

if TYPE_CHECKING:
    from strongroom.core.core import Core
    from strongroom.policy.acl import ACL


def internal_paths(core: Core) -> list[PathSpec]:
    async def list_mounts(request: Request, data: FieldData) -> Response:
        # Anonymous callers see `unauth` mounts; a token sees mounts it can reach.
        acl = await core.pipeline.caller_acl(request)
        tables: dict[str, dict[str, Any]] = {"secret": {}, "auth": {}}
        for name, table in (("secret", SECRET_TABLE), ("auth", AUTH_TABLE)):
            for entry in core.mounts.entries(table):
                if _visible(acl, entry):
                    tables[name][entry.path] = entry.as_api()
        return Response(tables)

    async def one_mount(request: Request, data: FieldData) -> Response:
        path = data.get("path")
        routed = core.router.route(path)
        acl = await core.pipeline.caller_acl(request)
        if routed is None or acl is None or not _reaches(acl, routed.mount.route, path):
            raise PermissionDenied()
        return Response({**routed.mount.as_api(), "path": routed.mount.route})

    return [
        PathSpec("internal/ui/mounts", {Operation.READ: list_mounts}, unauthenticated=True),
        PathSpec(
            "internal/ui/mounts/(?P<path>.+)",
            {Operation.READ: one_mount},
            {"path": Field(FieldType.STRING)},
            unauthenticated=True,
            help="The mount serving a path, for a caller with any capability on it.",
        ),
    ]


def _visible(acl: ACL | None, entry: MountEntry) -> bool:
    if entry.config.listing_visibility == "unauth":
        return True
    return acl is not None and acl.capabilities(entry.route) != {"deny"}


def _reaches(acl: ACL, mount_route: str, path: str) -> bool:
    """Any capability on the path itself, or on anything under the mount (Vault's "mount
    access"): a token limited to `kv/data/*` may still learn that `kv/` is KV version 2."""
    return acl.capabilities(path) != {"deny"} or acl.has_access_under(mount_route)
